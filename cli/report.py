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
def report(since, until, service, severity, as_csv):
    """Incidents opened in a range: counts, MTTA, MTTR and targets met, by severity and service."""
    import csv

    from incidents.report_figures import csv_header, csv_rows, scope_from, text_table
    from store.db import create_engine
    from store.reports import build

    settings = env.load()
    catalog = catalog_or_exit(settings)
    now = datetime.now(UTC)
    pairs = [("since", since), ("until", until or "")] + [("service", s) for s in service]
    try:
        scope = scope_from(MultiDict(pairs + [("severity", s) for s in severity]), now)
    except ValueError as error:
        exit_with([f"--{error}"])
    with create_engine(settings.database_url).connect() as conn:
        result = build(conn, scope, catalog, now)
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerows([csv_header(), *csv_rows(result)])
    else:
        click.echo(text_table(result))
