"""The public status page, decided: component states, which incidents show, maintenance phases, and the
document in Atlassian Statuspage's JSON shape (docs/contracts-more.md, "Status page JSON") that the
page, `/status.json` and the Atom feed are all rendered from.

Nothing written for responders reaches it: incident titles, alert labels, notes and private updates
stay inside. A public incident is named from its components and impact ("Partial outage of Payments")
and says only what its public updates say.

What reaches it is a person's choice or the operator's rule: an incident is published when a person
publishes it (or posts a public update) and taken off when a person unpublishes it; without a choice,
only the severities `auto_publish` names, once open its `after` (`published`). A component's state
comes from the incidents shown only: a SEV3 that flapped for 4 s never shows as degraded performance.
"""

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from incidents.severity import Severity


class State(enum.StrEnum):
    """A component's state, with Statuspage's values; declared from best to worst."""

    OPERATIONAL = "operational"
    MAINTENANCE = "under_maintenance"
    DEGRADED = "degraded_performance"
    PARTIAL = "partial_outage"
    MAJOR = "major_outage"

    @property
    def label(self) -> str:
        """What the page says: `Partial outage`."""
        return self.value.replace("_", " ").capitalize()

    @property
    def rank(self) -> int:
        return list(State).index(self)


# Decided here: an open incident's severity sets its components' state. SEV4 (low urgency, no page)
# leaves a component operational.
STATE_OF_SEVERITY = {
    Severity.SEV1: State.MAJOR,
    Severity.SEV2: State.PARTIAL,
    Severity.SEV3: State.DEGRADED,
    Severity.SEV4: State.OPERATIONAL,
}
# Statuspage's incident impact for each severity.
IMPACT_OF_SEVERITY = {Severity.SEV1: "critical", Severity.SEV2: "major", Severity.SEV3: "minor", Severity.SEV4: "none"}
# The page's indicator and summary line, by its worst component (Statuspage's wording).
INDICATOR = {
    State.OPERATIONAL: ("none", "All Systems Operational"),
    State.MAINTENANCE: ("none", "Service Under Maintenance"),
    State.DEGRADED: ("minor", "Minor Service Outage"),
    State.PARTIAL: ("major", "Partial System Outage"),
    State.MAJOR: ("critical", "Major System Outage"),
}


@dataclass(frozen=True)
class AutoPublish:
    """`auto_publish: {severities: [SEV1], after: 5 minutes}`: incidents of these severities reach the page
    once open this long, unless a person chose otherwise."""

    severities: frozenset[Severity]
    after: timedelta

    def at(self, severity: Severity, opened_at: datetime) -> datetime | None:
        """When an incident of `severity` opened at `opened_at` is published by the rule; None: never."""
        return opened_at + self.after if severity in self.severities else None


@dataclass(frozen=True)
class PageSettings:
    """Top-level `status_page:` of services.yaml; without `auto_publish` only a person publishes."""

    title: str = "Status"
    history_days: int = 14
    auto_publish: AutoPublish | None = None


@dataclass(frozen=True)
class Component:
    """A service marked public (`status_page: {public: true}`), in the order of services.yaml."""

    service: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class PublicUpdate:
    """A status update its author published to the status page."""

    id: int
    status_word: str  # Investigating, Identified, Monitoring, Resolved
    text: str
    at: datetime


@dataclass(frozen=True)
class IncidentFacts:
    """What the status page may know of an incident: no title, no labels, no private update."""

    number: int
    services: tuple[str, ...]  # its service and the services marked affected
    severity: Severity
    opened_at: datetime
    resolved_at: datetime | None
    status_word: str
    updates: tuple[PublicUpdate, ...] = ()  # oldest first
    published: bool | None = None  # a person's choice (Lifecycle.published); None: the rule decides


@dataclass(frozen=True)
class Override:
    """A component's state set by hand, with who, when and why; it wins over incidents until cleared."""

    service: str
    state: State
    reason: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Maintenance:
    """Announced maintenance of some services."""

    id: int
    title: str
    services: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class Facts:
    """Everything the snapshot is built from, as read from the database at one moment."""

    incidents: tuple[IncidentFacts, ...] = ()
    overrides: dict[str, Override] = field(default_factory=dict)
    maintenances: tuple[Maintenance, ...] = ()


def maintenance_status(maintenance: Maintenance, now: datetime) -> str:
    """`scheduled` before its start, `in_progress` from its start, `completed` from its end."""
    if now < maintenance.starts_at:
        return "scheduled"
    return "in_progress" if now < maintenance.ends_at else "completed"


def history_start(page: PageSettings, now: datetime) -> datetime:
    """The oldest resolution (or maintenance end) still shown: exactly `history_days` ago is shown."""
    return now - timedelta(days=page.history_days)


def published(
    choice: bool | None,
    severity: Severity,
    opened_at: datetime,
    resolved_at: datetime | None,
    rule: AutoPublish | None,
    now: datetime,
) -> bool:
    """A person's choice wins (True: published, False: taken off); without one, the operator's rule: of its
    severities, once open `after` (an incident resolved sooner never reached the page). The rule reads the
    current severity: a person who wants a lowered incident kept on the page publishes it."""
    if choice is not None:
        return choice
    due = rule.at(severity, opened_at) if rule is not None else None
    return due is not None and due <= (resolved_at or now)


def is_shown(incident: IncidentFacts, components: tuple[Component, ...], page: PageSettings, now: datetime) -> bool:
    """On a public service, published, and open or resolved within the history window."""
    public = {c.service for c in components}
    if not public.intersection(incident.services):
        return False
    rule = page.auto_publish
    if not published(incident.published, incident.severity, incident.opened_at, incident.resolved_at, rule, now):
        return False
    return incident.resolved_at is None or incident.resolved_at >= history_start(page, now)


def component_state(component: Component, facts: Facts, now: datetime) -> State:
    """Its override; else the worst of its open incidents and maintenance in progress; else operational.
    `facts` holds the incidents shown (status_document.build): one not published leaves no trace."""
    override = facts.overrides.get(component.service)
    if override is not None:
        return override.state
    states = [
        STATE_OF_SEVERITY[incident.severity]
        for incident in facts.incidents
        if incident.resolved_at is None and component.service in incident.services
    ]
    states += [
        State.MAINTENANCE
        for maintenance in facts.maintenances
        if component.service in maintenance.services and maintenance_status(maintenance, now) == "in_progress"
    ]
    return max(states, key=lambda state: state.rank, default=State.OPERATIONAL)
