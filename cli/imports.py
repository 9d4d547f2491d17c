"""`incidents import pagerduty|opsgenie|grafana-oncall FILE.json [--write DIR]` (issue #16 §7)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from cli.config import exit_with
from settings import env
from settings.catalog import ConfigError, load_people
from settings.imports import VENDORS, BadExport
from settings.imports.yaml_form import policy_text, schedules_text, write


@click.command("import")
@click.argument("vendor", type=click.Choice(sorted(VENDORS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--write",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Add the schedules to DIR/schedules.yaml (a schedule of the same name is replaced).",
)
def import_schedules(vendor, file, directory):
    """Another tool's schedules (and escalation policies) in our format, its users matched to people.yaml
    (of DIR, else of the configuration) by email: printed, or added to DIR/schedules.yaml with --write DIR;
    the escalation policies are printed to paste under a service."""
    config_dir = directory or env.load().config_dir
    try:
        people = load_people(config_dir)
    except ConfigError as error:
        exit_with(error.problems)
    try:
        imported = VENDORS[vendor].convert(_export(file), people, datetime.now(UTC))
    except BadExport as error:
        exit_with([f"{file}: {problem}" for problem in error.problems])
    _tell(imported.notes, config_dir)
    blocks = [] if directory else [schedules_text(imported.schedules)]
    if directory:
        _write(directory, imported.schedules)
    blocks += [policy_text(name, policy, VENDORS[vendor].VENDOR) for name, policy in imported.policies]
    click.echo("---\n".join(blocks), nl=False)


def _export(file: Path):
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadExport([f"not JSON: {error}"]) from None


def _write(directory: Path, schedules):
    try:
        replaced = write(directory, schedules)
    except BadExport as error:
        exit_with(error.problems)
    names = ", ".join(s.name for s in schedules) or "no schedule"
    again = f" (replacing {', '.join(replaced)})" if replaced else ""
    click.echo(f"{directory / 'schedules.yaml'}: wrote {names}{again}", err=True)


def _tell(notes, config_dir: Path):
    """The users left out and every warning, on stderr."""
    if notes.unmatched:
        click.echo(f"not in {config_dir / 'people.yaml'} (left out; add them and import again):", err=True)
        for user in notes.unmatched:
            click.echo(f"  {user}", err=True)
    for warning in notes.warnings:
        click.echo(f"warning: {warning}", err=True)
