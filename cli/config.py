"""The configuration as every command loads it: a wrong one stops the command with its problems."""

import sys

import click

from settings.catalog import ConfigError, load_catalog


def exit_with(problems: list[str]):
    """Print each problem on stderr (`file: field.path: reason`) and exit 2."""
    for problem in problems:
        click.echo(problem, err=True)
    sys.exit(2)


def catalog_or_exit(settings):
    """The catalog of `settings.config_dir`, or exit 2 naming every problem in it."""
    try:
        return load_catalog(settings.config_dir)
    except ConfigError as error:
        exit_with(error.problems)
