"""Passwords from the command line, and the first sign-in `incidents up` offers on the embedded defaults."""

import secrets
import sys
from datetime import UTC, datetime

import click

from store.credentials import password_hash, save_password_hash
from store.db import create_engine
from web import passwords


def read_password() -> str:
    """Asked twice (hidden) on a terminal; one line from stdin for scripts. Exits 2 when too short."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < passwords.MIN_LENGTH:
        click.echo(f"a password needs at least {passwords.MIN_LENGTH} characters", err=True)
        sys.exit(2)
    return password


def store_password(settings, name: str, password: str) -> None:
    """Store the hash of `name`'s password, replacing any earlier one."""
    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            save_password_hash(conn, name, passwords.hashed(password), datetime.now(UTC))
    finally:
        engine.dispose()


def first_sign_in(settings, catalog, *, port: int) -> str:
    """A line telling how to sign in: a fresh random password for the first person when none is set."""
    if not catalog.people:
        return "No people in people.yaml: nobody can sign in to the web UI."
    name = next(iter(catalog.people))
    url = f"http://127.0.0.1:{port}/"
    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            if password_hash(conn, name) is not None:
                return f"Sign in at {url} as {name} (password set earlier; `incidents user set-password {name}`)"
            password = secrets.token_urlsafe(12)
            save_password_hash(conn, name, passwords.hashed(password), datetime.now(UTC))
    finally:
        engine.dispose()
    return f"Sign in at {url} as {name} with password {password}"
