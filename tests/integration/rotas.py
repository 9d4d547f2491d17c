"""Schedules for the on-call tests, laid out around the real clock (the pages read `now` from it)."""

import dataclasses
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from incidents.policy import EscalationPolicy, Level, Target
from incidents.schedules import Layer, Schedule
from store.tables import schedule_overrides

SHIFT = timedelta(hours=8)


def hour_ago() -> datetime:
    """The local (UTC) start of the current shift of `rota`: an hour ago, on the hour."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None) - timedelta(hours=1)


def rota(name="rota", start=None, participants=("alice", "sre-manager"), zone="UTC") -> Schedule:
    """8-hour shifts from an hour ago (or `start`, naive local), alice first; oncall-sre is in no layer."""
    first = Layer("eights", start or hour_ago(), SHIFT, participants)
    later = Layer("nights", start or hour_ago(), timedelta(days=1), participants[::-1])
    return Schedule(name, zone, (first, dataclasses.replace(later, start=(start or hour_ago()) + timedelta(days=3))))


def with_rota(catalog, *schedules: Schedule):
    """The example config with these schedules (default: `rota`), production-api's first level paging the first."""
    schedules = schedules or (rota(),)
    service = catalog.service("production-api")
    levels = (
        Level((Target("schedule", schedules[0].name),), timedelta(minutes=30)),
        *service.escalation_policy.levels[1:],
    )
    service = dataclasses.replace(service, escalation_policy=EscalationPolicy(levels))
    services = tuple(service if s.name == service.name else s for s in catalog.services)
    return dataclasses.replace(catalog, services=services, schedules={s.name: s for s in schedules})


def in_zone(catalog, name: str, zone: str):
    person = dataclasses.replace(catalog.people[name], time_zone=zone)
    return dataclasses.replace(catalog, people=catalog.people | {name: person})


def stored_overrides(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(schedule_overrides).order_by(schedule_overrides.c.id)).all()
