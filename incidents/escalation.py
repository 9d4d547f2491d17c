"""Escalation policies as operators write them in PagerDuty: ordered levels of targets."""
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Target:
    """Someone to page: a person (`user`) or a `team`, by name from the people file."""

    kind: str
    name: str


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

    def as_data(self) -> dict:
        """A plain, JSON-ready copy, frozen onto an incident when it opens."""
        return {
            "repeat": self.repeat,
            "levels": [
                {
                    "targets": [{target.kind: target.name} for target in level.targets],
                    "timeout_seconds": level.timeout.total_seconds(),
                }
                for level in self.levels
            ],
        }
