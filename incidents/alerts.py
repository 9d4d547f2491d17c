"""Alerts as every source is normalised to, and how a request's alerts become batches."""

from dataclasses import dataclass, field
from datetime import datetime

FIRING = "firing"
RESOLVED = "resolved"


@dataclass(frozen=True)
class Alert:
    """One normalised alert. `fingerprint` identifies it within its service."""

    fingerprint: str
    group_key: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str = ""
    # True when the whole group is reported resolved (Alertmanager group status, PagerDuty resolve).
    group_resolved: bool = False


@dataclass(frozen=True)
class AlertBatch:
    """The alerts of one request that belong to one (service, group): they become one incident."""

    service: str
    group_key: str
    alerts: tuple[Alert, ...]
    group_resolved: bool
    # How many times each alert came, when repeats were folded into this batch (incidents.folding); else once.
    received: dict[str, int] = field(default_factory=dict)

    def times(self, fingerprint: str) -> int:
        """How many times the alert came in this batch."""
        return self.received.get(fingerprint, 1)

    @property
    def firing(self) -> bool:
        """Whether any alert of the batch fires, so an incident must be open for it."""
        return any(alert.status == FIRING for alert in self.alerts)


def batches(alerts: list[Alert], service_of) -> list[AlertBatch]:
    """Split alerts by (service, group); a repeated fingerprint keeps its last copy.

    Batches come sorted by (service, group) and alerts by fingerprint, so concurrent
    requests lock rows in one order.
    """
    grouped: dict[tuple[str, str], dict[str, Alert]] = {}
    resolved: dict[tuple[str, str], bool] = {}
    for alert in alerts:
        key = (service_of(alert), alert.group_key)
        grouped.setdefault(key, {})[alert.fingerprint] = alert
        resolved[key] = resolved.get(key, False) or alert.group_resolved
    return [
        AlertBatch(service, group, tuple(by_fp[fp] for fp in sorted(by_fp)), resolved[(service, group)])
        for (service, group), by_fp in sorted(grouped.items())
    ]
