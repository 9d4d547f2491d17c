"""The PagerDuty Events API v2 events we send for pages, built from plain values."""

from incidents.severity import Severity

# PagerDuty knows four severities; ours map one to one.
PAGERDUTY_SEVERITY = {
    Severity.SEV1: "critical",
    Severity.SEV2: "error",
    Severity.SEV3: "warning",
    Severity.SEV4: "info",
}


def trigger_event(page, *, labels: dict, incident_url: str, ack_url: str) -> dict:
    """A `trigger` for one page (with its incident's number, title, service, severity and status):
    summary cut to 1024 characters, labels and incident fields as details."""
    reference = f"INC-{page.number}"
    return {
        "routing_key": page.routing_key,
        "event_action": "trigger",
        "dedup_key": page.dedup_key,
        "payload": {
            "summary": f"[{reference}] {page.title}"[:1024],
            "source": page.service,
            "severity": PAGERDUTY_SEVERITY[Severity(page.severity)],
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


def follow_up_event(page) -> dict:
    """An `acknowledge` or `resolve` for a page already sent: same routing key, same dedup key."""
    return {"routing_key": page.routing_key, "event_action": page.action, "dedup_key": page.dedup_key}
