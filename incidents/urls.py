"""Every URL we send out or point senders at, built from the public base URL (settings `PUBLIC_URL`).

The routes they name are served by `ingest/` (and `web/`); workers and views build links here only,
so a route moves in one place.
"""

from datetime import datetime

from incidents import links

# The built-in stand-in for PagerDuty's Events API (api/local_pagerduty.py), for a first run.
LOCAL_PAGERDUTY_PATH = "/local-pagerduty"


def incident_url(base: str, number: int) -> str:
    """The incident's page for people: `https://incidents.example.com/incidents/INC-12`."""
    return f"{base}/incidents/INC-{number}"


def incident_list_url(base: str) -> str:
    """The incident list for people, open incidents first."""
    return f"{base}/incidents"


def ack_url(base: str, token: str) -> str:
    """A one-click acknowledgement link for a signed token (incidents.links.sign)."""
    return f"{base}/ack/{token}"


def page_ack_url(base: str, secret_key: str, page, *, signed_at: datetime | None = None) -> str:
    """The acknowledgement link of a trigger page (a row with id, incident_id, target_kind, target_name),
    signed now or at `signed_at` (the page sink's list shows a page's link as it was sent, valid as long)."""
    link = links.Link(page.incident_id, f"{page.target_kind}:{page.target_name}", "acknowledge", page.id)
    return ack_url(base, links.sign(link, secret_key, now=signed_at))


def local_pagerduty_url(base: str) -> str:
    """The events URL of the built-in local sink: PagerDuty's client appends `/v2/enqueue`."""
    return f"{base}{LOCAL_PAGERDUTY_PATH}"


def calendar_url(base: str, token: str) -> str:
    """A calendar feed (incidents.calendars): the token in it is its only credential."""
    return f"{base}/calendars/{token}.ics"
