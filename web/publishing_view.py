"""What the incident page says of the public status page: whether the incident is on it, and why."""

from datetime import datetime

from incidents.lifecycle import Lifecycle
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.status_page import published


def publishing_view(row, lc: Lifecycle, catalog: Catalog, now: datetime) -> dict:
    """`public`: one of its services is a status page component; `shown`: on the page now; `says`: why;
    `rule_at`: when the `auto_publish` rule will publish it (no person chose yet)."""
    rule, severity = catalog.status_page.auto_publish, Severity(row.severity)
    public = bool({c.service for c in catalog.components}.intersection((row.service, *lc.affected)))
    shown = published(lc.published, severity, row.opened_at, row.resolved_at, rule, now)
    rule_at = rule.at(severity, row.opened_at) if rule is not None and lc.published is None else None
    return {"public": public, "shown": public and shown, "says": _says(lc.published, shown, rule_at, severity)}


def _says(choice: bool | None, shown: bool, rule_at: datetime | None, severity: Severity) -> str:
    if choice is True:
        return "On the status page: a person published it."
    if choice is False:
        return "Not on the status page: a person took it off."
    if shown:
        return f"On the status page: {severity.name} incidents go there on their own."
    if rule_at is not None:
        return f"Not on the status page yet: {severity.name} incidents go there on their own at {rule_at:%H:%M} UTC."
    return "Not on the status page: publish it, or post a public update."
