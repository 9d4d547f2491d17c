"""The post-mortem draft follows the issue's template, its action items parse back, and blame is flagged."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from incidents import blame, postmortem
from incidents.severity import Severity

T0 = datetime(2024, 1, 15, 14, 2, tzinfo=UTC)


def _entry(id_, minutes, kind, message, **data):
    return SimpleNamespace(id=id_, at=T0 + timedelta(minutes=minutes), kind=kind, message=message, data=data)


# A recorded timeline: opened, acknowledged twice, notes (one pinned), a rollback decision, Monitoring, resolved.
ENTRIES = (
    _entry(1, 0, "opened", "Incident opened"),
    _entry(2, 0, "paged", "Paged oncall-sre"),
    _entry(3, 3, "acknowledged", "Acknowledged by oncall-sre"),
    _entry(4, 10, "note", "Pool size looks small"),
    _entry(5, 18, "note", "Connection pool exhausted after the 14:00 deploy"),
    _entry(6, 20, "rollback_decided", "We roll back deploy 42", change_id=42, summary="payments v1.4.2 (pool config)"),
    _entry(7, 25, "acknowledged", "Acknowledged by alice"),
    _entry(8, 30, "status", "Status: Monitoring (set by alice)", status="Monitoring"),
    _entry(9, 72, "resolved", "Resolved by alice"),
)
FACTS = postmortem.Facts(
    number=123,
    title="Payment Service Outage",
    service="payment-service",
    severity=Severity.SEV1,
    source="alertmanager",
    problem_started_at=T0,
    resolved_at=T0 + timedelta(minutes=72),
    alerts=3,
    affected=("payment-service", "checkout"),
    entries=ENTRIES,
    pinned=(5,),
    open_actions=("Rolling restart of payment pods",),
)


def test_the_draft_has_the_templates_sections_in_order():
    text = postmortem.draft(FACTS)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Incident Post-Mortem: #inc-123"] + [f"## {name}" for name in postmortem.SECTIONS]


def test_the_summary_names_service_duration_and_trigger():
    summary = postmortem.section(postmortem.draft(FACTS), "Summary")
    assert summary == (
        "SEV1 incident on payment-service, lasting 1 h 12 min, triggered by Alertmanager: Payment Service Outage."
    )


def test_the_impact_has_known_numbers_and_placeholders_for_the_rest():
    impact = postmortem.section(postmortem.draft(FACTS), "Impact").splitlines()
    assert impact[:3] == [
        "- Duration: 1 h 12 min (from 2024-01-15 14:02 to 2024-01-15 15:14 UTC)",
        "- Alerts: 3",
        "- Affected services: payment-service, checkout",
    ]
    assert "- Customers affected: [customers affected: ?]" in impact


def test_the_timeline_has_the_key_events_in_utc():
    timeline = postmortem.section(postmortem.draft(FACTS), "Timeline (UTC)")
    assert timeline.splitlines() == [
        "- 2024-01-15 14:02 - Alert triggered (Alertmanager)",
        "- 2024-01-15 14:05 - Acknowledged by on-call",
        "- 2024-01-15 14:20 - Root cause identified: Connection pool exhausted after the 14:00 deploy",
        "- 2024-01-15 14:22 - Rollback decided: we roll back payments v1.4.2 (pool config)",
        "- 2024-01-15 14:32 - Mitigation deployed (status: Monitoring)",
        "- 2024-01-15 15:14 - Full recovery (resolved)",
    ]


def test_root_cause_factors_actions_and_lessons_are_prefilled():
    text = postmortem.draft(FACTS)
    assert "Noted during the incident: Connection pool exhausted" in postmortem.section(text, "Root Cause")
    factors = postmortem.section(text, "Contributing Factors")
    assert "- Rollback decisions: 2024-01-15 14:22: we roll back payments v1.4.2 (pool config)" in factors
    assert postmortem.section(text, "Action Items") == "- [ ] Rolling restart of payment pods"
    assert postmortem.section(text, "Lessons Learned").startswith("[")


def test_a_draft_without_open_actions_has_a_placeholder_item_that_is_not_parsed():
    text = postmortem.draft(FACTS.__class__(**{**FACTS.__dict__, "open_actions": ()}))
    assert postmortem.section(text, "Action Items").startswith("- [ ] [action item]")
    assert postmortem.action_items(text) == ([], [])


def test_action_items_parse_with_owner_due_and_done():
    text = """## Root Cause
