"""`incidents calendar-url PERSON` / `--schedule NAME`: the full URL of a calendar feed, its token created on
first use (`--reset`: a new one, the old URL stops working)."""

from datetime import UTC, datetime

import click

from cli.config import catalog_or_exit, exit_with
from settings import env


@click.command("calendar-url")
@click.argument("person", required=False)
@click.option("--schedule", help="The feed of this schedule (everyone's periods) instead of a person's.")
@click.option("--reset", is_flag=True, help="A new URL; the old one stops working at once.")
def calendar_url(person, schedule, reset):
    """Print the URL of PERSON's calendar feed (or the schedule's): PUBLIC_URL/calendars/<token>.ics."""
    from commands import calendars
    from incidents.calendars import PERSON, SCHEDULE, Feed
    from incidents.urls import calendar_url as url_of
    from store.db import create_engine

    settings = env.load()
    catalog = catalog_or_exit(settings)
    if bool(person) == bool(schedule):
        exit_with(["name a PERSON or give --schedule NAME (one of the two)"])
    if schedule and schedule not in catalog.schedules:
        exit_with(
            [f'--schedule: no schedule called "{schedule}" in schedules.yaml; known: {_names(catalog.schedules)}']
        )
    if person and person not in catalog.people:
        exit_with([f'no person called "{person}" in people.yaml; known: {_names(catalog.people)}'])
    feed = Feed(SCHEDULE, schedule) if schedule else Feed(PERSON, person)
    engine = create_engine(settings.database_url)
    try:
        make = calendars.reset if reset else calendars.url_token
        token = make(engine, feed, catalog=catalog, secret_key=settings.secret_key, now=datetime.now(UTC))
    finally:
        engine.dispose()
    click.echo(url_of(settings.public_url, token))


def _names(found) -> str:
    return ", ".join(sorted(found)) or "none"
