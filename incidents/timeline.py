"""What one request changed on an incident, and the timeline entries that tell it."""

from dataclasses import dataclass, field

from incidents.severity import Severity


@dataclass(frozen=True)
class Entry:
    """One line on an incident's timeline."""

    kind: str
    message: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AlertChange:
    """An alert whose state moved: `joined`, `resolved` or `refired`."""

    kind: str
    fingerprint: str
    summary: str


@dataclass(frozen=True)
class IncidentChange:
    """Everything one batch did to one incident; repeats leave it empty."""

    opened: bool = False
    alerts: tuple[AlertChange, ...] = ()
    severity_before: Severity | None = None
    severity_after: Severity | None = None


def changes_incident(
    *, numbered: bool, group_resolved: bool, firing: Severity | None, severity: Severity, alerts: int
) -> bool:
    """Whether a batch, once its alerts are stored, has more to do to its incident: open it (not numbered
    yet), resolve its group, raise its severity (`firing`, the batch's highest, above the incident's), or
    write alert changes (`alerts` of them) on its timeline. A batch of repeats does none."""
    raised = firing is not None and firing < severity
    return not numbered or group_resolved or raised or alerts > 0


# How an alert change reads on the timeline.
ALERT_WORDS = {"joined": "Alert firing", "resolved": "Alert resolved", "refired": "Alert firing again"}


def entries(change: IncidentChange, *, service: str) -> list[Entry]:
    """The timeline entries for a change, in the order they happened."""
    out = []
    if change.opened:
        out.append(
            Entry("opened", f"Incident opened for service {service}", {"severity": _name(change.severity_after)})
        )
    for alert in change.alerts:
        if change.opened and alert.kind == "joined":
            out.append(Entry("alert_firing", f"Alert firing: {alert.summary}", {"fingerprint": alert.fingerprint}))
            continue
        kind = {"joined": "alert_firing", "refired": "alert_firing", "resolved": "alert_resolved"}[alert.kind]
        out.append(Entry(kind, f"{ALERT_WORDS[alert.kind]}: {alert.summary}", {"fingerprint": alert.fingerprint}))
    if _rose(change):
        out.append(
            Entry(
                "severity_raised",
                f"Severity raised from {_name(change.severity_before)} to {_name(change.severity_after)}",
                {"from": _name(change.severity_before), "to": _name(change.severity_after)},
            )
        )
    return out


def _rose(change: IncidentChange) -> bool:
    return (
        not change.opened
        and change.severity_before is not None
        and change.severity_after is not None
        and change.severity_after < change.severity_before
    )


def _name(severity: Severity | None) -> str | None:
    return severity.name if severity is not None else None
