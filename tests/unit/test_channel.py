"""The incident channel renders the issue's template exactly."""

from datetime import UTC, datetime
from types import SimpleNamespace

from incidents import channel
from incidents.checklist import Action
from incidents.lifecycle import StatusWord
from incidents.severity import Severity
from incidents.updates import Update
from tests.channel_template import issue_template

TEMPLATE = issue_template(123)


def at(hour, minute):
    return datetime(2026, 5, 1, hour, minute, tzinfo=UTC)


def entry(id_, when, kind, message):
    return SimpleNamespace(id=id_, at=when, kind=kind, message=message, data={})


def test_the_template_of_the_issue():
    entries = [
        entry(1, at(10, 30), "opened", "Incident opened for service payment-service"),
        entry(2, at(10, 30), "paged", "Paging level 1"),
        entry(3, at(10, 32), "acknowledged", "Acknowledged by alice"),
        entry(4, at(10, 35), "channel_created", "Incident channel created"),
        entry(5, at(10, 40), "note", "Identified DB connection pool exhaustion"),
        entry(6, at(10, 41), "note", "not pinned"),
        entry(7, at(10, 42), "acknowledged", "Acknowledged again"),
    ]
    done = Action("Enabled circuit breaker on payment service", "alice", at(10, 41), 1, done=True)
    view = channel.Channel(
        123,
        "Payment Service Outage",
        Severity.SEV1,
        StatusWord.INVESTIGATING,
        "All payment processing failing",
        "alice",
        "SRE",
        ("payment-service",),
        channel.key_events(entries, pinned=(5,), source="pagerduty"),
        (
            done,
            Action("Rolling restart of payment pods", "alice", at(10, 42), 2),
            Action("Scaling up DB connections", "alice", at(10, 43), 3),
        ),
        (Update(StatusWord.INVESTIGATING, "Mitigation in progress", "15 minutes", None, "alice", at(10, 45)),),
    )
    assert channel.render(view).splitlines() == TEMPLATE.splitlines()
    assert channel.render(view) == TEMPLATE


def test_nobody_in_command_and_no_impact_yet():
    view = channel.Channel(7, "Disk", Severity.SEV3, StatusWord.IDENTIFIED, "", None, "", ("api",), (), (), ())
    lines = channel.render(view).splitlines()
    assert lines[2:5] == [
        "**Status**: 🟡 SEV3 - Identified",
        "**Impact**: not assessed yet",
        "**Commander**: unassigned",
    ]


def test_a_resolved_channel_drops_the_eta_and_says_when_it_was_resolved():
    update = Update(StatusWord.MONITORING, "Fix deployed", "15 minutes", None, "alice", at(10, 45))
    view = channel.Channel(
        7, "Disk", Severity.SEV3, StatusWord.RESOLVED, "", None, "", ("api",), (), (), (update,), at(11, 2)
    )
    lines = channel.render(view).splitlines()
    assert lines[-2:] == ["- 10:45: Fix deployed", "- Resolved at 11:02 UTC"]
    assert not any("ETA" in line for line in lines)
