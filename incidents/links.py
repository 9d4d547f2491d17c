"""One-click acknowledgement links: signed, bound to incident, target and action, expiring."""

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from incidents.escalation import ACKNOWLEDGED, RESOLVED

SALT = "incident-ack-link"


@dataclass(frozen=True)
class Link:
    """What a link lets its holder do, once."""

    incident_id: int
    target: str
    action: str
    page_id: int


class LinkOutcome(enum.StrEnum):
    """What following a link came to."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"  # someone was faster: the link stays usable
    USED = "used"
    RESOLVED = "resolved"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    INVALID = "invalid"


def outcome(status: str | None, *, used: bool) -> LinkOutcome:
    """What using a link does, from its incident's status (None: no such incident) and whether the link
    was used; ACKNOWLEDGED means: claim the link and acknowledge."""
    if status is None:
        return LinkOutcome.UNKNOWN
    if status == RESOLVED:
        return LinkOutcome.RESOLVED
    if used:
        return LinkOutcome.USED
    if status == ACKNOWLEDGED:
        return LinkOutcome.ALREADY_ACKNOWLEDGED
    return LinkOutcome.ACKNOWLEDGED


def preview(status: str | None, *, used: bool) -> LinkOutcome | None:
    """What opening a link shows instead of the Acknowledge button, or None to offer the button; a used
    link says so before the incident's status does."""
    if status is not None and used:
        return LinkOutcome.USED
    found = outcome(status, used=used)
    return None if found == LinkOutcome.ACKNOWLEDGED else found


class ExpiredLink(Exception):
    """The link is older than its maximum age."""


class InvalidLink(Exception):
    """The link was altered or was not signed with our key."""


def sign(link: Link, secret_key: str, *, now: datetime | None = None) -> str:
    """The token for a link's URL, stamped with `now` (default: the current time)."""
    data = {"i": link.incident_id, "t": link.target, "a": link.action, "p": link.page_id}
    return _serializer(secret_key, now).dumps(data)


def verify(token: str, secret_key: str, *, max_age: int, now: datetime) -> Link:
    """The link a token stands for, if signed at most `max_age` seconds before `now`; else raises
    ExpiredLink or InvalidLink."""
    try:
        # No max_age here: itsdangerous would compare with its own clock, not with `now`.
        data, signed_at = _serializer(secret_key).loads(token, return_timestamp=True)
    except BadSignature:
        raise InvalidLink() from None
    if (now - signed_at).total_seconds() > max_age:
        raise ExpiredLink()
    try:
        return Link(int(data["i"]), str(data["t"]), str(data["a"]), int(data["p"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidLink() from None


def link_id(token: str) -> str:
    """What is recorded when a link is used, so that it works once."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _serializer(secret_key: str, now: datetime | None = None) -> URLSafeTimedSerializer:
    if now is None:
        return URLSafeTimedSerializer(secret_key, salt=SALT)
    stamp = int(now.timestamp())

    class SignedAt(TimestampSigner):
        """A signer whose clock reads `now`."""

        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=SignedAt)
