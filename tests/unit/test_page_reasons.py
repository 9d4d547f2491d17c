"""Pages say why they come (issue #14 §2): a missed update, a breach, an acknowledgement timeout and an
escalation carry different summaries; pages to one target decided together go out as one page naming
every reason."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from incidents import escalation, lifecycle, outcome, targets
from incidents.escalation_state import Page
from incidents.page_steps import StepKind, level, notice
from incidents.paging import one_per_target, trigger_event
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.severity import Severity

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
SRE, MANAGER = Target("user", "oncall-sre"), Target("user", "sre-manager")
SEED = EscalationPolicy((Level((SRE,), timedelta(minutes=30)), Level((MANAGER,), timedelta(minutes=15))))


def summary(page: Page) -> str:
    """The PagerDuty summary of `page` as the worker sends it for INC-4 "Disk full on db-1"."""
    row = SimpleNamespace(
        number=4, title="Disk full on db-1", service="api", severity=3, incident_status="triggered",
        routing_key="k", dedup_key="d", target_kind=page.target.kind, target_name=page.target.name,
        reason=page.reason, headline=page.headline, step_kind=page.step.kind,
    )  # fmt: skip
    return trigger_event(row, labels={}, incident_url="u", ack_url="a")["payload"]["summary"]


def summaries(step) -> list[str]:
    return [summary(page) for page in step.pages]


def test_the_first_page_is_the_incident_s_title_alone():
    assert summaries(escalation.start(Plan(SEED), Severity.SEV3, T0)) == ["[INC-4] Disk full on db-1"]


def test_an_escalation_says_how_long_nobody_acknowledged():
    plan = Plan(SEED)
    opened = escalation.start(plan, Severity.SEV3, T0)
    climbed = escalation.wake(plan, opened.state, T0 + timedelta(minutes=30))
    assert summaries(climbed) == ["[INC-4] still unacknowledged after 30 min: Disk full on db-1"]


def test_an_acknowledgement_timeout_says_so():
    plan = Plan(SEED, ack_timeout=timedelta(minutes=20))
    acked = escalation.acknowledge(plan, escalation.start(plan, Severity.SEV3, T0).state, T0, by="alice")
    timed_out = escalation.wake(plan, acked.state, T0 + timedelta(minutes=20))
    assert summaries(timed_out) == ["[INC-4] acknowledgement timed out after 20 min: Disk full on db-1"]


def test_a_manual_escalation_names_who_asked():
    plan = Plan(SEED)
    asked = escalation.escalate_now(plan, escalation.start(plan, Severity.SEV3, T0).state, T0, by="alice")
    assert summaries(asked) == ["[INC-4] escalated by alice: Disk full on db-1"]


def sweep_pages(lc, now, *, severity=Severity.SEV1):
    """The pages the target sweep's outcome sends (as commands.targets writes it)."""
    plan = Plan(SEED)
    change = targets.sweep(lc, severity, targets.Targets(), now)
    state = escalation.State("acknowledged", severity, T0, level=0)
    return outcome.decide(plan, state.status, escalation.Step(state), change=change, now=now).step.pages


def begun(**changes):
    """Acknowledged at once (Response entered at T0): a SEV1's mitigation target falls due at 30 min."""
    lc = lifecycle.begin(opened_at=T0, problem_started_at=T0, service="api")
    return replace(lc, phase_times=((lifecycle.Phase.RESPONSE, T0),), **changes)


def test_a_breach_and_a_missed_update_each_say_what_they_are():
    breach = sweep_pages(begun(), T0 + timedelta(minutes=31))
    assert [summary(page) for page in breach] == ["[INC-4] mitigation target breached: Disk full on db-1"]
    missed = sweep_pages(
        begun(breaches=("mitigation",), next_update_due=T0 + timedelta(minutes=20)), T0 + timedelta(minutes=20)
    )
    assert [summary(page) for page in missed] == ["[INC-4] update overdue: Disk full on db-1"]


def test_a_breach_and_a_missed_update_due_in_one_sweep_page_the_commander_once_naming_both():
    lc = begun(commander="alice", next_update_due=T0 + timedelta(minutes=15))
    [page] = sweep_pages(lc, T0 + timedelta(minutes=31))
    assert page.target == Target("user", "alice")
    assert summary(page) == "[INC-4] mitigation target breached, update overdue: Disk full on db-1"
    assert page.reason == "Target breached: mitigation; status update overdue"


def test_pages_to_different_targets_stay_apart_and_the_step_an_acknowledgement_spares_is_kept():
    first = Page(SRE, level(0, 0), "first level")
    at_once = Page(SRE, replace(level(0, 1), kind=StepKind.AT_ONCE), "SEV1: paged at once")
    other = Page(MANAGER, notice("breach:response"), "Target breached: response", "response target breached")
    [combined, apart] = one_per_target((first, at_once, other))
    assert combined.step.kind == StepKind.AT_ONCE and combined.reason == "first level; SEV1: paged at once"
    assert combined.headline == "" and apart == other
