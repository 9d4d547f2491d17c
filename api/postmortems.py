"""The post-mortem through the API: read and save its text, publish it, skip it. Every call presents an API
token; the actor is `api:<token name>`."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema, validate

from commands import postmortems as commands
from commands.fields import Text
from incidents import blame, postmortem
from incidents.references import incident_number
from ingest import auth
from ingest.errors import Problem
from ingest.requests import json_body
from settings.blameless import blame_phrases
from store import postmortems as store

bp = Blueprint("postmortem_api", __name__, url_prefix="/api/incidents/<ref>/postmortem")


class TextSchema(Schema):
    text = Text(required=True, validate=validate.Length(1, 200_000))


class PublishSchema(Schema):
    text = Text(validate=validate.Length(1, 200_000))


class SkipSchema(Schema):
    reason = Text(required=True, validate=validate.Length(1, 2000))


@bp.get("")
def read(ref):
    """The post-mortem: state, due time, text, versions, blame warnings and action items."""
    _caller()
    return jsonify(_document(_number(ref)))


@bp.put("")
def save(ref):
    """`{"text": ...}` saves a new version."""
    actor, body = _caller(), _load(TextSchema)
    store.save(_state().engine, _number(ref), body["text"], now=datetime.now(UTC), actor=actor)
    return jsonify(_document(_number(ref)))


@bp.post("/publish")
def publish(ref):
    """Publish (optionally with a last `text`): follow-ups recorded, the incident done."""
    actor, body = _caller(), _load(PublishSchema)
    return _finish(ref, lambda **kw: commands.publish(_state().engine, _number(ref), body.get("text"), **kw), actor)


@bp.post("/skip")
def skip(ref):
    """`{"reason": ...}` skips it (SEV3 and SEV4 only)."""
    actor, body = _caller(), _load(SkipSchema)
    return _finish(ref, lambda **kw: commands.skip(_state().engine, _number(ref), body["reason"], **kw), actor)


def _finish(ref, call, actor: str):
    try:
        done = call(catalog=_state().catalog, now=datetime.now(UTC), actor=actor)
    except store.Refused as error:
        raise Problem(409, str(error)) from None
    _state().hand_over([done.decision])
    return jsonify(_document(_number(ref)))


def _document(number: int) -> dict:
    found = store.opened(_state().engine, number)
    if found is None:
        raise Problem(404, f"INC-{number} has no post-mortem (it is not resolved)")
    phrases = blame_phrases(_state().settings.config_dir)
    flags = blame.flags(found.text, people=_state().catalog.people, phrases=phrases)
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


def _load(schema):
    body, _ = json_body()
    return schema().load(body or {})


def _number(ref: str) -> int:
    number = incident_number(ref)
    if number is None:
        raise Problem(404, f"no incident {ref}")
    return number


def _state():
    return current_app.extensions["incidents"]


def _caller() -> str:
    return "api:" + auth.api_caller(_state().catalog, request.headers.get("Authorization"))
