"""Escalation policies as operators write them in PagerDuty, and the plan frozen onto an incident."""

from dataclasses import dataclass, field
from datetime import timedelta

from incidents.severity import Severity
from incidents.timings import DEFAULT


@dataclass(frozen=True)
class Target:
    """Someone to page: a person (`user`) or a `team`, by name from the people file."""

    kind: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Level:
    """Targets paged together, and how long to wait for an acknowledgement before the next level."""

    targets: tuple[Target, ...]
    timeout: timedelta


@dataclass(frozen=True)
class EscalationPolicy:
    """Levels in order; after the last the policy repeats `repeat` more times."""

    levels: tuple[Level, ...]
    repeat: int = 0


@dataclass(frozen=True)
class UrgencyRules:
    """How severity changes escalation; the defaults are the seed's rules."""

    # These severities also page the policy's last level (the SRE manager) at once.
    page_last_level_at_once: frozenset[Severity] = frozenset({Severity.SEV1})
    # These escalate one level when still unresolved this long after triggering, acknowledged or not.
    escalate_unresolved_after: dict[Severity, timedelta] = field(
        default_factory=lambda: {Severity.SEV2: timedelta(minutes=30)}
    )
    # Low urgency: an incident and a timeline entry, never a phone page.
    low_urgency: frozenset[Severity] = frozenset({Severity.SEV4})


@dataclass(frozen=True)
class Plan:
    """Everything escalation needs, copied onto an incident when it opens and never changed after."""

    policy: EscalationPolicy
    rules: UrgencyRules = field(default_factory=UrgencyRules)
    # An acknowledged incident returns to triggered after this long; None turns it off.
    ack_timeout: timedelta | None = DEFAULT.ack_timeout

    def as_data(self) -> dict:
        """A plain, JSON-ready copy."""
        return {
            "repeat": self.policy.repeat,
            "levels": [
                {"targets": [{t.kind: t.name} for t in level.targets], "timeout_seconds": level.timeout.total_seconds()}
                for level in self.policy.levels
            ],
            "ack_timeout_seconds": self.ack_timeout.total_seconds() if self.ack_timeout else None,
            "page_last_level_at_once": sorted(s.name for s in self.rules.page_last_level_at_once),
            "escalate_unresolved_after": {
                s.name: d.total_seconds() for s, d in self.rules.escalate_unresolved_after.items()
            },
            "low_urgency": sorted(s.name for s in self.rules.low_urgency),
        }

    @classmethod
    def from_data(cls, data: dict) -> "Plan":
        """The plan back from `as_data`."""
        levels = tuple(
            Level(
                tuple(Target(*next(iter(t.items()))) for t in level["targets"]),
                timedelta(seconds=level["timeout_seconds"]),
            )
            for level in data["levels"]
        )
        rules = UrgencyRules(
            frozenset(Severity[s] for s in data.get("page_last_level_at_once", ["SEV1"])),
            {Severity[s]: timedelta(seconds=v) for s, v in data.get("escalate_unresolved_after", {}).items()},
            frozenset(Severity[s] for s in data.get("low_urgency", ["SEV4"])),
        )
        ack = data.get("ack_timeout_seconds", DEFAULT.ack_timeout.total_seconds())
        return cls(EscalationPolicy(levels, data.get("repeat", 0)), rules, timedelta(seconds=ack) if ack else None)
