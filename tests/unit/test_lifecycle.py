"""The lifecycle rules with controlled time: phases, commander, roles, status words, updates, targets."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import checklist, lifecycle, targets, updates
from incidents.lifecycle import Phase, StatusWord

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


def test_the_checklist_starts_from_the_playbook_once_and_ticks():
    new, entries = checklist.from_playbook([], T0, by="alice")
    assert [a.text for a in new] == list(checklist.PLAYBOOK) and len(entries) == 1
    assert checklist.from_playbook(new, T0, by="alice") == ([], ())
    done, entries = checklist.tick(new[0], minutes(1), by="bob")
    assert (done.done, done.done_by, entries[0].kind) == (True, "bob", "action_done")
    assert checklist.tick(done, minutes(2), by="bob") == (done, ())
    assert checklist.untick(done, minutes(3), by="bob")[0].done is False
    assert checklist.assign(done, "carol", minutes(3), by="bob")[0].assignee == "carol"


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