- [ ] not an action item
## Action Items
- [ ] Add connection pool metrics to dashboards (Owner: Bob, Due: 2024-01-22)
- [x] Raise the pool size (Owner: @alice)
* [ ] Alert on pool saturation
- [ ] Load test (Due: 2024-02-01)
## Lessons Learned
"""
    items, problems = postmortem.action_items(text)
    assert items == [
        postmortem.ActionItem("Add connection pool metrics to dashboards", False, "Bob", date(2024, 1, 22)),
        postmortem.ActionItem("Raise the pool size", True, "alice", None),
        postmortem.ActionItem("Alert on pool saturation"),
        postmortem.ActionItem("Load test", False, None, date(2024, 2, 1)),
    ]
    assert problems == []
    assert items[0].line() == "- [ ] Add connection pool metrics to dashboards (Owner: Bob, Due: 2024-01-22)"


def test_a_bad_due_date_is_a_problem_not_an_error():
    items, problems = postmortem.action_items("## Action Items\n- [ ] Fix it (Owner: Bob, Due: next week)\n")
    assert items == [postmortem.ActionItem("Fix it", False, "Bob", None)]
    assert problems == ["Fix it (Owner: Bob, Due: next week): due date 'next week' is not YYYY-MM-DD"]


@pytest.mark.parametrize("severity", [Severity.SEV1, Severity.SEV2])
def test_sev1_and_sev2_may_not_skip(severity):
    with pytest.raises(ValueError, match="always needs"):
        postmortem.skipped(severity, "small", by="alice")


def test_sev3_skips_with_a_reason_only():
    with pytest.raises(ValueError, match="say why"):
        postmortem.skipped(Severity.SEV3, "  ", by="alice")
    entry = postmortem.skipped(Severity.SEV4, "duplicate of INC-7", by="alice")
    assert entry.kind == "postmortem_skipped" and entry.data == {"reason": "duplicate of INC-7"}


def test_reminders_come_two_days_before_due_and_when_overdue():
    resolved = T0
    due = resolved + timedelta(days=7)
    assert postmortem.reminder_times(due, resolved) == (resolved + timedelta(days=5), due)
    assert postmortem.reminder_times(resolved + timedelta(days=1), resolved) == (resolved + timedelta(days=1),)


PEOPLE = ("alice", "oncall-sre", "Bob")


def _root(text: str) -> str:
    return f"## Summary\nok\n## Root Cause\n{text}\n## Lessons Learned\nok\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Bob deployed a config with a pool of 5.", "Bob"),
        ("The pool was small. @alice's change shrank it.", "alice"),
        ("The outage was caused by oncall-sre restarting the primary.", "oncall-sre"),
        ("Because Bob skipped the canary, the pool shrank.", "Bob"),
        ("A careless change shrank the pool.", "careless"),
        ("We should have load tested it.", "should have"),
        ("It was the fault of the deployer.", "fault of"),
        ("Human error.", "human error"),
        ("The engineer forgot to run the migration.", "forgot to"),
        ("On-call failed to notice the alert.", "failed to notice"),
    ],
)
def test_blaming_wording_is_flagged_with_a_reason(text, words):
    found = blame.flags(_root(text), people=PEOPLE)
    assert words in [flag.words for flag in found]
    assert all(blame.WHY in flag.why for flag in found)


@pytest.mark.parametrize(
    "text",
    [
        "The deploy pipeline let a pool size of 5 through: no check compares it with the traffic.",
        "The change was reviewed by Bob and alice; the review template has no capacity question.",
        "The connection pool failed to recover after the database restart.",
        "This post-mortem is blameless.",
        "Malice was not involved; a Bobcat image was.",
    ],
)
def test_blameless_wording_is_not_flagged(text):
    assert blame.flags(_root(text), people=PEOPLE) == []


def test_a_name_outside_the_root_cause_is_not_flagged_as_a_subject():
    text = "## Timeline (UTC)\nBob acknowledged.\n## Root Cause\nThe pool was too small.\n"
    assert blame.flags(text, people=PEOPLE) == []


def test_the_phrase_list_is_configurable():
    found = blame.flags(_root("A lazy rollout."), people=(), phrases={"lazy": "judges a person"})
    assert [(f.words, f.section) for f in found] == [("lazy", "Root Cause")]
    assert blame.flags(_root("A careless rollout."), people=(), phrases={"lazy": "x"}) == []


def test_the_draft_action_items_are_open_actions_not_the_playbook_prompts():
    actions = ("Fail over to a backup", "roll back to the last good version", "Add pool metrics to the dashboard")
    draft = postmortem.draft(FACTS.__class__(**{**FACTS.__dict__, "open_actions": actions}))
    assert postmortem.section(draft, "Action Items") == "- [ ] Add pool metrics to the dashboard"


@pytest.mark.parametrize(
    "note, said",
    [
        ("Identified DB connection pool exhaustion", "Root cause identified: DB connection pool exhaustion"),
        ("identified: a bad index", "Root cause identified: A bad index"),
        ("Root cause identified: the cache", "Root cause identified: The cache"),
        ("Cache stampede", "Root cause identified: Cache stampede"),
    ],
)
def test_the_root_cause_key_event_does_not_say_identified_twice(note, said):
    entries = (_entry(1, 0, "opened", "Incident opened"), _entry(2, 5, "note", note))
    facts = FACTS.__class__(**{**FACTS.__dict__, "entries": entries, "pinned": (2,)})
    assert [text for _, text in postmortem.key_events(facts)][1] == said
