"""The PagerDuty Events API v2 events we send for pages, built from plain values."""

import enum
from dataclasses import replace
from datetime import timedelta

from incidents.durations import spoken
from incidents.escalation_state import Page
from incidents.page_steps import PageStep, StepKind
from incidents.severity import Severity
from incidents.timeline import Entry

# PagerDuty knows four severities; ours map one to one.
PAGERDUTY_SEVERITY = {
    Severity.SEV1: "critical",
    Severity.SEV2: "error",
    Severity.SEV3: "warning",
    Severity.SEV4: "info",
}


def dedup_key(incident_id: int, kind: str, name: str, step: PageStep) -> str:
    """One PagerDuty dedup key per incident and target, and per step where the step sets its alert
    apart (PageStep.dedup_suffix: a later loop, a round, a rule's page, a notice)."""
    own_alert = step.kind in (StepKind.NOTICE, StepKind.REMINDER)
    return f"incident-{incident_id}-{kind}-{name}"[: 200 if own_alert else 240] + step.dedup_suffix


def summary_dedup_key(kind: str, name: str, epoch: int) -> str:
    """The dedup key of a page budget summary: one per target and period, apart from any incident's."""
    return f"budget-{kind}-{name}"[:230] + f"-{epoch}"


class PageState(enum.StrEnum):
    """What became of a page row (pages.status); a str, stored as its value."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SUPPRESSED = "suppressed"  # past its target's page budget (incidents.noise)


# A sent budget summary is never acknowledged or resolved by one incident: it stands for others too.
NOT_FOLLOWED_UP = frozenset({StepKind.SUMMARY})


def spared_by(action: str) -> frozenset[StepKind]:
    """The unsent triggers an `acknowledge` or a `resolve` does not cancel: a budget summary is about
    other incidents too; an acknowledgement spares responder pages (someone asked for that person
    explicitly), the "still unresolved" rule's pages (it escalates acknowledged or not) and the
    severity rule's page to the last level at once (SEV1 tells the manager whoever answers first);
    a resolve cancels all the rest. The kinds of step spared (a column of their own, which the store
    matches)."""
    if action == "resolve":
        return frozenset({StepKind.SUMMARY})
    return frozenset({StepKind.RESPONDER, StepKind.SUMMARY, StepKind.UNRESOLVED, StepKind.AT_ONCE})


def cancels(action: str, step: PageStep) -> bool:
    """True when `action` cancels an unsent trigger of `step`."""
    return step.kind not in spared_by(action)


def one_per_target(pages: tuple[Page, ...]) -> tuple[Page, ...]:
    """The pages of one decision (one command, one sweep's look at one incident), one per target: pages to
    the same target decided together go out as one page naming every reason (a breach and a missed update
    ring the commander once). Nothing waits for another decision: a page due now goes now."""
    groups: dict = {}
    for page in pages:
        groups.setdefault(page.target, []).append(page)
    return tuple(_combined(group) for group in groups.values())


def _combined(group: list[Page]) -> Page:
    """One page for `group`: the step of the one an acknowledgement spares, if any (it must still go out
    after an acknowledgement), else of the first; every reason and headline, in order, once."""
    if len(group) == 1:
        return group[0]
    kept = next((page for page in group if page.step.kind in spared_by("acknowledge")), group[0])
    reason = "; ".join(dict.fromkeys(page.reason for page in group))
    headline = ", ".join(dict.fromkeys(page.headline for page in group if page.headline))
    return replace(kept, reason=reason, headline=headline)


def summary_text(reference: str, headline: str, title: str) -> str:
    """`[INC-4] update overdue: Disk full on db-1`; without a headline (an incident's first page) the title only."""
    return f"[{reference}] {headline}: {title}" if headline else f"[{reference}] {title}"


def trigger_event(page, *, labels: dict, incident_url: str, ack_url: str) -> dict:
    """A `trigger` for one page (with its incident's number, title, service, severity and status): its
    summary says why it comes (summary_text), cut to 1024 characters; labels and incident fields as details."""
    reference = f"INC-{page.number}"
    # A follow-up's reminder is no outage: "info" (low urgency where PagerDuty sets urgency by severity), and it
    # says what is due rather than the old incident's title.
    reminder = page.step_kind == StepKind.REMINDER
    summary = f"[{reference}] {page.reason}" if reminder else summary_text(reference, page.headline, page.title)
    return {
        "routing_key": page.routing_key,
        "event_action": "trigger",
        "dedup_key": page.dedup_key,
        "payload": {
            "summary": summary[:1024],
            "source": page.service,
            "severity": "info" if reminder else PAGERDUTY_SEVERITY[Severity(page.severity)],
            "component": page.service,
            "group": reference,
            "class": "incident",
            "custom_details": {
                "incident": reference,
                "service": page.service,
                "severity": Severity(page.severity).name,
                "status": page.incident_status,
                "paged": f"{page.target_kind} {page.target_name}",
                "reason": page.reason,
                "labels": labels,
            },
        },
        "links": [
            {"href": incident_url, "text": f"{reference} in incident-ingest"},
            {"href": ack_url, "text": f"Acknowledge {reference}"},
        ],
        "client": "incident-ingest",
        "client_url": incident_url,
    }


def summary_event(page, text: str, *, list_url: str) -> dict:
    """The one page a target gets instead of those its page budget held back (incidents.noise)."""
    return {
        "routing_key": page.routing_key,
        "event_action": "trigger",
        "dedup_key": page.dedup_key,
        "payload": {
            "summary": text[:1024],
            "source": "incident-ingest",
            "severity": "error",
            "class": "page budget summary",
            "custom_details": {"paged": f"{page.target_kind} {page.target_name}", "summary": text},
        },
        "links": [{"href": list_url, "text": "Open incidents in incident-ingest"}],
        "client": "incident-ingest",
        "client_url": list_url,
    }


def follow_up_event(page) -> dict:
    """An `acknowledge` or `resolve` for a page already sent: same routing key, same dedup key."""
    return {"routing_key": page.routing_key, "event_action": page.action, "dedup_key": page.dedup_key}


def target_label(page) -> str:
    """ "user oncall-sre": how a page's target reads on the timeline."""
    return f"{page.target_kind} {page.target_name}"


def delivered(page, late: timedelta | None = None) -> Entry:
    """A trigger PagerDuty accepted: the person is being notified now. `late`: how long after it fell
    due, for a page that had to wait for PagerDuty (said in words, and kept in seconds as `late_seconds`)."""
    what = "Page budget summary delivered" if page.step_kind == StepKind.SUMMARY else "Page delivered"
    data = {"page_id": page.id, "action": page.action}
    text = f"{what} to {target_label(page)}"
    if late is not None:
        data["late_seconds"] = round(max(0.0, late.total_seconds()), 1)
        text += f", {spoken(late)} after it fell due (PagerDuty was unavailable)"
    return Entry("page_sent", text, data)


def not_delivered_yet(page, summary: str) -> Entry:
    """The first failed attempt of a page that will be retried (written once, not per retry)."""
    what = "Page" if page.action == "trigger" else f"PagerDuty {page.action}"
    return Entry(
        "page_retrying",
        f"{what} to {target_label(page)} not delivered yet ({summary}); retrying",
        {"page_id": page.id, "action": page.action},
    )


def failed(page, reason: str) -> Entry:
    """A page given up on: nobody was notified by it."""
    what = "Page" if page.action == "trigger" else f"PagerDuty {page.action}"
    return Entry(
        "page_failed",
        f"{what} to {target_label(page)} failed: {reason}"[:2000],
        {"page_id": page.id, "action": page.action},
    )


def cancelled(page, why: str) -> Entry:
    """A page not sent because the incident moved on first (`why`: "acknowledged by alice")."""
    return Entry(
        "page_cancelled",
        f"Page to {target_label(page)} cancelled: {why} before it was sent",
        {"page_id": page.id},
    )


def outcome(page) -> str:
    """One line on what became of a page: queued, delivered, retrying, failed or cancelled, and why."""
    if page.status == PageState.SENT:
        return f"delivered to {target_label(page)}"
    if page.status == PageState.FAILED:
        return f"failed: {page.last_error}"
    if page.status == PageState.SUPPRESSED:
        return f"not paged: {page.cancel_reason}"
    if page.status == PageState.CANCELLED:
        return f"cancelled: {page.cancel_reason or 'the incident moved on before it was sent'}"
    if page.attempts:
        tries = "attempt" if page.attempts == 1 else "attempts"
        return f"not delivered yet after {page.attempts} {tries} ({page.last_error}); retrying"
    if page.last_error:  # held by PagerDuty's back-off before its first try
        return f"not delivered yet ({page.last_error}); waiting for PagerDuty"
    return "queued"


def describe(event: dict) -> str:
    """How the built-in local sink logs an event it took: "page for oncall-sre: [INC-1] Disk full ack:
    http://.../ack/..." or "local PagerDuty: acknowledge for <dedup key>". Whatever is posted reads as
    well as it can: never an error."""
    if event.get("event_action") != "trigger":
        return f"local PagerDuty: {event.get('event_action')} for {event.get('dedup_key')}"
    payload = _object(event.get("payload"))
    paged = str(_object(payload.get("custom_details")).get("paged", "someone"))
    links = event.get("links") if isinstance(event.get("links"), list) else []
    ack = next((link.get("href") for link in map(_object, links) if "Acknowledge" in str(link.get("text"))), "")
    return f"page for {paged.partition(' ')[2] or paged}: {payload.get('summary')} ack: {ack}"


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}
