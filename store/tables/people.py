"""People of the web UI: password hashes and failed sign-ins."""

import sqlalchemy as sa

from store.tables.core import Id, Time, metadata

# Passwords of the people in people.yaml who sign in to the web UI (a hash, never the password).
credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("updated_at", Time, nullable=False),
)

# Failed sign-ins by the name typed (known or not): a name is throttled after too many.
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Index("ix_sign_in_failures_name_at", "name", "at"),
)
