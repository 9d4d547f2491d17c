"""Load and validate `config/*.yaml` into the domain's frozen dataclasses.

Every problem is reported as `file: field.path: reason`, e.g.
`config/services.yaml: services[2].escalation_policy[0].timeout: "30 minuets" is not a duration`.
"""
import os
import re
from datetime import timedelta
from pathlib import Path

import yaml
from marshmallow import (Schema, ValidationError, fields, post_load, pre_load, validate,
                         validates_schema)

from incidents.durations import parse_duration
from incidents.policy import EscalationPolicy, Level, Target, UrgencyRules
from incidents.services import Catalog, Credentials, Person, Service, Team
from incidents.severity import Severity, SeverityRules


class ConfigError(Exception):
    """The configuration is wrong; `problems` lists `file: path: reason` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Duration(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_duration(value)
        except (ValueError, TypeError):
            raise ValidationError(f'"{value}" is not a duration')


class SeverityField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return Severity.parse(value)
        except ValueError as error:
            raise ValidationError(str(error))


class TargetSchema(Schema):
    user = fields.String()
    team = fields.String()

    @validates_schema
    def one_kind(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("a target names exactly one `user` or `team`")

    @post_load
    def make(self, data, **kwargs):
        (kind, name), = data.items()
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

    @post_load
    def make(self, data, **kwargs):
        tokens = list(data.get("bearer_tokens", [])) + ([data["bearer_token"]] if "bearer_token" in data else [])
        basic = (data["basic_auth"]["username"], data["basic_auth"]["password"]) if "basic_auth" in data else None
        return Credentials(tuple(tokens), (basic,) if basic else (), tuple(data.get("integration_keys", [])))


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

    @validates_schema
    def one_default(self, data, **kwargs):
        names = [service["name"] for service in data.get("services", [])]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValidationError(f"service names must be unique: {', '.join(duplicates)}", "services")
        defaults = [service["name"] for service in data.get("services", []) if service["default"]]
        if len(defaults) != 1:
            raise ValidationError(f"exactly one service must have `default: true` (found {len(defaults)})",
                                  "services")


class PersonSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    routing_key = fields.String(required=True, validate=validate.Length(min=1))
    email = fields.String(load_default="")


class TeamSchema(PersonSchema):
    members = fields.List(fields.String(), load_default=list)


class PeopleFileSchema(Schema):
    people = fields.List(fields.Nested(PersonSchema), load_default=list)
    teams = fields.List(fields.Nested(TeamSchema), load_default=list)


def load_catalog(config_dir: Path, environ=None) -> Catalog:
    """The validated configuration from `config_dir`; raises ConfigError listing every problem."""
    env = os.environ if environ is None else environ
    services_path, people_path = config_dir / "services.yaml", config_dir / "people.yaml"
    problems: list[str] = []
    services = _load_file(services_path, ServicesFileSchema(), env, problems, required=True)
    people = _load_file(people_path, PeopleFileSchema(), env, problems, required=False) or {}
    if problems:
        raise ConfigError(problems)
    catalog = _build(services, people)
    problems = [f"{_shown(services_path)}: {problem}" for problem in _unknown_targets(catalog)]
    if problems:
        raise ConfigError(problems)
    return catalog


def _load_file(path: Path, schema: Schema, env, problems: list[str], *, required: bool):
    shown = _shown(path)
    if not path.exists():
        if required:
            problems.append(f"{shown}: file not found")
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return schema.load(_substitute(raw, env, []))
    except yaml.YAMLError as error:
        problems.append(f"{shown}: not valid YAML: {error}")
    except _MissingVariable as missing:
        problems.append(f"{shown}: {missing.path}: environment variable {missing.name} is not set")
    except ValidationError as error:
        problems.extend(f"{shown}: {path}: {reason}" for path, reason in flatten_errors(error.messages))
    return None


def flatten_errors(messages, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error dict as (`a[0].b`, reason) pairs."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix or "(body)", message) for message in messages]
    out = []
    items = messages.items() if isinstance(messages, dict) else enumerate(messages)
    for key, value in items:
        if key == "_schema":
            path = prefix
        elif isinstance(key, int):
            path = f"{prefix}[{key}]"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        out.extend(flatten_errors(value, path))
    return out


class _MissingVariable(Exception):
    def __init__(self, name, path):
        self.name, self.path = name, path


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _substitute(value, env, path: list):
    """Replace `${NAME}` in every string with the environment's value, so secrets stay out of files."""
    if isinstance(value, dict):
        return {k: _substitute(v, env, path + [k]) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, env, path + [i]) for i, v in enumerate(value)]
    if isinstance(value, str):
        def replace(match):
            if match.group(1) not in env:
                raise _MissingVariable(match.group(1), _dotted(path))
            return env[match.group(1)]
        return _VARIABLE.sub(replace, value)
    return value


def _dotted(path: list) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _build(services_data: dict, people_data: dict) -> Catalog:
    base = _rules(SeverityRules(), services_data["severity"])
    urgency = _urgency(UrgencyRules(), services_data["urgency"])
    services = tuple(
        Service(
            name=item["name"],
            escalation_policy=EscalationPolicy(tuple(item["escalation_policy"]), item["repeat"]),
            routes=tuple(item["routing"]),
            credentials=item["intake"] or Credentials(),
            severity=_rules(base, item["severity"]),
            default=item["default"],
            urgency=_urgency(urgency, item["urgency"]),
            ack_timeout=_ack_timeout(item["ack_timeout"]),
            fallback_routing_key=item["fallback_routing_key"],
        )
        for item in services_data["services"]
    )
    people = {p["name"]: Person(p["name"], p["routing_key"], p["email"]) for p in people_data.get("people", [])}
    teams = {t["name"]: Team(t["name"], t["routing_key"], tuple(t["members"])) for t in people_data.get("teams", [])}
    tokens = {t["token"]: t["name"] for t in services_data["api_tokens"]}
    secrets = tuple(services_data["pagerduty"].get("webhook_secrets", ()))
    return Catalog(services, people, teams, tokens, secrets)


def _urgency(base: UrgencyRules, override: dict) -> UrgencyRules:
    return UrgencyRules(
        frozenset(override.get("page_last_level_at_once", base.page_last_level_at_once)),
        dict(override.get("escalate_unresolved_after", base.escalate_unresolved_after)),
        frozenset(override.get("low_urgency", base.low_urgency)),
    )


def _ack_timeout(value):
    """Default 30 minutes; `0` turns the acknowledgement timeout off."""
    if value is None:
        return timedelta(minutes=30)
    return value or None


def _rules(base: SeverityRules, override: dict) -> SeverityRules:
    words = dict(base.words)
    words.update({word.lower(): severity for word, severity in override.get("map", {}).items()})
    return SeverityRules(tuple(override.get("labels", base.labels)), words, override.get("default", base.default))


def _unknown_targets(catalog: Catalog) -> list[str]:
    if not catalog.people and not catalog.teams:
        return []  # no people file: paging targets are checked when one exists
    known = {"user": catalog.people, "team": catalog.teams}
    problems = []
    for s, service in enumerate(catalog.services):
        for l, level in enumerate(service.escalation_policy.levels):
            for t, target in enumerate(level.targets):
                if target.name not in known[target.kind]:
                    problems.append(f"services[{s}].escalation_policy[{l}].targets[{t}].{target.kind}: "
                                    f"no {target.kind} called \"{target.name}\" in people.yaml")
    return problems


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
