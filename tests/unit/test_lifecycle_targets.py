"""The lifecycle's targets and update cadence with controlled time: breaches, missed updates, severity changes."""

from dataclasses import replace
from datetime import timedelta

from incidents import lifecycle, targets, updates
from incidents.lifecycle import Change, StatusWord
from incidents.severity import Severity
from tests.unit.test_lifecycle import T0, acked, fresh, minutes


def test_missed_updates_remind_the_commander_once_then_notify_the_last_level():
    lc = lifecycle.take_command(fresh(), "alice", T0, by="alice").lifecycle
    lc = updates.first_due(lc, T0, timedelta(minutes=15))
    rules = targets.Targets(phases={}, response={})
    first = targets.sweep(lc, Severity.SEV1, rules, minutes(15))
    assert [(n.to, n.person, n.step.key) for n in first.notices] == [("commander", "alice", "update0:miss1")]
    assert targets.sweep(first.lifecycle, Severity.SEV1, rules, minutes(29)).notices == ()
    second = targets.sweep(first.lifecycle, Severity.SEV1, rules, minutes(30))
    assert [(n.to, n.step.key) for n in second.notices] == [("last_level", "update0:miss2")]
    assert second.lifecycle.update_misses == 2
    posted, _ = updates.post(
        second.lifecycle, StatusWord.IDENTIFIED, "x", minutes(31), by="alice", every=timedelta(minutes=15)
    )
    assert (posted.lifecycle.update_misses, posted.lifecycle.next_update_due) == (0, minutes(46))


def test_the_response_target_follows_severity_and_is_breached_once():
    lc, rules = fresh(), targets.Targets()
    assert targets.next_due(lc, Severity.SEV1, rules) == minutes(15)  # detection met when it opened
    swept = targets.sweep(lc, Severity.SEV1, rules, minutes(15))
    assert [e.data["target"] for e in swept.entries] == ["response"]  # opened at once: detection met
    assert [(n.to, n.step.key) for n in swept.notices] == [("oncall", "breach:response")]
    assert targets.sweep(swept.lifecycle, Severity.SEV1, rules, minutes(16)).entries == ()
    assert targets.next_due(lc, Severity.SEV3, rules) == minutes(120)  # SEV3's 2 h response before its 4 h mitigation


def test_a_late_detection_and_a_late_acknowledgement_are_breaches_too():
    lc = lifecycle.begin(opened_at=T0, problem_started_at=minutes(-10), service="api")
    lc = lifecycle.acknowledged(lc, minutes(10)).lifecycle  # 20 minutes after the start: SEV1 allows 15
    swept = targets.sweep(lc, Severity.SEV1, targets.Targets(), minutes(11))
    assert [e.data["target"] for e in swept.entries] == ["detection", "response"]


def test_breaches_found_together_notify_the_commander_once():
    lc = lifecycle.take_command(fresh(), "alice", T0, by="alice").lifecycle
    swept = targets.sweep(lc, Severity.SEV1, targets.Targets(), minutes(30))
    assert [e.data["target"] for e in swept.entries] == ["response", "mitigation"]
    assert [(n.to, n.person, n.step.key, n.reason) for n in swept.notices] == [
        ("commander", "alice", "breach:response", "Target breached: response, mitigation (SEV1)"),
    ]


def test_targets_already_past_when_an_alert_arrived_are_written_but_not_paged_again():
    """The first page goes out as the incident opens; a breach page to the same person seconds later
    would only be a second phone call for the same news. A target that falls due later still pages."""
    lc = lifecycle.begin(opened_at=T0, problem_started_at=minutes(-20), service="api")
    swept = targets.sweep(lc, Severity.SEV2, targets.Targets(), T0)
    assert [e.data["target"] for e in swept.entries] == ["detection"]
    assert "nobody paged" in swept.entries[0].message
    assert swept.notices == ()
    later = targets.sweep(swept.lifecycle, Severity.SEV2, targets.Targets(), minutes(40))
    assert [e.data["target"] for e in later.entries] == ["response", "mitigation"]
    assert [(n.to, n.step.key) for n in later.notices] == [("oncall", "breach:response")]
    hours_late = lifecycle.begin(opened_at=T0, problem_started_at=minutes(-600), service="api")
    swept = targets.sweep(hours_late, Severity.SEV2, targets.Targets(), T0)
    assert [e.data["target"] for e in swept.entries] == ["detection", "response", "mitigation", "recovery"]
    assert all("its first page is the notice" in e.message for e in swept.entries[1:])
    assert swept.notices == ()


