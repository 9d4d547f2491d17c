"""`incidents change`: record a deploy from a script, through the deploy webhook's parser and store."""

import json
from datetime import UTC, datetime

import click
from marshmallow import ValidationError

from cli.config import catalog_or_exit, exit_with
from settings import env

USER_AGENT = "incidents change"


@click.command()
@click.option("--service", required=True, help="The service that changed, as named in services.yaml.")
@click.option("--version", "version_", help="The version deployed (this or --commit is required).")
@click.option("--commit", help="The commit deployed.")
@click.option("--summary", required=True, help="What changed, in a line.")
@click.option("--author", help="Who made the change.")
@click.option("--link", help="A link to the build, pull request or release notes.")
@click.option("--time", "time_", help="When it changed, RFC 3339 (default: now).")
def change(service, version_, commit, summary, author, link, time_):
    """Record a change (a deploy) to a service: a rollback candidate for incidents that follow it."""
    from incidents.utc import iso
    from ingest.sources.changes import parse_deploy
    from store.changes import record_change
    from store.db import create_engine

    settings = env.load()
    catalog = catalog_or_exit(settings)
    fields = {"service": service, "version": version_, "commit": commit, "summary": summary}
    fields |= {"author": author, "link": link, "time": time_}
    body = {key: value for key, value in fields.items() if value is not None}
    now = datetime.now(UTC)
    try:
        parsed = parse_deploy(body, now=now)
    except ValidationError as error:
        exit_with([f"--{path}: {reason}" for path, reason in _flat(error)])
    if parsed.service not in {s.name for s in catalog.services}:
        exit_with([f'--service: no service called "{parsed.service}" in {settings.config_dir}/services.yaml'])
    raw = json.dumps(body, separators=(",", ":")).encode()
    stored = record_change(create_engine(settings.database_url), parsed, body=raw, now=now, user_agent=USER_AGENT)
    what = ", ".join(f"{k} {v}" for k, v in (("version", stored.version), ("commit", stored.commit)) if v)
    click.echo(
        f"recorded change {stored.id} to {stored.service} at {iso(stored.changed_at)}: {stored.summary} ({what})"
    )


def _flat(error: ValidationError):
    from settings.catalog import flatten_errors

    return flatten_errors(error.messages)
