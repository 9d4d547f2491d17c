"""The one outcome of a command (incidents.outcome) and the rules that moved out of the store into
the core, driven with plain objects and a controlled clock."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from incidents import escalation, lifecycle, noise, outcome, page_steps, postmortem, targets
from incidents import follow_ups as follow_up_rules
from incidents.actors import SYSTEM, Actor
from incidents.lifecycle import Change, Notice, Phase
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.severity import Severity

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
SRE, MANAGER = Target("user", "oncall-sre"), Target("user", "sre-manager")
PLAN = Plan(EscalationPolicy((Level((SRE,), timedelta(minutes=30)), Level((MANAGER,), timedelta(minutes=15)))))
LC = lifecycle.begin(opened_at=T0, problem_started_at=None, service="api")


def opened(severity=Severity.SEV2):
    return escalation.start(PLAN, severity, T0).state


def test_the_first_acknowledgement_starts_response_and_the_first_update_falls_due():
    step = escalation.acknowledge(PLAN, opened(), T0 + timedelta(minutes=3), by="alice")
    decided = outcome.decide(
        PLAN, escalation.TRIGGERED, step, lc=LC, update_every=timedelta(minutes=30), now=T0 + timedelta(minutes=3)
    )
    assert decided.lifecycle.phase == Phase.RESPONSE
    assert decided.lifecycle.next_update_due == T0 + timedelta(minutes=33)
    assert not decided.draft


def test_a_step_that_changes_the_severity_brings_the_next_update_within_the_new_cadence():
    acked = lifecycle.acknowledged(LC, T0 + timedelta(minutes=1)).lifecycle
    lc = replace(acked, next_update_due=T0 + timedelta(minutes=31))  # SEV2: every 30 minutes
    now = T0 + timedelta(minutes=10)
    step = escalation.raise_severity(PLAN, escalation.acknowledge(PLAN, opened(), T0, by="a").state, Severity.SEV1, now)
    kw = {"lc": lc, "update_every": timedelta(minutes=15), "now": now}
    decided = outcome.decide(PLAN, escalation.ACKNOWLEDGED, step, severity_before=Severity.SEV2, **kw)
    assert decided.lifecycle.next_update_due == T0 + timedelta(minutes=25)
    same = outcome.decide(PLAN, escalation.ACKNOWLEDGED, step, severity_before=Severity.SEV1, **kw)
    assert same.lifecycle.next_update_due == T0 + timedelta(minutes=31)


def test_resolution_enters_the_postmortem_and_opens_its_draft():
    step = escalation.resolve(opened(), T0 + timedelta(hours=1), reason="fixed")
    decided = outcome.decide(PLAN, escalation.TRIGGERED, step, lc=LC, now=T0 + timedelta(hours=1))
    assert decided.lifecycle.phase == Phase.POSTMORTEM and decided.draft


def test_a_step_that_keeps_the_status_leaves_the_lifecycle_alone():
    step = escalation.Step(opened())
    assert not outcome.moves_lifecycle(escalation.TRIGGERED, step)
    decided = outcome.decide(PLAN, escalation.TRIGGERED, step, now=T0)
    assert decided.lifecycle is None and decided.followed == () and not decided.draft


def test_a_lifecycle_change_comes_first_and_its_notices_page_the_current_level():
    entry = lifecycle.add_note(LC, "looking", T0, by="alice").entries
    change = Change(LC, entry, (Notice("oncall", page_steps.notice("breach:response"), "response target breached"),))
    decided = outcome.decide(PLAN, escalation.TRIGGERED, escalation.Step(opened()), change=change, now=T0)
    assert [(p.target.name, p.step.key) for p in decided.step.pages] == [("oncall-sre", "breach:response")]
    assert decided.step.entries[0] == entry[0]
    assert decided.chat == decided.step.entries


def test_nobody_is_paged_for_a_notice_while_paging_is_held_and_the_timeline_says_so():
    held = replace(opened(), held=noise.MAINTENANCE, due_at=T0 + timedelta(hours=2))
    change = Change(LC, (), (Notice("oncall", page_steps.notice("update0:miss1"), "update overdue"),))
    decided = outcome.decide(PLAN, escalation.TRIGGERED, escalation.Step(held), change=change, now=T0)
    assert decided.step.pages == ()
    assert [e.kind for e in decided.step.entries] == ["not_paged"]


def test_a_low_urgency_severity_pages_nobody_for_breaches():
    assert targets.pages(PLAN, Severity.SEV2)
    assert not targets.pages(PLAN, Severity.SEV4)


def test_a_postmortem_reminder_pages_the_person_else_the_current_level():
    due = T0 + timedelta(days=7)
    assert postmortem.reminder_notice("alice", due, T0) == Notice(
        "commander", page_steps.notice("postmortem:due"), f"post-mortem due {postmortem.stamp(due)} UTC", "alice"
    )
    assert postmortem.reminder_notice(None, due, due).to == "oncall"


def test_a_follow_up_reminder_pages_its_owner_and_nobody_without_one():
    item = follow_up_rules.FollowUp(1, "add an alert", "team", "sre", T0.date(), "open", 0, "")
    assert follow_up_rules.reminder_notice(item, follow_up_rules.DUE).to == "team"
    assert follow_up_rules.reminder_notice(replace(item, owner_name=None), follow_up_rules.DUE) is None


def test_after_a_persons_choice_only_alerts_newer_than_it_raise_the_severity():
    chosen = T0 + timedelta(minutes=10)
    old, new = (Severity.SEV1, T0, None), (Severity.SEV2, T0 + timedelta(minutes=20), None)
    assert lifecycle.severity_after_choice(chosen, [old, new]) == Severity.SEV2
    assert lifecycle.severity_after_choice(chosen, [old]) is None


def test_an_actor_names_itself_on_entries_and_carries_its_data():
    assert Actor.api("ci-bot").name == "api:ci-bot" and Actor.api("ci-bot").says == "ci-bot (API)"
    assert Actor.pagerduty("Alice").data == {"pagerduty_user": "Alice"}
    assert Actor.link("user:alice").name == "alice"
    assert Actor.link("team:sre").name == "team:sre"
    assert str(SYSTEM) == "system"


def test_a_batch_of_repeats_leaves_its_incident_alone_and_anything_new_catches_it_up():
    from incidents.timeline import changes_incident

    repeats = {"numbered": True, "group_resolved": False, "firing": Severity.SEV3, "severity": Severity.SEV3}
    assert not changes_incident(**repeats, alerts=0)
    assert changes_incident(**repeats, alerts=1)
    assert changes_incident(**(repeats | {"numbered": False}), alerts=0)
    assert changes_incident(**(repeats | {"group_resolved": True}), alerts=0)
    assert changes_incident(**(repeats | {"firing": Severity.SEV1}), alerts=0)
    assert not changes_incident(**(repeats | {"firing": None}), alerts=0)
