"""Services: where alerts are routed, who may send them, and how they escalate."""

import functools
from dataclasses import dataclass, field
from datetime import timedelta

from incidents.chat import ChatConfig
from incidents.noise import PageBudget
from incidents.policy import EscalationPolicy, Plan, Target, UrgencyRules
from incidents.schedules import Schedule
from incidents.severity import SeverityRules
from incidents.status_page import Component, PageSettings
from incidents.targets import Targets
from incidents.timings import DEFAULT


@dataclass(frozen=True)
class Credentials:
    """What a sender must present to deliver alerts to a service."""

    bearer_tokens: tuple[str, ...] = ()
    basic_auth: tuple[tuple[str, str], ...] = ()
    integration_keys: tuple[str, ...] = ()
    # Grafana's webhook HMAC: secrets (two during a rotation), and the header of the timestamp it signs too.
    grafana_hmac_secrets: tuple[str, ...] = ()
    grafana_timestamp_header: str | None = None


@dataclass(frozen=True)
class Service:
    """A service as configured: routing matchers, credentials, policy and severity rules."""

    name: str
    escalation_policy: EscalationPolicy
    routes: tuple[dict[str, str], ...] = ()
    credentials: Credentials = field(default_factory=Credentials)
    severity: SeverityRules = field(default_factory=SeverityRules)
    default: bool = False
    urgency: UrgencyRules = field(default_factory=UrgencyRules)
    ack_timeout: timedelta | None = DEFAULT.ack_timeout
    # Paged when a target has no routing key of its own.
    fallback_routing_key: str = ""
    # Phase and response targets, status-update cadence (config `lifecycle:`).
    targets: Targets = field(default_factory=Targets)
    # Where the service's incidents are told in chat (config `chat:`); None: nowhere.
    chat: ChatConfig | None = None
    # Page only incidents still firing this long after they opened (config `flap_hold:`); None: at once.
    flap_hold: timedelta | None = None
    # Pages one target may receive before further ones are summarised (config `page_budget:`); None: no limit.
    page_budget: PageBudget | None = None

    @property
    def plan(self) -> Plan:
        """The escalation plan an incident of this service copies when it opens."""
        return Plan(self.escalation_policy, self.urgency, self.ack_timeout)

    @functools.cached_property
    def plan_data(self) -> dict:
        """The plan as JSON-ready data, built once: intake offers it with every upsert."""
        return self.plan.as_data()

    def matches(self, labels: dict[str, str]) -> bool:
        """True when every label of any one of the service's matchers is present and equal."""
        return any(all(labels.get(k) == v for k, v in route.items()) for route in self.routes)


@dataclass(frozen=True)
class Person:
    """Someone who can be paged, with their PagerDuty routing key."""

    name: str
    routing_key: str
    email: str = ""
    title: str = ""  # shown after the name in the incident channel, e.g. "SRE"
    time_zone: str = "UTC"  # of the tz database: their calendar, /me and notices show times in it


@dataclass(frozen=True)
class Team:
    """A group paged as one, through its own PagerDuty routing key."""

    name: str
    routing_key: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The whole configuration: services in routing order, people and teams, on-call schedules."""

    services: tuple[Service, ...]
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    # API token -> the name the timeline shows for whoever used it.
    api_tokens: dict[str, str] = field(default_factory=dict)
    # Secrets of PagerDuty V3 webhook subscriptions (several during rotation).
    webhook_secrets: tuple[str, ...] = ()
    # How long before a problem started a change is a rollback candidate (config `changes.rollback_window`).
    rollback_window: timedelta = timedelta(hours=1)
    # The public status page: its settings and the services shown on it, in services.yaml's order.
    status_page: PageSettings = field(default_factory=PageSettings)
    components: tuple[Component, ...] = ()
    # Who is on call (config/schedules.yaml), by name.
    schedules: dict[str, Schedule] = field(default_factory=dict)

    @property
    def default_service(self) -> Service:
        """The service that takes alerts no matcher claims."""
        return next(service for service in self.services if service.default)

    def targets_for(self, name: str) -> Targets:
        """The lifecycle targets of a service (the defaults for one no longer configured)."""
        return next((s.targets for s in self.services if s.name == name), Targets())

    def flap_hold_of(self, name: str) -> timedelta | None:
        """The flap hold of a service (None for one without, or no longer configured)."""
        return next((s.flap_hold for s in self.services if s.name == name), None)

    def budget_of(self, name: str) -> PageBudget | None:
        """The page budget of a service (None: no limit, or no longer configured)."""
        return next((s.page_budget for s in self.services if s.name == name), None)

    def chat_of(self, name: str) -> ChatConfig | None:
        """The chat of a service (None for one without, or no longer configured)."""
        return next((s.chat for s in self.services if s.name == name), None)

    def label_of(self, person: str) -> str:
        """What the channel shows after a person's name: their title, else their first team."""
        found = self.people.get(person)
        if found and found.title:
            return found.title
        return next((team.name for team in self.teams.values() if person in team.members), "")

    def service(self, name: str) -> Service:
        """The service called `name`; KeyError if there is none."""
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def routing_key(self, target: Target, service: Service) -> str:
        """The PagerDuty routing key that pages `target`, else the service's fallback ("" if none)."""
        if target.kind == "fallback":  # nobody on call on any level (incidents.oncall)
            return service.fallback_routing_key
        found = (self.people if target.kind == "user" else self.teams).get(target.name)
        return (found.routing_key if found else "") or service.fallback_routing_key

    def route(self, labels: dict[str, str]) -> Service:
        """The first service whose matchers fit the labels, else the default service."""
        return next((s for s in self.services if s.matches(labels)), self.default_service)
