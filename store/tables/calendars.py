"""Calendar feeds: the nonce each feed's URL token is derived from (incidents.calendars.token)."""

import sqlalchemy as sa

from store.tables.core import Time, metadata

# One row per feed that has a URL: a person's (`kind` person) or a schedule's (`kind` schedule). The token
# is an HMAC of the feed with SECRET_KEY and `nonce`, so this table alone gives no URL away; a reset stores
# a new nonce, and the old URL stops working at once.
calendar_tokens = sa.Table(
    "calendar_tokens",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("owner", sa.String(128), primary_key=True),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("created_at", Time, nullable=False),
)
