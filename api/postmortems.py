"""The post-mortem through the API: read and save its text, publish it, skip it. Every call presents an API
token; the actor is `api:<token name>`."""

from datetime import UTC, datetime

from flask import g
from marshmallow import Schema, fields, validate

from commands import postmortems as commands
from commands.fields import Text
from incidents import blame, postmortem
from incidents.references import incident_number
from ingest.documented import ACTION_ERRORS, API_AUTH, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from settings.blameless import blame_phrases
from store import postmortems as store

bp = api_blueprint("postmortem_api", __name__, url_prefix="/api/incidents/<incident_ref>/postmortem")
# Published or skipped already: 409.
CHANGED = operation(security=API_AUTH, errors=(*ACTION_ERRORS, 409))


class TextSchema(Schema):
    text = Text(required=True, validate=validate.Length(1, 200_000))


class PublishSchema(Schema):
    text = Text(validate=validate.Length(1, 200_000))


class SkipSchema(Schema):
    reason = Text(required=True, validate=validate.Length(1, 2000))


class Version(Schema):
    id = fields.Integer(required=True)
    author = fields.String(required=True)
    at = fields.String(required=True, metadata={"format": "date-time"})


class BlameWarning(Schema):
    words = fields.String(required=True)
    section = fields.String(required=True, allow_none=True)
    why = fields.String(required=True)


class ActionItem(Schema):
    text = fields.String(required=True)
    done = fields.Boolean(required=True)
    owner = fields.String(required=True, allow_none=True)
    due = fields.String(required=True, allow_none=True, metadata={"format": "date"})


class Postmortem(Schema):
    incident = fields.String(required=True, metadata={"example": "INC-42"})
    state = fields.String(required=True)
    due_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    skip_reason = fields.String(required=True, allow_none=True)
    published_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    published_by = fields.String(required=True, allow_none=True)
    text = fields.String(required=True)
    versions = fields.List(fields.Nested(Version), required=True)
    blame_warnings = fields.List(fields.Nested(BlameWarning), required=True)
    action_items = fields.List(fields.Nested(ActionItem), required=True)
    action_item_problems = fields.List(fields.String(), required=True)


@bp.get("")
@bp.response(200, Postmortem)
@operation(security=API_AUTH, errors=READ_ERRORS)
def read(incident_ref):
    """The post-mortem: state, due time, text, versions, blame warnings and action items."""
    return _document(_number(incident_ref))


@bp.put("")
@bp.arguments(TextSchema)
@bp.response(200, Postmortem)
@CHANGED
def save(body, incident_ref):
    """`{"text": ...}` saves a new version of the text."""
    store.save(state().engine, _number(incident_ref), body["text"], now=datetime.now(UTC), actor=g.actor.name)
    return _document(_number(incident_ref))


@bp.post("/publish")
@bp.arguments(PublishSchema)
@bp.response(200, Postmortem)
@CHANGED
def publish(body, incident_ref):
    """Publish (optionally with a last `text`): its action items recorded as follow-ups, the incident done."""
    number = _number(incident_ref)
    return _finish(number, lambda **kw: commands.publish(state().engine, number, body.get("text"), **kw))


@bp.post("/skip")
@bp.arguments(SkipSchema)
@bp.response(200, Postmortem)
@CHANGED
def skip(body, incident_ref):
    """`{"reason": ...}` skips it (SEV3 and SEV4 only)."""
    number = _number(incident_ref)
    return _finish(number, lambda **kw: commands.skip(state().engine, number, body["reason"], **kw))


def _finish(number: int, call):
    try:
        done = call(catalog=state().catalog, now=datetime.now(UTC), actor=g.actor.name)
    except store.Refused as error:
        raise Problem(409, str(error)) from None
    state().hand_over([done.decision])
    return _document(number)


def _document(number: int) -> dict:
    found = store.opened(state().engine, number)
    if found is None:
        raise Problem(404, f"INC-{number} has no post-mortem (it is not resolved)")
    phrases = blame_phrases(state().settings.config_dir)
    flags = blame.flags(found.text, people=state().catalog.people, phrases=phrases)
    items, problems = postmortem.action_items(found.text)
    return {
        "incident": f"INC-{number}",
        "state": found.state,
        "due_at": found.due_at.isoformat() if found.due_at else None,
        "skip_reason": found.skip_reason,
        "published_at": found.published_at.isoformat() if found.published_at else None,
        "published_by": found.published_by,
        "text": found.text,
        "versions": [{"id": v.id, "author": v.author, "at": v.at.isoformat()} for v in found.versions],
        "blame_warnings": [{"words": f.words, "section": f.section, "why": f.why} for f in flags],
        "action_items": [_item(i) for i in items],
        "action_item_problems": problems,
    }


def _item(item: postmortem.ActionItem) -> dict:
    return {
        "text": item.text,
        "done": item.done,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
    }


def _number(ref: str) -> int:
    number = incident_number(ref)
    if number is None:
        raise Problem(404, f"no incident {ref}")
    return number