def test_a_low_urgency_incident_records_its_breaches_and_missed_updates_and_pages_nobody():
    lc = lifecycle.acknowledged(fresh(), minutes(1)).lifecycle
    lc = replace(lc, next_update_due=minutes(20))
    every_severity = targets.Targets(phases={"mitigation": timedelta(minutes=30)})  # SEV4 has none by default
    swept = targets.sweep(lc, Severity.SEV4, every_severity, minutes(31), notify=False)
    assert [e.kind for e in swept.entries] == ["breach", "update_overdue"]
    assert all("low urgency: nobody paged" in e.message for e in swept.entries)
    assert swept.notices == ()


def test_resolution_meets_the_open_targets_and_starts_the_postmortem_clock():
    lc = lifecycle.resolved(lifecycle.acknowledged(fresh(), minutes(1)).lifecycle, minutes(20)).lifecycle
    assert targets.next_due(lc, Severity.SEV1, targets.Targets()) == minutes(20) + timedelta(days=7)
    swept = targets.sweep(lc, Severity.SEV1, targets.Targets(), minutes(20) + timedelta(days=7))
    assert [e.data for e in swept.entries] == [{"target": "postmortem", "severity": "SEV1"}]
    assert swept.notices == ()  # resolved: written and counted, not paged


def test_a_response_target_met_by_resolution_is_not_breached():
    lc = lifecycle.resolved(fresh(), minutes(10)).lifecycle  # SEV1, never acknowledged, resolved in time
    assert targets.sweep(lc, Severity.SEV1, targets.Targets(), minutes(16)) == Change(lc)


def test_a_sev3_has_four_hours_to_mitigate_so_nobody_is_paged_for_a_30_minute_breach():
    lc = lifecycle.acknowledged(fresh(), minutes(1)).lifecycle
    assert targets.sweep(lc, Severity.SEV3, targets.Targets(), minutes(31)) == Change(lc)
    swept = targets.sweep(lc, Severity.SEV3, targets.Targets(), minutes(240))
    assert [e.data["target"] for e in swept.entries] == ["mitigation"]
    assert "Target breached: mitigation within 4 h" in swept.entries[0].message
    sev4 = targets.sweep(lc, Severity.SEV4, targets.Targets(), minutes(60 * 30))
    assert [e.data["target"] for e in sev4.entries] == []  # SEV4: no mitigation or recovery target


def test_an_overdue_update_stays_due_and_after_the_second_miss_nothing_more_is_looked_at_until_an_update():
    lc = updates.first_due(acked(), minutes(1), timedelta(minutes=15))
    rules = targets.Targets(phases={}, response={})
    assert targets.update_look(lc, Severity.SEV1, rules) == minutes(16)
    first = targets.sweep(lc, Severity.SEV1, rules, minutes(16)).lifecycle
    assert (first.next_update_due, targets.update_look(first, Severity.SEV1, rules)) == (minutes(16), minutes(31))
    second = targets.sweep(first, Severity.SEV1, rules, minutes(31)).lifecycle
    assert (second.next_update_due, second.update_misses) == (minutes(16), 2)
    assert targets.next_due(second, Severity.SEV1, rules) is None  # beat leaves it alone
    assert targets.sweep(second, Severity.SEV1, rules, minutes(90)) == Change(second)


def test_a_new_severity_brings_the_next_update_within_its_cadence_and_an_earlier_one_stands():
    lc = replace(acked(), next_update_due=minutes(30))
    assert updates.replan(lc, minutes(10), timedelta(minutes=15)).next_update_due == minutes(25)  # raised
    assert updates.replan(lc, minutes(10), timedelta(hours=2)).next_update_due == minutes(30)  # lowered: it stands
    assert updates.replan(lc, minutes(10), None).next_update_due is None  # SEV4: no cadence
    overdue = replace(lc, next_update_due=minutes(5), update_misses=1)
    assert updates.replan(overdue, minutes(10), timedelta(minutes=15)) == overdue
    assert updates.replan(fresh(), minutes(10), timedelta(minutes=15)) == fresh()  # nothing owed before the ack
    assert updates.replan(acked(), minutes(10), timedelta(minutes=15)).next_update_due == minutes(25)  # from SEV4
