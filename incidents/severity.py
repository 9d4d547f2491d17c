"""Severities SEV1..SEV4 and the rules that derive one from an alert's labels."""

import enum
import re
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Lower is worse: SEV1 is the whole site down."""

    SEV1 = 1
    SEV2 = 2
    SEV3 = 3
    SEV4 = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """`SEV1`, `sev-1`, `P1` or `1`; raises ValueError for anything else."""
        match = _EXPLICIT.fullmatch(str(text).strip())
        if not match:
            raise ValueError(f"{text!r} is not a severity (SEV1..SEV4)")
        return cls(min(int(match.group(1)), 4))


# An explicit level in a label wins over the word map: SEV1, sev-2, P1 (P5 counts as SEV4).
_EXPLICIT = re.compile(r"(?:sev[-_ ]?|p)?([1-5])", re.IGNORECASE)

DEFAULT_WORDS = {
    "critical": Severity.SEV2,
    "error": Severity.SEV2,
    "major": Severity.SEV2,
    "warning": Severity.SEV3,
    "minor": Severity.SEV3,
    "info": Severity.SEV4,
}


@dataclass(frozen=True)
class SeverityRules:
    """Which labels to read, how their words map, and what an unknown value gets."""

    labels: tuple[str, ...] = ("severity", "priority")
    words: dict[str, Severity] = field(default_factory=lambda: dict(DEFAULT_WORDS))
    default: Severity = Severity.SEV3

    def severity_of(self, labels: dict[str, str]) -> Severity:
        """The severity of an alert with these labels."""
        values = [labels[name] for name in self.labels if name in labels]
        for value in values:
            if _EXPLICIT.fullmatch(value.strip()):
                return Severity.parse(value)
        for value in values:
            if value.strip().lower() in self.words:
                return self.words[value.strip().lower()]
        return self.default


def after_alerts(before: Severity, firing: Severity | None) -> Severity:
    """An incident's severity once alerts that count fire at `firing` (None: none does): alerts only raise it
    (a person may lower it; incidents.lifecycle.counts_after_choice says which alerts count after that)."""
    return min(before, firing) if firing is not None else before
