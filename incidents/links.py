"""One-click acknowledgement links: signed, bound to incident, target and action, expiring."""

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "incident-ack-link"


@dataclass(frozen=True)
class Link:
    """What a link lets its holder do, once."""

    incident_id: int
    target: str
    action: str
    page_id: int


class ExpiredLink(Exception):
    """The link is older than its maximum age."""


class InvalidLink(Exception):
    """The link was altered or was not signed with our key."""


def sign(link: Link, secret_key: str) -> str:
    """The token for a link's URL."""
    data = {"i": link.incident_id, "t": link.target, "a": link.action, "p": link.page_id}
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps(data)


def verify(token: str, secret_key: str, *, max_age: int) -> Link:
    """The link a token stands for; raises ExpiredLink or InvalidLink."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ExpiredLink() from None
    except BadSignature:
        raise InvalidLink() from None
    try:
        return Link(int(data["i"]), str(data["t"]), str(data["a"]), int(data["p"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidLink() from None


def link_id(token: str) -> str:
    """What is recorded when a link is used, so that it works once."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
