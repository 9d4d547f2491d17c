"""Blameless wording: flag (warn, never block) what blames a person in a post-mortem, and say why.

A post-mortem asks what happened and how the system let it happen, not who: people who fear blame
hide what they know, and the next incident is then found later. Two checks: a person's name as the
subject of a sentence in the Root Cause, and phrases from a list (configurable: config/blameless.yaml).
"""

import re
from dataclasses import dataclass

from incidents.postmortem import section

WHY = "Blameless post-mortems focus on what happened and how, not on who."
# Phrase -> why it blames; the operator's list replaces it.
PHRASES = {
    "careless": "judges a person's care instead of describing the conditions that allowed the mistake",
    "should have": "hindsight: says what a person ought to have known, not what the system made easy or hard",
    "shouldn't have": "hindsight: judges a person's choice instead of asking why it looked right at the time",
    "fault of": "assigns fault to someone; describe the sequence of events instead",
    "negligent": "a charge against a person; describe the missing safeguard",
    "negligence": "a charge against a person; describe the missing safeguard",
    "human error": "names a person as the cause; ask which safeguard or signal was missing",
    "blame": "the goal is learning, not blame",
    "forgot to": "points at a person's memory; ask why the step depended on memory (checklist, automation)",
    "failed to notice": "points at a person; ask why the signal was easy to miss",
    "didn't bother": "judges a person's motives",
    "incompetent": "judges a person",
    "sloppy": "judges a person's work instead of the process that let it through",
    "stupid": "judges a person",
    "mistake by": "names who made the mistake; describe how it was possible",
    "caused by": "check that the cause is a system or a condition, not a person",
}


@dataclass(frozen=True)
class Flag:
    """One warning: the words found, where (section), and why they read as blame."""

    words: str
    section: str
    why: str


def flags(text: str, *, people, phrases: dict[str, str] | None = None) -> list[Flag]:
    """Every blaming phrase in the text and every person named as a subject in the Root Cause."""
    found = _phrases(text, PHRASES if phrases is None else phrases)
    return found + _subjects(section(text, "Root Cause"), people)


def _phrases(text: str, phrases: dict[str, str]) -> list[Flag]:
    out, current = [], ""
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            continue
        for phrase, why in phrases.items():
            # "caused by" only blames when a person follows; it is checked with the names below.
            if phrase != "caused by" and re.search(rf"\b{re.escape(phrase)}\b", line, re.IGNORECASE):
                out.append(Flag(phrase, current or "(top)", f"{why}. {WHY}"))
    return _unique(out)


def _subjects(root_cause: str, people) -> list[Flag]:
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", root_cause):
        for person in people:
            if _is_subject(sentence, person):
                why = f"names {person} as the cause; say what the system did and why it allowed it. {WHY}"
                out.append(Flag(person, "Root Cause", why))
    return _unique(out)


def _is_subject(sentence: str, person: str) -> bool:
    """The person starts the sentence (or its clause after because/when/since), or follows "caused by"."""
    name = rf"@?{re.escape(person)}(?:'s)?\b"
    opening = rf"^(?:[-*]\s+)?(?:(?:because|when|since|as|then)\s+)?{name}"
    middle = rf"(?:,\s*(?:because|when|since|and|but)|\bcaused by|\bdue to|\bbecause)\s+{name}"
    return bool(re.search(opening, sentence.strip(), re.IGNORECASE) or re.search(middle, sentence, re.IGNORECASE))


def _unique(found: list[Flag]) -> list[Flag]:
    return list(dict.fromkeys(found))
