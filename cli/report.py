"""`incidents report`: the report for a date range as a table, read straight from the database."""

import sys
from datetime import UTC, datetime

import click
from werkzeug.datastructures import MultiDict

from cli.config import catalog_or_exit, exit_with
from settings import env


@click.command()
@click.option("--since", default="30d", show_default=True, help="30d, 12h, 2w, a date or an RFC 3339 time.")
@click.option("--until", help="The range's end (not included), as --since; default now.")
@click.option("--service", multiple=True, help="Only this service (repeatable).")
@click.option("--severity", multiple=True, help="Only this severity, SEV1..SEV4 (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV, as /reports.csv, instead of the table.")
@click.option("--oncall", is_flag=True, help="The on-call load per person instead (as /reports/oncall).")
def report(since, until, service, severity, as_csv, oncall):
    """Incidents opened in a range: counts, MTTA, MTTR and targets met, by severity and service; or, with
    --oncall, per person: hours on call, nights, weekends, pages, pages at night, incidents commanded."""
    import csv

    if oncall and (service or severity):
        exit_with(["--oncall: the load is per person; --service and --severity do not apply"])
    if oncall:
        return _oncall_load(since, until, as_csv)

    from incidents.report_figures import csv_header, csv_rows, scope_from, text_table
    from store.db import create_engine
    from store.reports import build, unknown_services

    settings = env.load()
    catalog = catalog_or_exit(settings)
    now = datetime.now(UTC)
    pairs = [("since", since), ("until", until or "")] + [("service", s) for s in service]
    try:
        scope = scope_from(MultiDict(pairs + [("severity", s) for s in severity]), now)
    except ValueError as error:
        exit_with([f"--{error}"])
    with create_engine(settings.database_url).connect() as conn:
        unknown, known = unknown_services(conn, scope, catalog)
        if unknown:
            exit_with([f"--service: no service {', '.join(unknown)} (known: {', '.join(known)})"])
        result = build(conn, scope, catalog, now)
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerows([csv_header(), *csv_rows(result)])
    else:
        click.echo(text_table(result))


def _oncall_load(since: str, until: str | None, as_csv: bool) -> None:
    import csv

    from commands.oncall_load import load_report
    from incidents import oncall_load_figures as figures
    from store.db import create_engine

    settings = env.load()
    catalog = catalog_or_exit(settings)
    now = datetime.now(UTC)
    try:
        start, end = figures.window(since, until, now)
    except ValueError as error:
        exit_with([f"--{error}"])
    found = load_report(create_engine(settings.database_url), catalog, since=start, until=end, now=now)
    if as_csv:
        csv.writer(sys.stdout).writerows(figures.csv_rows(found))
    else:
        click.echo(figures.text_table(found))
