"""Escalation rules end to end: SEV1 pages the manager at once, SEV2 escalates when unresolved,
the acknowledgement timeout pages again, the API escalates, adds responders and resolves, SEV4
never pages. Real gunicorn, Celery worker and beat; PagerDuty is the fake over HTTP.
"""

import time

import pytest
import requests

from tests.e2e.conftest import API_TOKEN, EXPERT_KEY, MANAGER_KEY, READ, SRE_KEY
from tests.e2e.test_escalation_smoke import post_alert
from tests.e2e.test_paging_failures import worker_ready
from tests.support import eventually

pytestmark = pytest.mark.e2e

WAIT = 30  # seconds: generous, other suites share this 2-core machine


def api(stack, action, *, token=API_TOKEN, json=None, incident="INC-1"):
    """POST an action on an incident through the API, with a Bearer token unless `token` is None."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(f"{stack.web}/api/incidents/{incident}/{action}", json=json, headers=headers, timeout=10)


def incident(stack, ref="INC-1") -> dict:
    answer = requests.get(f"{stack.web}/api/incidents/{ref}", headers=READ, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def entries(stack, kind, ref="INC-1") -> list[dict]:
    return [entry for entry in incident(stack, ref)["timeline"] if entry["kind"] == kind]


def sent(stack, action, key=None) -> list[dict]:
    """Events the fake PagerDuty accepted with this action (and routing key)."""
    return [
        e for e in stack.pagerduty.events if e["event_action"] == action and (key is None or e["routing_key"] == key)
    ]


def quiet_for(seconds: float) -> None:
    """A short wait in which nothing more should happen."""
    time.sleep(seconds)


def test_sev1_pages_the_first_and_the_last_level_at_once(start_stack):
    stack = start_stack(level_timeouts=(30, 30))
    post_alert(stack, severity="P1")

    # Both arrive well before the first level's 30 s timeout could have escalated.
    eventually(lambda: sent(stack, "trigger", SRE_KEY) and sent(stack, "trigger", MANAGER_KEY), timeout=25)
    (sre,), (manager,) = sent(stack, "trigger", SRE_KEY), sent(stack, "trigger", MANAGER_KEY)
    assert manager["payload"]["severity"] == "critical"
    assert manager["payload"]["custom_details"]["reason"] == "SEV1: paged at once"
    assert sre["dedup_key"] != manager["dedup_key"]

    detail = incident(stack)
    assert detail["severity"] == "SEV1" and detail["status"] == "triggered"
    paged = [entry["data"]["level"] for entry in detail["timeline"] if entry["kind"] == "paged"]
    assert paged == [1, 2]


def test_sev1_manager_is_not_paged_again_when_the_policy_reaches_the_last_level(start_stack):
    stack = start_stack(level_timeouts=(2, 2))
    post_alert(stack, severity="SEV1")
    eventually(lambda: sent(stack, "trigger", SRE_KEY) and sent(stack, "trigger", MANAGER_KEY), timeout=WAIT)

    # 2 s: the policy reaches level 2 (the manager, already paged); 4 s: nothing is left.
    eventually(lambda: entries(stack, "escalation_exhausted"), timeout=WAIT)
    quiet_for(1)  # a duplicate page would have been queued with the step that reached level 2
    assert len(sent(stack, "trigger", MANAGER_KEY)) == 1
    assert len(sent(stack, "trigger", SRE_KEY)) == 1
    paged = [entry["data"]["level"] for entry in entries(stack, "paged")]
    assert paged[:2] == [1, 2]  # level 1, and SEV1's level 2 at once
    assert incident(stack)["status"] == "triggered"


def test_an_incident_raised_to_sev1_pages_the_manager_at_once(start_stack):
    stack = start_stack(level_timeouts=(30, 30))
    post_alert(stack, severity="warning")
    eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)
    assert not sent(stack, "trigger", MANAGER_KEY)

    post_alert(stack, severity="SEV1")  # the same group, now SEV1
    (manager,) = eventually(lambda: sent(stack, "trigger", MANAGER_KEY), timeout=20)
    assert manager["payload"]["custom_details"]["reason"] == "SEV1: paged at once"
    assert len(sent(stack, "trigger", SRE_KEY)) == 1  # the first level is not paged a second time
    detail = incident(stack)
    assert detail["severity"] == "SEV1"
    assert [entry["data"]["level"] for entry in detail["timeline"] if entry["kind"] == "paged"] == [1, 2]


def test_sev2_acknowledged_but_unresolved_escalates_after_its_window(start_stack):
    stack = start_stack(level_timeouts=(60, 60), sev2_window="3s", ack_timeout="0")
    # The window counts from the opening: with the worker still booting (seconds on a loaded machine) it
    # could pass before the acknowledgement this test is about (that race: tests/integration/test_incident_actions.py).
    eventually(lambda: worker_ready(stack.processes["worker"]), timeout=WAIT)
    opened = time.monotonic()
    post_alert(stack, severity="critical")
    eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)
    answer = api(stack, "acknowledge")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "acknowledged" and answer.json()["severity"] == "SEV2"

    (manager,) = eventually(lambda: sent(stack, "trigger", MANAGER_KEY), timeout=WAIT)
    assert time.monotonic() - opened >= 2.5  # the window, not the 60 s level timeout and not at once
    assert manager["payload"]["custom_details"]["reason"] == "SEV2 still unresolved after 3 s"

    detail = incident(stack)
    assert detail["status"] == "acknowledged"  # escalated, yet still acknowledged
    paged = [entry for entry in detail["timeline"] if entry["kind"] == "paged"]
    assert [entry["data"]["level"] for entry in paged] == [1, 2]
    assert "still unresolved" in paged[1]["message"]
    quiet_for(2)
    assert len(sent(stack, "trigger")) == 2  # one escalation per window, no repeat


def test_acknowledgement_timeout_sends_the_incident_back_to_triggered_and_pages_again(start_stack):
    stack = start_stack(level_timeouts=(60, 60), ack_timeout="3s")
    post_alert(stack)
    (first,) = eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)
    answer = api(stack, "acknowledge")
    acknowledged = time.monotonic()
    assert answer.status_code == 200 and answer.json()["status"] == "acknowledged", answer.text

    (ack,) = eventually(lambda: sent(stack, "acknowledge"), timeout=WAIT)
    assert (ack["routing_key"], ack["dedup_key"]) == (SRE_KEY, first["dedup_key"])

    triggers = eventually(
        lambda: len(sent(stack, "trigger", SRE_KEY)) == 2 and sent(stack, "trigger", SRE_KEY), timeout=WAIT
    )
    assert time.monotonic() - acknowledged >= 2.5
    assert triggers[1]["payload"]["group"] == "INC-1"
    assert triggers[1]["payload"]["custom_details"]["reason"] == "acknowledgement timed out"
    # A key of its own: PagerDuty would fold a trigger on the acknowledged key and ring nobody.
    assert triggers[1]["dedup_key"] != first["dedup_key"]
    assert not sent(stack, "trigger", MANAGER_KEY)

    # The worker writes "page_sent" once it recorded PagerDuty's answer, just after the fake saw it.
    detail = eventually(lambda: delivered_twice(incident(stack)), timeout=WAIT)
    assert detail["status"] == "triggered" and detail["acknowledged_at"] is None
    kinds = [entry["kind"] for entry in detail["timeline"]]
    assert kinds[kinds.index("acknowledged") :] == ["acknowledged", "ack_timeout", "paged", "page_sent"]
    assert [e["data"]["level"] for e in detail["timeline"] if e["kind"] == "paged"] == [1, 1]


def delivered_twice(detail: dict) -> dict | None:
    """The incident once two of its pages are recorded as delivered on its timeline."""
    return detail if [e["kind"] for e in detail["timeline"]].count("page_sent") == 2 else None


def test_api_escalates_to_the_next_level_and_pages_an_added_responder_at_once(start_stack):
    stack = start_stack(level_timeouts=(60, 60))
    post_alert(stack)
    eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)

    answer = api(stack, "escalate")
    assert answer.status_code == 200, answer.text
    assert answer.json()["pages_queued"] == 1
    (manager,) = eventually(lambda: sent(stack, "trigger", MANAGER_KEY), timeout=WAIT)  # not after 60 s
    assert manager["payload"]["custom_details"]["reason"] == "escalated by e2e-operator (API)"

    answer = api(stack, "responders", json={"user": "payments-expert"})
    assert answer.status_code == 200, answer.text
    (expert,) = eventually(lambda: sent(stack, "trigger", EXPERT_KEY), timeout=WAIT)
    assert expert["payload"]["custom_details"]["paged"] == "user payments-expert"

    timeline = incident(stack)["timeline"]
    paged = [entry for entry in timeline if entry["kind"] == "paged"]
    assert [entry["data"]["level"] for entry in paged] == [1, 2]
    assert "escalated by e2e-operator (API)" in paged[1]["message"]
    assert [entry["message"] for entry in timeline if entry["kind"] == "responder_added"] == [
        "e2e-operator (API) paged user payments-expert as a responder"
    ]


def test_api_actions_without_a_valid_token_are_refused_and_change_nothing(start_stack):
    stack = start_stack(level_timeouts=(60, 60))
    post_alert(stack)
    eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)

    for token in (None, "", "not-the-token", API_TOKEN + "x"):
        for action, body in (
            ("escalate", None),
            ("responders", {"user": "payments-expert"}),
            ("acknowledge", None),
            ("resolve", None),
        ):
            answer = api(stack, action, token=token, json=body)
            assert answer.status_code == 401, (action, token, answer.status_code, answer.text)
    unknown = api(stack, "responders", json={"user": "nobody-at-all"})
    assert unknown.status_code == 400, unknown.text

    quiet_for(2)
    assert [e["routing_key"] for e in stack.pagerduty.events] == [SRE_KEY]
    detail = incident(stack)
    assert detail["status"] == "triggered"
    assert [entry["kind"] for entry in detail["timeline"]].count("paged") == 1
    assert "acknowledged" not in [entry["kind"] for entry in detail["timeline"]]


def test_resolving_through_the_api_resolves_every_page_sent_once_and_stops_escalation(start_stack):
    # Level 1 waits 30 s, so nothing escalates on its own while the worker boots on a busy machine.
    stack = start_stack(level_timeouts=(30, 3), repeat=1, ack_timeout="2s")
    post_alert(stack)
    (first,) = eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)
    assert api(stack, "acknowledge").status_code == 200
    # 2 s later the acknowledgement times out: oncall-sre is paged again, on a dedup key of its own.
    eventually(lambda: len(sent(stack, "trigger", SRE_KEY)) == 2, timeout=WAIT)
    assert api(stack, "escalate").status_code == 200
    assert api(stack, "responders", json={"user": "payments-expert"}).status_code == 200
    eventually(lambda: sent(stack, "trigger", MANAGER_KEY) and sent(stack, "trigger", EXPERT_KEY), timeout=WAIT)

    answer = api(stack, "resolve")
    assert answer.status_code == 200 and answer.json()["status"] == "resolved", answer.text
    paged = {(e["routing_key"], e["dedup_key"]) for e in sent(stack, "trigger")}
    assert len(sent(stack, "trigger")) == 4 and {key for key, _ in paged} == {SRE_KEY, MANAGER_KEY, EXPERT_KEY}
    eventually(lambda: len(sent(stack, "resolve")) >= len(paged), timeout=WAIT)

    quiet_for(4)  # past the manager's 3 s timeout, after which the policy would loop back to level 1
    resolves = [(e["routing_key"], e["dedup_key"]) for e in sent(stack, "resolve")]
    assert sorted(resolves) == sorted(paged)  # one per routing key and dedup key, none twice
    assert [(e["routing_key"], e["dedup_key"]) for e in sent(stack, "acknowledge")] == [(SRE_KEY, first["dedup_key"])]
    actions = [e["event_action"] for e in stack.pagerduty.events]
    assert set(actions[actions.index("resolve") :]) == {"resolve"}  # nothing triggered after the resolve

    assert api(stack, "escalate").json()["pages_queued"] == 0  # a resolved incident pages nobody
    detail = incident(stack)
    assert detail["status"] == "resolved" and detail["timeline"][-1]["kind"] == "resolved"
    kinds = [entry["kind"] for entry in detail["timeline"]]
    assert "ack_timeout" in kinds and "responder_added" in kinds
    assert [entry["data"]["level"] for entry in detail["timeline"] if entry["kind"] == "paged"] == [1, 1, 2]


def test_low_urgency_opens_an_incident_with_a_timeline_entry_and_pages_nobody(start_stack):
    stack = start_stack(level_timeouts=(2, 2))
    post_alert(stack, severity="info")
    detail = incident(stack)
    assert detail["severity"] == "SEV4" and detail["status"] == "triggered"
    (entry,) = [entry for entry in detail["timeline"] if entry["kind"] == "low_urgency"]
    assert "SEV4" in entry["message"]

    # A second, paging incident shows the worker and beat are alive, so the silence means something.
    post_alert(stack, severity="warning", group='{}:{alertname="Other"}')
    eventually(lambda: sent(stack, "trigger", SRE_KEY), timeout=WAIT)
    quiet_for(3)  # past the 2 s level timeout: a SEV4 incident never escalates either
    assert {e["payload"]["group"] for e in sent(stack, "trigger")} == {"INC-2"}
    assert not [e for e in incident(stack)["timeline"] if e["kind"] == "paged"]
    assert incident(stack, "INC-2")["severity"] == "SEV3"
