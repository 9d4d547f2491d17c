"""Load and validate `config/*.yaml` into the domain's frozen dataclasses.

Every problem is reported as `file: field.path: reason`, e.g.
`config/services.yaml: services[2].escalation_policy[0].timeout: "30 minuets" is not a duration`.
"""

import os
import re
from dataclasses import replace
from pathlib import Path

import yaml
from marshmallow import Schema, ValidationError

from incidents.changes import DEFAULT_WINDOW
from incidents.policy import EscalationPolicy, Target, UrgencyRules
from incidents.schedules import Schedule
from incidents.services import Catalog, Credentials, Person, Service, Team
from incidents.severity import Severity, SeverityRules
from incidents.status_page import Component, PageSettings
from incidents.targets import Targets
from incidents.timings import DEFAULT
from settings.schedule_schemas import SchedulesFileSchema
from settings.schemas import PeopleFileSchema, ServicesFileSchema


class ConfigError(Exception):
    """The configuration is wrong; `problems` lists `file: path: reason` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_catalog(config_dir: Path, environ=None) -> Catalog:
    """The validated configuration from `config_dir`; raises ConfigError listing every problem."""
    env = os.environ if environ is None else environ
    services_path, people_path = config_dir / "services.yaml", config_dir / "people.yaml"
    schedules_path = config_dir / "schedules.yaml"
    problems: list[str] = []
    services = _load_file(services_path, ServicesFileSchema(), env, problems, required=True)
    people = _load_file(people_path, PeopleFileSchema(), env, problems, required=False) or {}
    schedules = _load_file(schedules_path, SchedulesFileSchema(), env, problems, required=False) or {}
    if problems:
        raise ConfigError(problems)
    catalog = _build(services, people, schedules)
    catalog = _with_schedule_targets(catalog)
    problems = [f"{_shown(services_path)}: {problem}" for problem in _unknown_targets(catalog)]
    problems += [f"{_shown(schedules_path)}: {problem}" for problem in _unknown_participants(catalog)]
    if problems:
        raise ConfigError(problems)
    return catalog


def load_people(config_dir: Path, environ=None) -> dict[str, Person]:
    """The people of `config_dir`/people.yaml (none without the file); raises ConfigError listing every problem."""
    problems: list[str] = []
    env = os.environ if environ is None else environ
    data = _load_file(config_dir / "people.yaml", PeopleFileSchema(), env, problems, required=False) or {}
    if problems:
        raise ConfigError(problems)
    return _people(data)


def _people(people_data: dict) -> dict[str, Person]:
    return {
        p["name"]: Person(p["name"], p["routing_key"], p["email"], p["title"], p["time_zone"])
        for p in people_data.get("people", [])
    }


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


def _build(services_data: dict, people_data: dict, schedules_data: dict | None = None) -> Catalog:
    base = _rules(SeverityRules(), services_data["severity"])
    urgency = _urgency(UrgencyRules(), services_data["urgency"])
    targets = _targets(Targets(), services_data["lifecycle"])
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
            chat=item["chat"],
            targets=_targets(targets, item["lifecycle"]),
            flap_hold=item["flap_hold"] or None,
            page_budget=item.get("page_budget", services_data["page_budget"]),
        )
        for item in services_data["services"]
    )
    people = _people(people_data)
    teams = {t["name"]: Team(t["name"], t["routing_key"], tuple(t["members"])) for t in people_data.get("teams", [])}
    tokens = {t["token"]: t["name"] for t in services_data["api_tokens"]}
    secrets = tuple(services_data["pagerduty"].get("webhook_secrets", ()))
    window = services_data["changes"].get("rollback_window", DEFAULT_WINDOW)
    page = PageSettings(**services_data["status_page"])
    return Catalog(
        services,
        people,
        teams,
        tokens,
        secrets,
        rollback_window=window,
        status_page=page,
        components=_components(services_data),
        schedules={s["name"]: Schedule(**s) for s in (schedules_data or {}).get("schedules", [])},
    )


def _components(services_data: dict) -> tuple[Component, ...]:
    """The services marked `status_page: {public: true}`, named as the page shows them."""
    return tuple(
        Component(
            item["name"], item["status_page"].get("name", item["name"]), item["status_page"].get("description", "")
        )
        for item in services_data["services"]
        if item["status_page"].get("public")
    )


def _urgency(base: UrgencyRules, override: dict) -> UrgencyRules:
    return UrgencyRules(
        frozenset(override.get("page_last_level_at_once", base.page_last_level_at_once)),
        dict(override.get("escalate_unresolved_after", base.escalate_unresolved_after)),
        frozenset(override.get("low_urgency", base.low_urgency)),
    )


def _targets(base: Targets, override: dict) -> Targets:
    """`override` (a `lifecycle:` section) merged over `base`, target by target; a zero duration removes one."""

    def merged(before: dict, after: dict) -> dict:
        return {key: value for key, value in {**before, **after}.items() if value}

    phases = dict(base.phases)
    for name, value in override.get("phases", {}).items():
        phases[name] = merged(_by_severity(phases.get(name)), value) if isinstance(value, dict) else value
    return Targets(
        {name: value for name, value in phases.items() if value},
        merged(base.response, override.get("response", {})),
        merged(base.update_every, override.get("update_every", {})),
    )


def _by_severity(limit) -> dict:
    """A phase target as a map by severity (one duration: the same for every severity)."""
    return limit if isinstance(limit, dict) else dict.fromkeys(Severity, limit) if limit else {}


def _ack_timeout(value):
    """Default incidents.timings (30 minutes); `0` turns the acknowledgement timeout off."""
    if value is None:
        return DEFAULT.ack_timeout
    return value or None


def _rules(base: SeverityRules, override: dict) -> SeverityRules:
    words = dict(base.words)
    words.update({word.lower(): severity for word, severity in override.get("map", {}).items()})
    return SeverityRules(tuple(override.get("labels", base.labels)), words, override.get("default", base.default))


def _with_schedule_targets(catalog: Catalog) -> Catalog:
    """`{user: X}` where X names a schedule and no person pages that schedule: a team turns the seed's
    `oncall-sre` into a schedule by removing the person of that name."""
    if not catalog.schedules:
        return catalog

    def target(t: Target) -> Target:
        moved = t.kind == "user" and t.name not in catalog.people and t.name in catalog.schedules
        return Target("schedule", t.name) if moved else t

    def policy(p: EscalationPolicy) -> EscalationPolicy:
        levels = tuple(replace(level, targets=tuple(target(t) for t in level.targets)) for level in p.levels)
        return replace(p, levels=levels)

    services = tuple(replace(s, escalation_policy=policy(s.escalation_policy)) for s in catalog.services)
    return replace(catalog, services=services)


def _unknown_targets(catalog: Catalog) -> list[str]:
    if not catalog.people and not catalog.teams:
        return []  # no people file: paging targets are checked when one exists
    known = {"user": catalog.people, "team": catalog.teams, "schedule": catalog.schedules}
    problems = []
    for s, service in enumerate(catalog.services):
        for lv, level in enumerate(service.escalation_policy.levels):
            for t, target in enumerate(level.targets):
                if target.name not in known[target.kind]:
                    where = "schedules.yaml" if target.kind == "schedule" else "people.yaml"
                    problems.append(
                        f"services[{s}].escalation_policy[{lv}].targets[{t}].{target.kind}: "
                        f'no {target.kind} called "{target.name}" in {where}'
                    )
    return problems


def _unknown_participants(catalog: Catalog) -> list[str]:
    """Participants and teams of schedules that people.yaml does not name."""
    if not catalog.people and not catalog.teams:
        return []
    problems = []
    for s, schedule in enumerate(catalog.schedules.values()):
        for lv, layer in enumerate(schedule.layers):
            problems += [
                f'schedules[{s}].layers[{lv}].participants[{n}]: no person called "{name}" in people.yaml'
                for n, name in enumerate(layer.participants)
                if name not in catalog.people
            ]
        if schedule.team is not None and schedule.team not in catalog.teams:
            problems.append(f'schedules[{s}].team: no team called "{schedule.team}" in people.yaml')
    return problems


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
