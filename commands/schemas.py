"""What a person's action on an incident takes, one marshmallow schema per command: the API loads its
JSON body with it and the web pages their form, so both refuse the same input with the same message
(and /openapi.json documents it)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from commands.fields import Text, Timestamp
from incidents.lifecycle import ROLES, Phase, StatusWord
from incidents.severity import Severity

# What /openapi.json offers; Severity.parse and StatusWord.parse take other spellings too (P1, sev-1, identified).
SEVERITIES = {"enum": [s.name for s in Severity], "description": "SEV1..SEV4 (P1..P5 and sev-1 are read too)"}
STATUS_WORDS = {"enum": [w.value for w in StatusWord]}
PHASES = {"enum": [p.value for p in Phase]}


class Choice(fields.Field):
    """A value parsed by `parse` (Severity.parse, StatusWord.parse, Phase): its ValueError is the field's error."""

    def __init__(self, parse, **kwargs):
        super().__init__(**kwargs)
        self.parse = parse

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return self.parse(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def at_most(most: int):
    """A length limit whose refusal says how long the text is: the web forms and the API refuse longer text with
    these words, and never cut it."""

    def check(value) -> None:
        if len(value) > most:
            raise ValidationError(f"At most {most:,} characters: this has {len(value):,}. Shorten it.")

    return check


class Words(Text):
    """Text a person writes: surrounding blanks dropped, then `missing` is the answer when nothing is left."""

    def __init__(self, missing: str, *, most: int, **kwargs):
        super().__init__(validate=[validate.Length(min=1, error=missing), at_most(most)], **kwargs)
        self.error_messages["required"] = missing
        self.most = most

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def words(missing: str, most: int = 10_000, **kwargs) -> Words:
    return Words(missing, most=most, required=True, **kwargs)


class CatalogSchema(Schema):
    """A schema whose `PEOPLE` fields must name a person of people.yaml and whose `SERVICES` fields a
    service of services.yaml, in the `catalog` it is given (both faces give theirs)."""

    PEOPLE: tuple[str, ...] = ()
    SERVICES: tuple[str, ...] = ()

    def __init__(self, *, catalog=None, **kwargs):
        super().__init__(**kwargs)
        self.catalog = catalog

    @validates_schema(skip_on_field_errors=False)  # named with the other fields' errors, all at once
    def named_are_known(self, data, **kwargs):
        if self.catalog is None:
            return
        services = {service.name for service in self.catalog.services}
        unknown = {}
        for field, known, where in ((self.PEOPLE, self.catalog.people, "person"), (self.SERVICES, services, "service")):
            for name in field:
                value = data.get(name)
                if value is not None and value not in known:
                    unknown[name] = [f'no {where} called "{value}" in {where_file(where)}']
        if unknown:
            raise ValidationError(unknown)


def where_file(kind: str) -> str:
    return "people.yaml" if kind == "person" else "services.yaml"


def person(**kwargs) -> Text:
    return Text(validate=validate.Length(1, 128, error="Choose a person."), **kwargs)


class DeclareSchema(CatalogSchema):
    PEOPLE = ("commander",)
    SERVICES = ("service",)
    title = words("Give the incident a title.", 1024)
    service = Text(required=True, validate=validate.Length(1, 128, error="Choose a service."))
    severity = Choice(Severity.parse, required=True, metadata=SEVERITIES)
    impact = Text(load_default="", validate=at_most(10_000))
    found_by = Text(load_default="", validate=at_most(1000))
    started_at = Timestamp(load_default=None)
    # Who commands it from the start (the web form offers the person declaring); none: nobody yet.
    commander = person(load_default=None, allow_none=True)


class CommandSchema(CatalogSchema):
    PEOPLE = ("person",)
    person = person(required=True)


class HandoverSchema(CatalogSchema):
    PEOPLE = ("to",)
    to = person(required=True)


class RoleSchema(CatalogSchema):
    PEOPLE = ("person",)
    role = Text(required=True, validate=validate.OneOf(ROLES, error=f"Choose a role: {', '.join(ROLES)}."))
    person = person(required=True, allow_none=True)


class SeveritySchema(Schema):
    severity = Choice(Severity.parse, required=True, metadata=SEVERITIES)
    reason = words("Say why the severity changes.", 1000)


class StatusSchema(Schema):
    status = Choice(StatusWord.parse, required=True, metadata=STATUS_WORDS)
    impact = Text(validate=at_most(10_000))
    phase = Choice(Phase, metadata=PHASES)
    affected = fields.List(Text(validate=validate.Length(1, 128)), validate=validate.Length(1, 50))


class UpdateSchema(Schema):
    status = Choice(StatusWord.parse, required=True, metadata=STATUS_WORDS)
    text = words("Write what the update says.")
    eta = Text(load_default="", validate=at_most(64))
    # Ticked "publish to status page": shown on /status; never otherwise.
    public = fields.Boolean(load_default=False)


class NoteSchema(Schema):
    text = words("Write the note.")
    pinned = fields.Boolean(load_default=False)


class PinSchema(Schema):
    pinned = fields.Boolean(load_default=True)


class ActionSchema(Schema):
    text = Words("Write the action.", most=1000)
    playbook = fields.Boolean(load_default=False)

    @validates_schema
    def text_or_playbook(self, data, **kwargs):
        if bool(data.get("text")) == data["playbook"]:
            raise ValidationError("Write the action (or ask for the playbook's mitigation prompts).", "text")


class ActionChangeSchema(CatalogSchema):
    PEOPLE = ("assignee",)
    done = fields.Boolean()
    assignee = person(allow_none=True)


def field_messages(error: ValidationError) -> dict[str, str]:
    """Every wrong field with its first message, as a form shows them next to each field at once (`_schema`:
    the form's as a whole)."""
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return {field: first_message(ValidationError(found)) for field, found in messages.items()}


def first_message(error: ValidationError) -> str:
    """The first thing wrong, as a person reads it: the field's own words."""
    messages = error.messages
    while isinstance(messages, dict):
        messages = next(iter(messages.values()))
    while isinstance(messages, list):
        messages = messages[0]
    return str(messages)


class OverrideSchema(CatalogSchema):
    """`{"user": "dave", "start": "...Z", "end": "...Z"}`: dave on call instead of the layers' person."""

    PEOPLE = ("user",)
    user = person(required=True)
    start = Timestamp(required=True)
    end = Timestamp(required=True)


class CoverAskSchema(CatalogSchema):
    """`{"user": "alice", "start": "...Z", "end": "...Z", "note": "..."}`: alice asks to be covered then."""

    PEOPLE = ("user",)
    user = person(required=True)
    start = Timestamp(required=True)
    end = Timestamp(required=True)
    note = Text(validate=validate.Length(max=1000, error="At most 1000 characters."), load_default="")


class TakeSchema(CatalogSchema):
    """`{"user": "dave"}`: dave on call from now until the end of the current shift ("I'll take it from here"),
    or for the time of a cover request he takes."""

    PEOPLE = ("user",)
    user = person(required=True)


class ReopenSchema(Schema):
    """`{"reason": "..."}`: why a resolved incident is back (on the timeline)."""

    reason = words("Say why the incident is reopened.", 1000)
