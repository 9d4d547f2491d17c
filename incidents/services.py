"""Services: where alerts are routed, who may send them, and how they escalate."""
from dataclasses import dataclass, field

from incidents.escalation import EscalationPolicy
from incidents.severity import SeverityRules


@dataclass(frozen=True)
class Credentials:
    """What a sender must present to deliver alerts to a service."""

    bearer_tokens: tuple[str, ...] = ()
    basic_auth: tuple[tuple[str, str], ...] = ()
    integration_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """A service as configured: routing matchers, credentials, policy and severity rules."""

    name: str
    escalation_policy: EscalationPolicy
    routes: tuple[dict[str, str], ...] = ()
    credentials: Credentials = field(default_factory=Credentials)
    severity: SeverityRules = field(default_factory=SeverityRules)
    default: bool = False

    def matches(self, labels: dict[str, str]) -> bool:
        """True when every label of any one of the service's matchers is present and equal."""
        return any(all(labels.get(k) == v for k, v in route.items()) for route in self.routes)


@dataclass(frozen=True)
class Person:
    """Someone who can be paged, with their PagerDuty routing key."""

    name: str
    routing_key: str
    email: str = ""


@dataclass(frozen=True)
class Team:
    """A group paged as one, through its own PagerDuty routing key."""

    name: str
    routing_key: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The whole configuration: services in routing order, people and teams."""

    services: tuple[Service, ...]
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)

    @property
    def default_service(self) -> Service:
        """The service that takes alerts no matcher claims."""
        return next(service for service in self.services if service.default)

    def service(self, name: str) -> Service:
        """The service called `name`; KeyError if there is none."""
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def route(self, labels: dict[str, str]) -> Service:
        """The first service whose matchers fit the labels, else the default service."""
        return next((s for s in self.services if s.matches(labels)), self.default_service)

