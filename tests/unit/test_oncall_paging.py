"""Paging a schedule (incidents/oncall.py): the person on call when the level is paged, and a level
with nobody on call skipped at once (issue #16 §5)."""

from datetime import UTC, datetime, timedelta

from incidents import escalation, outcome
from incidents.oncall import FALLBACK
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.severity import Severity

T0 = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
PRIMARY, MANAGER = Target("schedule", "sre-primary"), Target("user", "sre-manager")
PLAN = Plan(EscalationPolicy((Level((PRIMARY,), timedelta(minutes=30)), Level((MANAGER,), timedelta(minutes=15)))))


def opened(plan=PLAN, who=lambda schedule: "alice"):
    step = escalation.start(plan, Severity.SEV3, T0)
    return outcome.decide(plan, escalation.TRIGGERED, step, now=T0, who=who).step


def test_a_level_targeting_a_schedule_pages_whoever_is_on_call_and_says_who():
    step = opened()
    assert [(p.target.kind, p.target.name) for p in step.pages] == [("user", "alice")]
    assert step.entries[0].message == "Paging level 1 (schedule sre-primary: alice): first level"
    assert step.state.level == 0 and step.state.due_at == T0 + timedelta(minutes=30)


def test_a_level_with_nobody_on_call_is_skipped_at_once_and_the_next_level_paged():
    step = opened(who=lambda schedule: None)
    assert [(p.target.kind, p.target.name) for p in step.pages] == [("user", "sre-manager")]
    assert [e.kind for e in step.entries] == ["paged", "nobody_on_call", "paged"]
    assert step.entries[1].message == "Nobody is on call on schedule sre-primary"
    assert step.entries[2].message == "Paging level 2 (user sre-manager): nobody on call at level 1"
    assert step.state.level == 1 and step.state.due_at == T0 + timedelta(minutes=15)  # no wait for level 1


def test_a_policy_with_nobody_on_any_level_pages_the_services_fallback():
    plan = Plan(EscalationPolicy((Level((PRIMARY,), timedelta(minutes=30)),)))
    step = opened(plan, who=lambda schedule: None)
    assert [p.target for p in step.pages] == [FALLBACK]
    assert (
        step.entries[-1].message
        == "Paging the service's fallback routing key: nobody is on call on any level of the policy"
    )


def test_the_person_on_call_is_asked_when_the_level_is_paged_not_when_the_incident_opened():
    first = opened(who=lambda schedule: "alice")
    later = escalation.wake(PLAN, first.state, T0 + timedelta(minutes=30))
    back_to_one = escalation.escalate_now(
        Plan(EscalationPolicy(PLAN.policy.levels, repeat=1)), later.state, T0 + timedelta(minutes=45), by="x"
    )
    resolved = outcome.decide(PLAN, escalation.TRIGGERED, back_to_one, now=T0, who=lambda schedule: "bob").step
    assert [p.target.name for p in resolved.pages] == ["bob"]
