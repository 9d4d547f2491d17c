"""`incidents maintenance add|list|end`: maintenance windows, straight into the database (like `incidents change`)."""

import getpass
from datetime import UTC, datetime

import click

from cli.config import catalog_or_exit, exit_with
from settings import env


@click.group()
def maintenance():
    """Maintenance windows: incidents of a service opened during one page nobody until it ends."""


@maintenance.command("add")
@click.option("--service", "services", multiple=True, required=True, help="A service of services.yaml (repeatable).")
@click.option("--start", help="RFC 3339 (default: now).")
@click.option("--end", required=True, help='RFC 3339, or a duration after the start ("2 hours").')
@click.option("--reason", required=True, help="Why, in a line.")
def add(services, start, end, reason):
    """Add a window; prints it."""
    from incidents import noise
    from store import noise as windows

    settings, now = env.load(), datetime.now(UTC)
    catalog = catalog_or_exit(settings)
    unknown = noise.unknown_services(services, {s.name for s in catalog.services})
    if unknown:
        exit_with([f'--service: no service called "{name}" in {settings.config_dir}/services.yaml' for name in unknown])
    try:
        begin, finish = noise.window_times(start, end, now)
    except ValueError as error:
        exit_with([f"--{error}"])
    with _engine(settings).begin() as conn:
        window = windows.add_window(conn, services, start=begin, end=finish, reason=reason, by=_actor(), now=now)
    click.echo(_line(window))


@maintenance.command("list")
@click.option("--all", "include_past", is_flag=True, help="Past windows too.")
def list_(include_past):
    """Windows not over yet (with --all, every window, newest first)."""
    from store import noise as windows

    settings = env.load()
    with _engine(settings).connect() as conn:
        for window in windows.list_windows(conn, now=datetime.now(UTC), include_past=include_past):
            click.echo(_line(window))


@maintenance.command("end")
@click.argument("window_id", type=int)
def end(window_id):
    """End a window now: the incidents it held page at beat's next tick."""
    from store import noise as windows

    settings = env.load()
    try:
        with _engine(settings).begin() as conn:
            window = windows.end_window(conn, window_id, by=_actor(), now=datetime.now(UTC))
    except windows.NoSuchWindow as error:
        exit_with([str(error)])
    click.echo(_line(window))


def _line(window) -> str:
    ended = f", ended by {window.ended_by}" if window.ended_by else ""
    start, end = (t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in (window.start, window.end))
    services = ",".join(window.services)
    return f"{window.id}\t{services}\t{start}\t{end}\t{window.reason} (by {window.created_by}{ended})"


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _engine(settings):
    from store.db import create_engine

    return create_engine(settings.database_url)
