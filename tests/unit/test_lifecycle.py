"""The lifecycle rules with controlled time: phases, commander, roles, status words, updates, targets."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incidents import checklist, lifecycle, targets, updates
from incidents.lifecycle import Change, Phase, StatusWord
from incidents.severity import Severity

T0 = datetime(2026, 5, 1, 10, 30, tzinfo=UTC)


def minutes(n):
    return T0 + timedelta(minutes=n)


def fresh(**kwargs):
    return lifecycle.begin(opened_at=T0, problem_started_at=kwargs.pop("started", None), service="payment-service")


def acked(at=1):
    return lifecycle.acknowledged(fresh(), minutes(at)).lifecycle


def test_a_new_incident_is_in_detection_from_its_problem_start():
    lc = lifecycle.begin(opened_at=T0, problem_started_at=minutes(-3), service="api")
    assert (lc.phase, lc.problem_started_at, lc.entered(Phase.DETECTION), lc.affected) == (
        Phase.DETECTION,
        minutes(-3),
        minutes(-3),
        ("api",),
    )


def test_a_problem_start_after_opening_counts_from_opening():
    assert lifecycle.begin(opened_at=T0, problem_started_at=minutes(5), service="api").problem_started_at == T0


def test_the_first_acknowledgement_starts_response_and_a_second_changes_nothing():
    first = lifecycle.acknowledged(fresh(), minutes(2))
    assert first.lifecycle.phase == Phase.RESPONSE and first.lifecycle.entered(Phase.RESPONSE) == minutes(2)
    assert first.entries == ()  # the "acknowledged" entry tells it
    assert lifecycle.acknowledged(first.lifecycle, minutes(9)) == lifecycle.Change(first.lifecycle)


@pytest.mark.parametrize(
    ("word", "phase"),
    [
        (StatusWord.INVESTIGATING, Phase.RESPONSE),
        (StatusWord.IDENTIFIED, Phase.MITIGATION),
        (StatusWord.MONITORING, Phase.RECOVERY),
        (StatusWord.RESOLVED, Phase.POSTMORTEM),
    ],
)
def test_a_status_word_moves_the_phase(word, phase):
    change = lifecycle.set_status(acked(), word, minutes(5), by="alice", impact="Payments failing")
    assert (change.lifecycle.phase, change.lifecycle.status_word, change.lifecycle.impact) == (
        phase,
        word,
        "Payments failing",
    )
    assert change.lifecycle.entered(phase) == (minutes(1) if phase == Phase.RESPONSE else minutes(5))


@pytest.mark.parametrize("word", [StatusWord.INVESTIGATING, StatusWord.IDENTIFIED, StatusWord.MONITORING])
def test_before_the_first_acknowledgement_a_status_word_moves_no_phase_and_counts_as_no_acknowledgement(word):
    change = lifecycle.set_status(fresh(), word, minutes(5), by="alice")
    assert (change.lifecycle.phase, change.lifecycle.status_word) == (Phase.DETECTION, word)
    assert change.lifecycle.first_acknowledged is None
    assert targets.reached_at(change.lifecycle, "response") is None


def test_an_acknowledgement_after_a_status_word_enters_the_phase_the_word_names():
    said = lifecycle.set_status(fresh(), StatusWord.IDENTIFIED, minutes(5), by="alice").lifecycle
    lc = lifecycle.acknowledged(said, minutes(9)).lifecycle
    assert (lc.phase, lc.first_acknowledged, lc.entered(Phase.RESPONSE)) == (Phase.MITIGATION, minutes(9), None)
    lc = lifecycle.acknowledged(fresh(), minutes(9)).lifecycle
    assert (lc.phase, lc.first_acknowledged) == (Phase.RESPONSE, minutes(9))


def test_an_explicit_acknowledged_phase_before_the_first_acknowledgement_is_refused():
    with pytest.raises(ValueError, match="acknowledge the incident first"):
        lifecycle.set_status(fresh(), StatusWord.IDENTIFIED, minutes(5), by="alice", phase=Phase.MITIGATION)
    lc = lifecycle.set_status(fresh(), StatusWord.RESOLVED, minutes(5), by="alice", phase=Phase.POSTMORTEM).lifecycle
    assert lc.phase == Phase.POSTMORTEM


def test_an_update_before_the_first_acknowledgement_neither_starts_response_nor_counts_as_acknowledged():
    change, _ = updates.post(fresh(), StatusWord.INVESTIGATING, "Looking", minutes(1), by="bob", every=None)
    assert change.lifecycle.phase == Phase.DETECTION and change.lifecycle.first_acknowledged is None


def test_an_explicit_phase_wins_over_the_status_word_and_first_entry_times_are_kept():
    lc = lifecycle.set_status(acked(), StatusWord.IDENTIFIED, minutes(5), by="alice").lifecycle
    lc = lifecycle.set_status(lc, StatusWord.IDENTIFIED, minutes(8), by="alice", phase=Phase.RESPONSE).lifecycle
    lc = lifecycle.set_status(lc, StatusWord.IDENTIFIED, minutes(9), by="alice").lifecycle
    assert (lc.phase, lc.entered(Phase.MITIGATION)) == (Phase.MITIGATION, minutes(5))


def test_resolution_enters_postmortem_and_stops_updates():
    lc = updates.first_due(fresh(), minutes(1), timedelta(minutes=15))
    change = lifecycle.resolved(lc, minutes(40))
    assert (change.lifecycle.phase, change.lifecycle.status_word, change.lifecycle.next_update_due) == (
        Phase.POSTMORTEM,
        StatusWord.RESOLVED,
        None,
    )


def test_take_command_then_hand_over():
    lc = lifecycle.take_command(fresh(), "alice", minutes(3), by="alice")
    assert lc.lifecycle.commander == "alice" and lc.entries[0].message == "alice took command"
    handed = lifecycle.hand_over(lc.lifecycle, "bob", minutes(30), by="alice")
    assert handed.lifecycle.commander == "bob"
    assert handed.entries[0].message == "Command handed over from alice to bob"


def test_roles_are_given_and_freed_and_unknown_ones_refused():
    lc = lifecycle.set_role(fresh(), "scribe", "carol", minutes(1), by="alice").lifecycle
    assert lc.role("scribe") == "carol"
    assert lifecycle.set_role(lc, "scribe", None, minutes(2), by="alice").lifecycle.roles == ()
    with pytest.raises(ValueError):
        lifecycle.set_role(lc, "chef", "carol", minutes(2), by="alice")


def test_pin_and_unpin_a_key_event_once():
    lc = lifecycle.pin(fresh(), 7, minutes(1), by="alice").lifecycle
    assert lc.pinned == (7,) and lifecycle.pin(lc, 7, minutes(2), by="alice").entries == ()
    assert lifecycle.unpin(lc, 7, minutes(3), by="alice").lifecycle.pinned == ()


def test_a_choice_of_severity_stands_against_alerts_that_were_there_before():
    assert lifecycle.counts_after_choice(minutes(0), minutes(-1), None)
    assert not lifecycle.counts_after_choice(minutes(0), minutes(-1), minutes(5))
    assert lifecycle.counts_after_choice(minutes(6), None, minutes(5))
    assert lifecycle.counts_after_choice(minutes(0), minutes(7), minutes(5))  # the same alert fired again


def test_an_update_sets_status_and_the_next_due_time_by_cadence():
    change, update = updates.post(
        fresh(), StatusWord.IDENTIFIED, "Pool exhausted", minutes(10), by="alice", eta="15 minutes", every=None
    )
    assert change.lifecycle.next_update_due is None  # SEV4: no cadence
    change, update = updates.post(
        acked(), StatusWord.IDENTIFIED, "Pool", minutes(10), by="alice", eta="15 minutes", every=timedelta(minutes=15)
    )
    assert (update.eta, update.eta_at, change.lifecycle.next_update_due) == ("15 minutes", minutes(25), minutes(25))
    assert change.lifecycle.phase == Phase.MITIGATION and change.entries[-1].kind == "update"


@pytest.mark.parametrize(
    ("eta", "at"),
    [
        ("15 minutes", minutes(15)),
        ("11:30", minutes(60)),
        ("10:00", minutes(-30) + timedelta(days=1)),
        ("2026-05-01T12:00:00Z", minutes(90)),
    ],
)
def test_an_eta_is_a_duration_a_clock_time_or_an_iso_time(eta, at):
    assert updates.eta_time(eta, T0) == at


def test_a_wrong_eta_is_refused():
    with pytest.raises(ValueError):
        updates.eta_time("soonish", T0)


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


def test_the_checklist_starts_from_the_playbook_once_and_ticks():
    new, entries = checklist.from_playbook([], T0, by="alice")
    assert [a.text for a in new] == list(checklist.PLAYBOOK) and len(entries) == 1
    assert checklist.from_playbook(new, T0, by="alice") == ([], ())
    done, entries = checklist.tick(new[0], minutes(1), by="bob")
    assert (done.done, done.done_by, entries[0].kind) == (True, "bob", "action_done")
    assert checklist.tick(done, minutes(2), by="bob") == (done, ())
    assert checklist.untick(done, minutes(3), by="bob")[0].done is False
    assert checklist.assign(done, "carol", minutes(3), by="bob")[0].assignee == "carol"


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


def test_a_reopened_incident_is_investigated_again_and_owes_its_next_update():
    resolved = lifecycle.resolved(updates.first_due(fresh(), minutes(1), timedelta(minutes=15)), minutes(40)).lifecycle
    change = lifecycle.reopened(resolved, minutes(50), update_every=timedelta(minutes=15))
    reopened = change.lifecycle
    assert (reopened.phase, reopened.status_word, reopened.next_update_due) == (
        Phase.RESPONSE,
        StatusWord.INVESTIGATING,
        minutes(65),
    )
    assert reopened.entered(Phase.POSTMORTEM) == minutes(40)  # first entry times are kept
    assert change.entries == ()  # the escalation's "reopened" entry says it
