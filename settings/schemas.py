"""The YAML files' shapes, as marshmallow schemas: every field validated, unknown keys refused."""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from incidents.chat import ChatConfig
from incidents.durations import parse_duration
from incidents.noise import PageBudget
from incidents.policy import Level, Target
from incidents.services import Credentials
from incidents.severity import Severity
from incidents.status_page import AutoPublish


class Duration(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_duration(value)
        except (ValueError, TypeError):
            raise ValidationError(f'"{value}" is not a duration') from None


def zone_problem(name: str) -> str | None:
    """Why `name` is not a time zone of the tz database, or None when it is one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f'"{name}" is not a time zone of the tz database ("America/New_York")'
    return None


class TimeZone(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs)
        problem = zone_problem(name)
        if problem:
            raise ValidationError(problem)
        return name


class SeverityField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return Severity.parse(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class DurationBySeverity(fields.Field):
    """A duration by severity (`{SEV1: 30 minutes, SEV4: 0}`), or one duration for every severity."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            return dict.fromkeys(Severity, Duration().deserialize(value))
        by = fields.Dict(keys=SeverityField(), values=Duration())
        return by.deserialize(value)


class TargetSchema(Schema):
    user = fields.String()
    team = fields.String()
    schedule = fields.String()

    @validates_schema
    def one_kind(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("a target names exactly one `user`, `team` or `schedule`")

    @post_load
    def make(self, data, **kwargs):
        ((kind, name),) = data.items()
        return Target(kind, name)


class LevelSchema(Schema):
    targets = fields.List(fields.Nested(TargetSchema), required=True, validate=validate.Length(1, 10))
    timeout = Duration(required=True)

    @post_load
    def make(self, data, **kwargs):
        return Level(tuple(data["targets"]), data["timeout"])


class BasicAuthSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))


class IntakeSchema(Schema):
    bearer_token = fields.String(validate=validate.Length(min=8))
    bearer_tokens = fields.List(fields.String(validate=validate.Length(min=8)))
    basic_auth = fields.Nested(BasicAuthSchema)
    integration_keys = fields.List(fields.String(validate=validate.Length(min=8)))
    grafana_hmac_secrets = fields.List(fields.String(validate=validate.Length(min=8)), validate=validate.Length(1, 2))
    grafana_timestamp_header = fields.String(validate=validate.Length(1, 128))

    @post_load
    def make(self, data, **kwargs):
        tokens = list(data.get("bearer_tokens", [])) + ([data["bearer_token"]] if "bearer_token" in data else [])
        basic = (data["basic_auth"]["username"], data["basic_auth"]["password"]) if "basic_auth" in data else None
        return Credentials(
            tuple(tokens),
            (basic,) if basic else (),
            tuple(data.get("integration_keys", [])),
            tuple(data.get("grafana_hmac_secrets", [])),
            data.get("grafana_timestamp_header"),
        )


class SeverityRulesSchema(Schema):
    labels = fields.List(fields.String(), validate=validate.Length(min=1))
    map = fields.Dict(keys=fields.String(), values=SeverityField())
    default = SeverityField()

    @post_load
    def make(self, data, **kwargs):
        return data  # merged over the global rules by the caller


class UrgencySchema(Schema):
    page_last_level_at_once = fields.List(SeverityField())
    escalate_unresolved_after = fields.Dict(keys=SeverityField(), values=Duration())
    low_urgency = fields.List(SeverityField())


class ApiTokenSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    token = fields.String(required=True, validate=validate.Length(min=16))


class PagerDutySchema(Schema):
    webhook_secrets = fields.List(fields.String(validate=validate.Length(min=8)), load_default=list)


class ChangesSchema(Schema):
    rollback_window = Duration(
        validate=validate.Range(timedelta(seconds=1), timedelta(days=7), error="must be from 1 second to 7 days")
    )


class ChatSchema(Schema):
    """`chat: {webhook_url: ...}` or `chat: {slack_bot_token: ..., slack_api_url: ...}` (incidents.chat)."""

    webhook_url = fields.Url(schemes={"http", "https"}, require_tld=False)
    slack_bot_token = fields.String(validate=validate.Length(min=8))
    slack_api_url = fields.Url(schemes={"http", "https"}, require_tld=False, load_default="https://slack.com/api")

    @validates_schema
    def one_way(self, data, **kwargs):
        if ("webhook_url" in data) == ("slack_bot_token" in data):
            raise ValidationError("give exactly one of `webhook_url` and `slack_bot_token`", "webhook_url")

    @post_load
    def make(self, data, **kwargs):
        api_url = data["slack_api_url"].rstrip("/")
        return ChatConfig(data.get("webhook_url", ""), data.get("slack_bot_token", ""), api_url)


class PhaseTargetsSchema(Schema):
    """Phase targets measured from the problem's start (the post-mortem's from the resolution); 0: none.
    Mitigation and recovery by severity, like `response` (one duration: every severity)."""

    detection = Duration()
    mitigation = DurationBySeverity()
    recovery = DurationBySeverity()
    postmortem = Duration()


class LifecycleSchema(Schema):
    """Time targets and the status-update cadence (incidents.targets.Targets); a duration of 0 turns one off."""

    phases = fields.Nested(PhaseTargetsSchema, load_default=dict)
    response = fields.Dict(keys=SeverityField(), values=Duration(), load_default=dict)
    update_every = fields.Dict(keys=SeverityField(), values=Duration(), load_default=dict)


