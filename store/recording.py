"""One batch of alerts on its way into the store: its alert rows and token, what the upsert did
(joined, refired, resolved, repeats), and what it left to catch up (commands.alerts runs it)."""

import hashlib
import random
from dataclasses import dataclass, field

from incidents import timeline as timeline_rules
from incidents.alerts import FIRING, AlertBatch
from store import alert_rows


@dataclass
class BatchOutcome:
    """What one batch did: the incident it went to and how many alerts were new, changed or repeats."""

    incident_number: int | None
    opened: bool = False
    resolved: bool = False
    new: int = 0
    changed: int = 0
    repeats: int = 0
    ignored: int = 0
    applied: list = field(default_factory=list)  # escalation decisions for the workers


class Recording:
    """One batch on its way in: its rows and token; once upserted (`land`), what changed and what the
    upsert left to catch up."""

    def __init__(self, batch: AlertBatch, service, source: str):
        self.batch, self.service, self.source = batch, service, source
        self.token = random.getrandbits(62)
        severities = {alert.fingerprint: service.severity.severity_of(alert.labels) for alert in batch.alerts}
        self.rows = [
            _alert_row(alert, severities[alert.fingerprint], batch.times(alert.fingerprint)) for alert in batch.alerts
        ]
        firing = [severities[a.fingerprint] for a in batch.alerts if a.status == FIRING]
        self.severity = min(firing) if firing else None  # the highest severity firing (SEV1 < SEV2)

    def upsert(self, conn, now) -> None:
        values = _incident_values(self.batch, self.service, self.source, self.severity)
        self.land(alert_rows.open_and_upsert(conn, values, self.rows, now=now, token=self.token))

    def land(self, upserted: alert_rows.Upserted) -> None:
        """Take the upsert's rows: the alerts this batch inserted or moved, and the repeats."""
        self.upserted, self.changes, self.repeats = upserted, [], 0
        for row in upserted.alerts:
            kind = _alert_change_kind(row, self.token)
            if kind is None:
                self.repeats += 1
            else:
                self.changes.append(timeline_rules.AlertChange(kind, row.fingerprint, row.summary))

    def outcome(self, *, opened=False, closed=False, number=None, extra=(), applied=()) -> BatchOutcome:
        changes = [*self.changes, *extra]
        return BatchOutcome(
            number or self.upserted.incident.number,
            opened,
            closed,
            new=sum(c.kind == "joined" for c in changes),
            changed=sum(c.kind != "joined" for c in changes),
            repeats=self.repeats,
            applied=list(applied),
        )


def _incident_values(batch, service, source, severity) -> dict:
    """What a new incident for the batch starts with (alert_rows.OPEN_INCIDENT's values)."""
    title = next(a.summary for a in batch.alerts if a.status == FIRING)
    return {
        "service": service.name,
        "group_key": batch.group_key,
        "group_hash": group_hash(batch.group_key),
        "severity": int(severity),
        "title": title[:1024],
        "source": source,
        "alerts": sum(batch.times(alert.fingerprint) for alert in batch.alerts),
        "policy": service.plan_data,
    }


def group_hash(group_key: str) -> str:
    """The key of the open-incident index: group keys can be longer than an index entry allows."""
    return hashlib.sha256(group_key.encode("utf-8")).hexdigest()


def _alert_change_kind(row, token):
    if row.insert_token == token:
        return "joined" if row.status == FIRING else "resolved"
    if row.change_token == token:
        return "refired" if row.status == FIRING else "resolved"
    return None


def _alert_row(alert, severity, times: int):
    return {
        "times": times,
        "fingerprint": alert.fingerprint,
        "status": alert.status,
        "severity": int(severity),
        "summary": alert.summary[:1024],
        "labels": alert.labels,
        "annotations": alert.annotations,
        "generator_url": alert.generator_url,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
    }
