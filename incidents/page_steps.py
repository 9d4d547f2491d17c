"""Which step of an incident a page is: a typed value, written once as the page's unique key.

A page happens once per incident, action, target and step (the `pages` table's unique key). The
step's kind is a column of its own (`pages.step_kind`), which is what the rules ask ("does an
acknowledgement spare it?", "is it a budget summary?"); the key is written from the value and never
parsed back.
"""

import enum
from dataclasses import dataclass


class StepKind(enum.StrEnum):
    """What a page is for; a str, stored as its value."""

    LEVEL = "level"  # a level of the policy, in a loop; `round` when paged again after an ack timeout
    AT_ONCE = "at_once"  # the severity rule's page to the last level at once (SEV1 tells the manager)
    UNRESOLVED = "unresolved"  # the "still unresolved after" rule's page
    RESPONDER = "responder"  # someone asked for by hand
    NOTICE = "notice"  # a lifecycle notice: a breach, a missed update, a post-mortem reminder
    REMINDER = "reminder"  # a follow-up's reminder to its owner
    SUMMARY = "summary"  # a page budget summary, about other incidents too


@dataclass(frozen=True)
class PageStep:
    """`loop`, `level` and `round` place a policy page; `name` names a notice (`breach:response`,
    `update0:miss1`), a reminder (`fu12r0:due`) or a summary (its period's epoch)."""

    kind: StepKind
    loop: int = 0
    level: int = 0
    round: int = 0
    name: str = ""

    @property
    def key(self) -> str:
        """The stored key (`0.1`, `1.0.r1`, `0.1.s`, `0.1.u`, `responder`, `breach:response`, `fu12r0:due`,
        `budget:<epoch>`): unique per incident, action and target, so a step is paged once."""
        placed = f"{self.loop}.{self.level}"
        return {
            StepKind.LEVEL: placed + (f".r{self.round}" if self.round else ""),
            StepKind.AT_ONCE: placed + ".s",
            StepKind.UNRESOLVED: placed + ".u",
            StepKind.RESPONDER: "responder",
            StepKind.NOTICE: self.name,
            StepKind.REMINDER: self.name,
            StepKind.SUMMARY: f"budget:{self.name}",
        }[self.kind]

    @property
    def dedup_suffix(self) -> str:
        """What sets the step's PagerDuty alert apart from the target's first page of the incident: a
        later loop, a round or a rule's page get a key of their own (PagerDuty folds a trigger into an
        open alert with the same key and notifies nobody); a notice or a reminder is an alert of its own."""
        if self.kind in (StepKind.NOTICE, StepKind.REMINDER):
            return "-" + self.name.replace(":", "-")
        if self.kind in (StepKind.RESPONDER, StepKind.SUMMARY):
            return ""
        rule = {StepKind.AT_ONCE: "-s", StepKind.UNRESOLVED: "-u"}.get(
            self.kind, f"-r{self.round}" if self.round else ""
        )
        return (f"-l{self.loop}" if self.loop else "") + rule


def level(loop: int, level_: int, round_: int = 0) -> PageStep:
    return PageStep(StepKind.LEVEL, loop, level_, round_)


def notice(name: str) -> PageStep:
    return PageStep(StepKind.NOTICE, name=name)


RESPONDER = PageStep(StepKind.RESPONDER)
