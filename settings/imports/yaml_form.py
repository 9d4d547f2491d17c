"""Imported schedules and policies written as config/schedules.yaml and a service's policy are written, and
added to a configuration directory's schedules.yaml."""

from pathlib import Path

import yaml
from marshmallow import ValidationError

from incidents.policy import EscalationPolicy
from incidents.schedules import DAYS, Layer, Schedule, Window
from settings.catalog import flatten_errors
from settings.imports.imported import BadExport
from settings.imports.rotations import rotation_text
from settings.schedule_schemas import SchedulesFileSchema


def schedules_text(schedules: list[Schedule]) -> str:
    """The schedules as a schedules.yaml."""
    return _dumped({"schedules": [schedule_form(s) for s in schedules]})


def policy_text(name: str, policy: EscalationPolicy, vendor: str) -> str:
    """One escalation policy as the lines to paste under a service of services.yaml."""
    levels = [
        {"targets": [{t.kind: t.name} for t in level.targets], "timeout": _minutes(level.timeout)}
        for level in policy.levels
    ]
    form = {"escalation_policy": levels} | ({"repeat": policy.repeat} if policy.repeat else {})
    return f'# {vendor} escalation policy "{name}": paste under a service of services.yaml\n' + _dumped(form)


def schedule_form(schedule: Schedule) -> dict:
    return {"name": schedule.name, "time_zone": schedule.time_zone, "layers": [_layer(x) for x in schedule.layers]}


def write(directory: Path, schedules: list[Schedule]) -> list[str]:
    """Add the schedules to `directory`/schedules.yaml (created if missing), each replacing the one of its
    name; the file is checked as the loader checks it before it is written. Answers the names replaced."""
    path = directory / "schedules.yaml"
    current = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
    if not isinstance(current, dict) or not isinstance(current.get("schedules", []), list):
        raise BadExport([f"{path}: not a schedules.yaml (a mapping with a list `schedules:`)"])
    new = {s.name: schedule_form(s) for s in schedules}
    kept = [s for s in current.get("schedules") or [] if not (isinstance(s, dict) and s.get("name") in new)]
    replaced = [s.get("name") for s in current.get("schedules") or [] if isinstance(s, dict) and s.get("name") in new]
    merged = {**current, "schedules": kept + list(new.values())}
    try:
        SchedulesFileSchema().load(merged)
    except ValidationError as error:
        raise BadExport([f"{path}: {p}: {reason}" for p, reason in flatten_errors(error.messages)]) from None
    path.write_text(_dumped(merged), encoding="utf-8")
    return replaced


def _layer(layer: Layer) -> dict:
    form = {
        "name": layer.name,
        "start": layer.start.strftime("%Y-%m-%dT%H:%M"),
        "rotation": rotation_text(layer.rotation),
        "participants": list(layer.participants),
    }
    return form | ({"restrictions": [_window(w) for w in layer.windows]} if layer.windows else {})


def _window(window: Window) -> dict:
    return {
        "days": [DAYS[d] for d in sorted(window.days)],
        "from": _Quoted(window.start.strftime("%H:%M")),
        "to": _Quoted(window.end.strftime("%H:%M")),
    }


def _minutes(length) -> str:
    minutes = int(length.total_seconds() // 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


class _Quoted(str):
    """A time of day, written in quotes as the README asks (YAML 1.1 reads 9:00 unquoted as a number)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Quoted, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, '"'))


def _dumped(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, allow_unicode=True, width=120)