class ServiceStatusPageSchema(Schema):
    """A service's `status_page:`: shown as a component of the public status page when `public`."""

    public = fields.Boolean(load_default=False)
    name = fields.String(validate=validate.Length(1, 80))
    description = fields.String(load_default="", validate=validate.Length(max=500))


class AutoPublishSchema(Schema):
    """`auto_publish: {severities: [SEV1], after: 5 minutes}` (incidents.status_page.AutoPublish)."""

    severities = fields.List(SeverityField(), required=True)
    after = Duration(
        required=True, validate=validate.Range(timedelta(0), timedelta(days=1), error="must be from 0 to 1 day")
    )

    @post_load
    def make(self, data, **kwargs):
        return AutoPublish(frozenset(data["severities"]), data["after"])


class StatusPageSchema(Schema):
    """The top-level `status_page:`; without `auto_publish`, an incident reaches the page only when a person
    publishes it (or posts a public update)."""

    title = fields.String(load_default="Status", validate=validate.Length(1, 120))
    history_days = fields.Integer(load_default=14, validate=validate.Range(1, 90, error="must be from 1 to 90"))
    auto_publish = fields.Nested(AutoPublishSchema, load_default=None, allow_none=True)


class PageBudgetSchema(Schema):
    """`page_budget: {pages: 5, per: 10 minutes}` (incidents.noise.PageBudget); `pages: 0` turns it off."""

    pages = fields.Integer(required=True, validate=validate.Range(0, 10_000))
    per = Duration(
        required=True,
        validate=validate.Range(timedelta(seconds=1), timedelta(days=1), error="must be from 1 second to 1 day"),
    )

    @post_load
    def make(self, data, **kwargs):
        return PageBudget(data["pages"], data["per"]) if data["pages"] else None


class ServiceSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"))
    default = fields.Boolean(load_default=False)
    routing = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), load_default=list)
    intake = fields.Nested(IntakeSchema, load_default=None)
    escalation_policy = fields.List(fields.Nested(LevelSchema), required=True, validate=validate.Length(min=1))
    repeat = fields.Integer(load_default=0, validate=validate.Range(0, 9))
    severity = fields.Nested(SeverityRulesSchema, load_default=dict)
    urgency = fields.Nested(UrgencySchema, load_default=dict)
    ack_timeout = Duration(load_default=None)
    fallback_routing_key = fields.String(load_default="")
    chat = fields.Nested(ChatSchema, load_default=None)
    lifecycle = fields.Nested(LifecycleSchema, load_default=dict)
    status_page = fields.Nested(ServiceStatusPageSchema, load_default=dict)
    flap_hold = Duration(load_default=None, validate=validate.Range(max=timedelta(days=1), error="at most 1 day"))
    page_budget = fields.Nested(PageBudgetSchema, allow_none=True)

    @pre_load
    def unwrap(self, data, **kwargs):
        # The seed's format nests each service under a `service:` key; accept both shapes.
        if isinstance(data, dict) and set(data) == {"service"} and isinstance(data["service"], dict):
            return data["service"]
        return data


class ServicesFileSchema(Schema):
    services = fields.List(fields.Nested(ServiceSchema), required=True, validate=validate.Length(min=1))
    severity = fields.Nested(SeverityRulesSchema, load_default=dict)
    urgency = fields.Nested(UrgencySchema, load_default=dict)
    api_tokens = fields.List(fields.Nested(ApiTokenSchema), load_default=list)
    pagerduty = fields.Nested(PagerDutySchema, load_default=dict)
    changes = fields.Nested(ChangesSchema, load_default=dict)
    lifecycle = fields.Nested(LifecycleSchema, load_default=dict)
    status_page = fields.Nested(StatusPageSchema, load_default=dict)
    page_budget = fields.Nested(PageBudgetSchema, load_default=None, allow_none=True)

    @validates_schema
    def one_default(self, data, **kwargs):
        names = [service["name"] for service in data.get("services", [])]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValidationError(f"service names must be unique: {', '.join(duplicates)}", "services")
        shown = [
            s["status_page"].get("name", s["name"]) for s in data.get("services", []) if s["status_page"].get("public")
        ]
        twice = sorted({name for name in shown if shown.count(name) > 1})
        if twice:
            raise ValidationError(f"public status page names must be unique: {', '.join(twice)}", "services")
        defaults = [service["name"] for service in data.get("services", []) if service["default"]]
        if len(defaults) != 1:
            raise ValidationError(f"exactly one service must have `default: true` (found {len(defaults)})", "services")


class PersonSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    routing_key = fields.String(required=True, validate=validate.Length(min=1))
    email = fields.String(load_default="")
    title = fields.String(load_default="", validate=validate.Length(max=64))
    time_zone = fields.String(load_default="UTC")

    @validates_schema
    def known_zone(self, data, **kwargs):
        # Checked here, not by the field, so that the message names the person as well as the zone.
        problem = zone_problem(data["time_zone"]) if "time_zone" in data else None
        if problem:
            raise ValidationError(f'person "{data.get("name", "")}": {problem}', "time_zone")


class TeamSchema(PersonSchema):
    members = fields.List(fields.String(), load_default=list)

    class Meta:
        exclude = ("time_zone",)  # a team is paged through its key; its members have their own zones


class PeopleFileSchema(Schema):
    people = fields.List(fields.Nested(PersonSchema), load_default=list)
    teams = fields.List(fields.Nested(TeamSchema), load_default=list)
