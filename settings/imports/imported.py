"""What an import gives back (schedules, escalation policies) and what it tells its operator."""

import re
from dataclasses import dataclass, field

from marshmallow import Schema, ValidationError

from incidents.policy import EscalationPolicy
from incidents.schedules import Schedule
from settings.catalog import flatten_errors


class BadExport(Exception):
    """The export is not what the vendor's API answers; `problems` lists `field.path: reason` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Notes:
    """The source's users that match nobody in people.yaml, and what was dropped or approximated."""

    unmatched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str):
        self.warnings.append(text)


@dataclass
class Imported:
    """An export in our terms: schedules for schedules.yaml, policies to paste under a service."""

    schedules: list[Schedule]
    policies: list[tuple[str, EscalationPolicy]]  # the source's name of each, and the policy
    notes: Notes


def loaded(schema: Schema, export) -> dict:
    """The export as `schema` reads it, or BadExport naming each wrong field (`schedules[0].name: ...`)."""
    if not isinstance(export, dict):
        raise BadExport(["(file): one JSON object holding the lists the API answers"])
    try:
        return schema.load(export)
    except ValidationError as error:
        raise BadExport([f"{path}: {reason}" for path, reason in flatten_errors(error.messages)]) from None


class Users:
    """The source's users matched to people.yaml by email, ignoring case; each one that matches nobody is
    listed once in `notes.unmatched`."""

    def __init__(self, vendor: str, emails: dict[str, str], people, notes: Notes):
        self.vendor, self.emails, self.notes = vendor, emails, notes
        self.names = {person.email.lower(): person.name for person in people.values() if person.email}

    def name(self, user_id: str) -> str | None:
        """Our name for the source's user `user_id`, or None."""
        email = self.emails.get(user_id, "")
        name = self.names.get(email.lower()) if email else None
        if name is None:
            shown = f"{email or 'no email in the export'} ({self.vendor} user {user_id})"
            if shown not in self.notes.unmatched:
                self.notes.unmatched.append(shown)
        return name


def our_names(names: list[str]) -> list[str]:
    """Each source schedule's name as ours (`slug`), or BadExport when one gives none or two give the same."""
    problems, seen = [], {}
    for i, name in enumerate(names):
        ours = slug(name)
        if not ours:
            problems.append(f'schedules[{i}].name: "{name}" has no letter or digit to name a schedule by')
        elif ours in seen:
            problems.append(f'schedules[{i}].name: "{name}" and "{seen[ours]}" would both be named {ours}')
        seen.setdefault(ours, name)
    if problems:
        raise BadExport(problems)
    return [slug(name) for name in names]


def slug(name: str) -> str:
    """The source's name as ours: lowercased, each run of other characters one dash ("Imported Primary" ->
    "imported-primary"); no dash at either end, at most 64 characters."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].rstrip("-")
