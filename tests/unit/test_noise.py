"""Noise control decisions with controlled time: holds, their release, flaps, the budget's words."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import escalation, noise
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.severity import Severity

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
PLAN = Plan(
    EscalationPolicy(
        (Level((Target("user", "oncall-sre"),), timedelta(minutes=5)), Level((Target("user", "boss"),), timedelta(1)))
    )
)
WINDOW = noise.Window(3, ("payments",), NOW - timedelta(hours=1), NOW + timedelta(hours=2), "db upgrade", "alice")


def test_an_active_window_holds_until_its_end_and_says_so():
    hold = noise.hold("payments", [WINDOW], flap_hold=None, opened_at=NOW, now=NOW)
    assert hold == noise.Hold("maintenance", WINDOW.end, "maintenance window 3 (db upgrade) until 14:00 UTC")


@pytest.mark.parametrize(
    "service, now", [("shop", NOW), ("payments", WINDOW.end), ("payments", WINDOW.start - timedelta(seconds=1))]
)
def test_a_window_of_another_service_or_time_holds_nothing(service, now):
    assert noise.hold(service, [WINDOW], flap_hold=None, opened_at=now, now=now) is None


def test_the_flap_hold_lasts_from_the_opening_and_the_later_hold_wins():
    flap = noise.hold("shop", [], flap_hold=timedelta(minutes=2), opened_at=NOW, now=NOW)
    assert (flap.kind, flap.until) == ("flap", NOW + timedelta(minutes=2))
    assert noise.hold("shop", [], flap_hold=timedelta(minutes=2), opened_at=NOW, now=flap.until) is None
    both = noise.hold("payments", [WINDOW], flap_hold=timedelta(minutes=2), opened_at=NOW, now=NOW)
    assert both.kind == "maintenance"


def test_a_held_incident_pages_nobody_then_pages_the_first_level_when_the_hold_ends():
    hold = noise.hold("payments", [WINDOW], flap_hold=None, opened_at=NOW, now=NOW)
    step = escalation.start(PLAN, Severity.SEV3, NOW, hold)
    assert step.pages == () and step.state.held == "maintenance" and step.state.due_at == WINDOW.end
    assert step.entries[0].message == "not paged: maintenance window 3 (db upgrade) until 14:00 UTC"
    assert escalation.wake(PLAN, step.state, WINDOW.end - timedelta(seconds=1)).pages == ()
    released = escalation.wake(PLAN, step.state, WINDOW.end)
    assert [p.target.name for p in released.pages] == ["oncall-sre"] and released.state.held == ""
    assert released.pages[0].reason == "maintenance window over, still firing"


def test_a_hold_that_ends_inside_another_window_is_held_again():
    flap = escalation.start(PLAN, Severity.SEV3, NOW, noise.Hold("flap", NOW + timedelta(minutes=2), "flap hold"))
    later = noise.hold("payments", [WINDOW], flap_hold=None, opened_at=NOW, now=NOW + timedelta(minutes=2))
    again = escalation.wake(PLAN, flap.state, NOW + timedelta(minutes=2), later)
    assert again.pages == () and again.state.held == "maintenance"


def test_an_incident_resolved_within_the_flap_hold_is_recorded_as_a_flap():
    step = escalation.start(PLAN, Severity.SEV3, NOW, noise.Hold("flap", NOW + timedelta(minutes=2), "flap hold"))
    resolved = escalation.resolve(step.state, NOW + timedelta(seconds=30), reason="all alerts resolved")
    assert [e.kind for e in resolved.entries] == ["resolved", "flapped"]
    window = escalation.start(PLAN, Severity.SEV3, NOW, noise.Hold("maintenance", WINDOW.end, "w"))
    assert [e.kind for e in escalation.resolve(window.state, NOW, reason="r").entries] == ["resolved"]


def test_a_severity_rise_while_held_waits_for_the_release_and_sev1_then_pages_both_levels():
    step = escalation.start(PLAN, Severity.SEV3, NOW, noise.Hold("flap", NOW + timedelta(minutes=2), "flap hold"))
    risen = escalation.raise_severity(PLAN, step.state, Severity.SEV1, NOW)
    assert risen.pages == () and risen.state.held == "flap"
    released = escalation.wake(PLAN, risen.state, NOW + timedelta(minutes=2))
    assert [p.target.name for p in released.pages] == ["oncall-sre", "boss"]


def test_the_budget_admits_n_pages_then_words_the_rest():
    budget = noise.PageBudget(5, timedelta(minutes=10))
    assert [noise.admitted(budget, sent) for sent in (0, 4, 5)] == [True, True, False]
    assert noise.admitted(None, 10_000)
    assert noise.suppressed("oncall-sre", budget, None, NOW).message == (
        "not paged: oncall-sre's page budget (5 in 10 min) is spent; summarised"
    )
    assert noise.summary_text("oncall-sre", {"payment-service": 12}, budget).startswith(
        "12 more incidents on payment-service"
    )
    assert (
        noise.summary_text("x", {"a": 1, "b": 2}, None) == "3 more incidents on a (1), b (2): x's page budget is spent"
    )


def test_window_times_take_a_time_or_a_duration_and_name_the_wrong_field():
    assert noise.window_times(None, "2 hours", NOW) == (NOW, NOW + timedelta(hours=2))
    assert noise.window_times("2026-12-03T13:00:00Z", "2026-12-03T15:00:00", NOW)[1] == NOW + timedelta(hours=3)
    for start, end, field in (
        (None, "soon", "end"),
        ("2026-12-03T13:00Z", "2026-12-03T12:30Z", "end"),
        ("x", "1h", "start"),
    ):
        with pytest.raises(ValueError, match=f"^{field}: "):
            noise.window_times(start, end, NOW)


def test_the_config_takes_a_top_level_budget_a_per_service_override_and_a_flap_hold(tmp_path):
    import shutil

    from settings.catalog import load_catalog
    from tests.support import ROOT

    shutil.copytree(ROOT / "config", tmp_path, dirs_exist_ok=True)
    text = (tmp_path / "services.yaml").read_text()
    text = text.replace("services:\n", "page_budget: {pages: 5, per: 10 minutes}\nservices:\n", 1)
    text = text.replace("      name: production-api\n", "      name: production-api\n      flap_hold: 2 minutes\n"
                        "      page_budget: {pages: 0, per: 1 minute}\n", 1)  # fmt: skip
    (tmp_path / "services.yaml").write_text(text)
    catalog = load_catalog(tmp_path)
    assert catalog.budget_of("payment-service") == noise.PageBudget(5, timedelta(minutes=10))
    assert catalog.budget_of("production-api") is None
    assert catalog.flap_hold_of("production-api") == timedelta(minutes=2)
    assert catalog.flap_hold_of("payment-service") is None
