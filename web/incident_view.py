"""Incidents as the pages show them: plain dicts of what a person reads, times as aware UTC datetimes."""

from incidents.labels import distinguishing
from incidents.lifecycle import Phase
from incidents.severity import Severity
from incidents.utc import utc

# The lifecycle strip: the playbook's phases in order, as people read them (`done` is past the last one).
PHASE_NAMES = {
    Phase.DETECTION: "Detection",
    Phase.RESPONSE: "Response",
    Phase.MITIGATION: "Mitigation",
    Phase.RECOVERY: "Recovery",
    Phase.POSTMORTEM: "Post-mortem",
}


def incident_summary(row) -> dict:
    """What the list and the page's header show of an incident."""
    return {
        "number": row.number,
        "ref": f"INC-{row.number}",
        "title": row.title,
        "status": row.status,
        "severity": Severity(row.severity).name,
        "service": row.service,
        "opened_at": row.opened_at,
        "acknowledged_at": row.acknowledged_at,
        "resolved_at": row.resolved_at,
        "last_alert_at": row.last_alert_at,
    }


def state_words(status: str, status_word: str) -> dict:
    """The one state people read: the status word, and (while open) whether anyone acknowledged.

    The API's `triggered`/`acknowledged`/`resolved` become a small mark beside the word; a resolved
    incident reads "Resolved" whatever word was last set."""
    if status == "resolved":
        return {"word": "Resolved", "mark": None}
    return {"word": status_word, "mark": "acknowledged" if status == "acknowledged" else "unacknowledged"}


def phase_strip(phase: str) -> list[dict]:
    """Detection → Response → Mitigation → Recovery → Post-mortem, each `done`, `current` or `todo`."""
    reached = Phase(phase).order
    return [
        {"name": name, "state": "done" if p.order < reached else "current" if p.order == reached else "todo"}
        for p, name in PHASE_NAMES.items()
    ]


def next_action(incident: dict, channel: dict, targets: dict) -> dict:
    """The one thing to do next on the incident, in words, and the section of the page where it is done."""
    if incident["status"] == "resolved":
        return {"text": "Write the post-mortem while it is fresh.", "where": "links"}
    if incident["status"] == "triggered":
        return {"text": "Acknowledge: nobody has yet, so the escalation goes on.", "where": "state"}
    if not channel["commander"]:
        return {"text": "Take command: nobody runs this incident yet.", "where": "state"}
    if targets["update_overdue"] or not channel["updates_total"]:
        late = "the status update is overdue" if targets["update_overdue"] else "nobody has said what is going on yet"
        return {"text": f"Post a status update: {late}.", "where": "updates"}
    return NEXT_BY_WORD.get(channel["status_word"], NEXT_BY_WORD["Investigating"])


NEXT_BY_WORD = {
    "Investigating": {"text": "Find the cause: the alerts, recent changes and the timeline.", "where": "rollback"},
    "Identified": {"text": "Mitigate: work through the actions.", "where": "actions"},
    "Monitoring": {"text": "Watch the recovery, then resolve.", "where": "state"},
    "Resolved": {"text": "Resolve the incident: its status already says so.", "where": "state"},
}


def alert_views(rows, limit: int | None = None) -> tuple[list[dict], dict[str, dict]]:
    """The first `limit` of the incident's alerts (all with None), firing ones first, each with what it says
    (summary, description), its links, and the labels that tell it apart from the others; and those labels
    of every alert by fingerprint (the timeline's entries name any of them). Only the alerts shown are
    turned into views: the others count for their labels alone."""
    tags = distinguishing([dict(row.labels or {}) for row in rows])
    by_fingerprint = {row.fingerprint: tag for row, tag in zip(rows, tags, strict=True)}
    # Firing first, in the rows' order otherwise (a stable sort).
    shown = sorted(zip(rows, tags, strict=True), key=lambda pair: pair[0].status != "firing")[:limit]
    return [_alert_view(row, tag) for row, tag in shown], by_fingerprint


def _alert_view(row, tag: dict) -> dict:
    annotations = row.annotations or {}
    return {
        "fingerprint": row.fingerprint,
        "summary": row.summary,
        "description": _description(row.summary, annotations),
        "status": row.status,
        "severity": Severity(row.severity).name,
        "labels": dict(sorted((row.labels or {}).items())),
        "tag": tag,
        "generator_url": row.generator_url,
        "links": alert_links(row.generator_url, annotations),
        "starts_at": row.starts_at,
        "last_seen": row.last_seen,
        "received_count": row.received_count,
    }


# Annotations that carry a URL: the runbook of an Alertmanager rule, a dashboard (Grafana's dashboardURL and
# panelURL, kept with the annotations by ingest/sources/alertmanager.py; `dashboard_url` by convention in
# Prometheus rules), Grafana's silence link.
URL_ANNOTATIONS = (
    ("runbook_url", "Runbook"),
    ("dashboardURL", "Dashboard"),
    ("dashboard_url", "Dashboard"),
    ("panelURL", "Panel"),
    ("panel_url", "Panel"),
    ("silenceURL", "Silence"),
)


def _description(summary: str, annotations: dict) -> str:
    """The `description` annotation, unless it is what the summary already says."""
    said = annotations.get("description")
    return said if isinstance(said, str) and said.strip() and said != summary else ""


def alert_links(generator_url: str, annotations: dict) -> list[dict]:
    """The URLs an alert carries, as `{"text", "url"}`; the template makes links only of http(s) ones."""
    found = [{"text": "Source", "url": generator_url}] if generator_url else []
    found += [{"text": text, "url": annotations[key]} for key, text in URL_ANNOTATIONS if annotations.get(key)]
    for link in annotations.get("links") or ():  # PagerDuty Events v2 `links`
        if isinstance(link, dict) and link.get("href"):
            found.append({"text": link.get("text") or "link", "url": link["href"]})
    return found


def timeline_views(entries, tags: dict[str, dict], *, pinned: tuple[int, ...] = ()) -> list[dict]:
    """Timeline entries, oldest first, with who wrote them; an alert's entry carries the labels that tell it
    apart (`tags`: by fingerprint, from alert_views)."""
    return [
        {
            "id": entry.id,
            "actor": entry.actor,
            "pinned": entry.id in pinned,
            "at": entry.at,
            "day": utc(entry.at).date(),  # the no-JS day separator (UTC); times.js regroups by the viewer's day
            "kind": entry.kind,
            "message": entry.message,
            "tag": tags.get((entry.data or {}).get("fingerprint"), {}),
        }
        for entry in entries
    ]


def last_acknowledgement(entries):
    """The latest `acknowledged` timeline entry (who and when), or None."""
    found = [entry for entry in entries if entry.kind == "acknowledged"]
    return {"at": found[-1].at, "message": found[-1].message} if found else None
