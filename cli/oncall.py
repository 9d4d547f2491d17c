"""`incidents oncall`: who is on call on each schedule at a moment (now by default), with overrides."""

from datetime import UTC, datetime, timedelta

import click

from cli.config import catalog_or_exit, exit_with
from settings import env


@click.command()
@click.option("--at", "at_text", help="An RFC 3339 time; default now.")
@click.option("--schedule", "names", multiple=True, help="Only this schedule (repeatable).")
def oncall(at_text, names):
    """Who is on call on each schedule (config/schedules.yaml, with the overrides stored), and until when."""
    from marshmallow import ValidationError

    from commands.fields import parse_time
    from incidents.periods import periods
    from incidents.utc import iso
    from store import overrides
    from store.db import create_engine

    settings = env.load()
    catalog = catalog_or_exit(settings)
    try:
        at = parse_time(at_text) if at_text else datetime.now(UTC)
    except ValidationError as error:
        exit_with([f"--at: {error}"])
    unknown = [name for name in names if name not in catalog.schedules]
    if unknown:
        exit_with([f'--schedule: no schedule called "{unknown[0]}" in schedules.yaml'])
    moment, reach = at + timedelta(seconds=1), timedelta(days=90)
    with create_engine(settings.database_url).connect() as conn:
        for name in names or tuple(catalog.schedules):
            asked = overrides.meeting(conn, name, at - reach, moment + reach)
            found = periods(catalog.schedules[name], at, moment, asked, reach)
            shown = f"{found[0].person} from {iso(found[0].start)} until {iso(found[0].end)}" if found else "nobody"
            click.echo(f"{name}: {shown}")
