"""Changes: PagerDuty's Change Events API (`POST /v2/change/enqueue`) and our generic deploy webhook.

Upstream contract: PagerDuty's "Send a Change Event" (developer-docs, events-API-v2/03-Change-Events.md);
field by field, with what we do and decided, in docs/contracts-more.md, "PagerDuty Change Events".
The deploy webhook (`POST /webhooks/deploy`, `incidents change`) is ours: same section, "Our deploy webhook".
"""

from dataclasses import dataclass, replace
from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from commands.fields import LinkSchema, Text, Timestamp, check_json
from incidents.changes import Change, Link

PAGERDUTY_CHANGE = "pagerduty_change"  # raw_requests.source and changes.source of each intake
DEPLOY = "deploy"


class ChangePayloadSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    summary = Text(required=True, validate=validate.Length(1, 1024))
    timestamp = Timestamp(load_default=None)
    source = Text(load_default=None, validate=validate.Length(max=255))
    custom_details = fields.Raw(load_default=None, validate=check_json)


class ChangeEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # images: in the OpenAPI schema, not supported by the guide; ignored

    routing_key = Text(required=True, validate=validate.Length(1, 255))
    payload = fields.Nested(ChangePayloadSchema, required=True)
    links = fields.List(fields.Nested(LinkSchema), load_default=list)


class DeploySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    service = Text(required=True, validate=validate.Length(1, 128))
    version = Text(load_default=None, validate=validate.Length(1, 255))
    commit = Text(load_default=None, validate=validate.Length(1, 255))
    summary = Text(load_default=None, validate=validate.Length(1, 1024))
    author = Text(load_default=None, validate=validate.Length(1, 255))
    link = Text(
        load_default=None,
        validate=[validate.Length(1, 2048), validate.URL(require_tld=False, schemes={"http", "https"})],
    )
    time = Timestamp(load_default=None)

    @validates_schema
    def names_what_changed(self, data, **kwargs):
        if not data.get("version") and not data.get("commit"):
            raise ValidationError("either `version` or `commit` is required", "version")


CHANGE_EVENT, DEPLOY_BODY = ChangeEventSchema(), DeploySchema()


@dataclass(frozen=True)
class ChangeEvent:
    """A validated change event: the routing key that names its service, and the change."""

    routing_key: str
    change: Change  # its service is "" until the routing key names one

    def for_service(self, service: str) -> Change:
        return replace(self.change, service=service)


def parse(body, *, now: datetime) -> ChangeEvent:
    """A Change Events API body; raises marshmallow.ValidationError naming the field.

    `now` is the change's time when the event carries no `payload.timestamp`.
    """
    data = CHANGE_EVENT.load(body)
    payload = data["payload"]
    change = Change(
        service="",
        summary=payload["summary"],
        changed_at=payload["timestamp"] or now,
        source=PAGERDUTY_CHANGE,
        origin=payload["source"],
        links=tuple(Link(link["href"], link["text"]) for link in data["links"]),
        custom_details=payload["custom_details"],
    )
    return ChangeEvent(data["routing_key"], change)


def parse_deploy(body, *, now: datetime) -> Change:
    """A deploy webhook body; raises marshmallow.ValidationError naming the field."""
    data = DEPLOY_BODY.load(body)
    return Change(
        service=data["service"],
        summary=data["summary"] or f"Deploy {data['version'] or data['commit']}",
        changed_at=data["time"] or now,
        source=DEPLOY,
        version=data["version"],
        commit=data["commit"],
        author=data["author"],
        links=(Link(data["link"]),) if data["link"] else (),
    )
