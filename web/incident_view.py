"""Incidents as the pages show them: plain dicts of what a person reads, times as aware UTC datetimes."""

from incidents.labels import distinguishing
from incidents.severity import Severity


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


def alert_views(rows) -> list[dict]:
    """The incident's alerts, each with the labels that tell it apart from the others."""
    tags = distinguishing([dict(row.labels or {}) for row in rows])
    return [
        {
            "fingerprint": row.fingerprint,
            "summary": row.summary,
            "status": row.status,
            "severity": Severity(row.severity).name,
            "labels": dict(sorted((row.labels or {}).items())),
            "tag": tag,
            "generator_url": row.generator_url,
            "links": alert_links(row.generator_url, row.annotations or {}),
            "starts_at": row.starts_at,
            "last_seen": row.last_seen,
            "received_count": row.received_count,
        }
        for row, tag in zip(rows, tags, strict=True)
    ]


# Annotations that carry a URL: the runbook of an Alertmanager rule, Grafana's dashboard, panel and silence.
URL_ANNOTATIONS = (
    ("runbook_url", "runbook"),
    ("dashboardURL", "dashboard"),
    ("panelURL", "panel"),
    ("silenceURL", "silence"),
)


def alert_links(generator_url: str, annotations: dict) -> list[dict]:
    """The URLs an alert carries, as `{"text", "url"}`; the template makes links only of http(s) ones."""
    found = [{"text": "source", "url": generator_url}] if generator_url else []
    found += [{"text": text, "url": annotations[key]} for key, text in URL_ANNOTATIONS if annotations.get(key)]
    for link in annotations.get("links") or ():  # PagerDuty Events v2 `links`
        if isinstance(link, dict) and link.get("href"):
            found.append({"text": link.get("text") or "link", "url": link["href"]})
    return found


def timeline_views(entries, alerts: list[dict], *, pinned: tuple[int, ...] = ()) -> list[dict]:
    """Timeline entries, oldest first, with who wrote them; an alert's entry carries the labels that tell it apart."""
    tags = {alert["fingerprint"]: alert["tag"] for alert in alerts}
    return [
        {
            "id": entry.id,
            "actor": entry.actor,
            "pinned": entry.id in pinned,
            "at": entry.at,
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
