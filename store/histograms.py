"""Time to acknowledge and time to resolve, as histogram buckets counted from the database at scrape time.

Counted here rather than observed in a process: acknowledgements happen in the web (API, links, the UI,
PagerDuty's webhooks) and resolutions in the web and the worker, in several processes each; the database
holds every one of them once, survives restarts, and is read the same by whichever process is scraped.
Every incident ever acknowledged or resolved is counted (rows are never deleted, so counts only grow).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from incidents.reports import ACKNOWLEDGED

# Upper bounds in seconds; +Inf is added by the exposition.
ACK_BUCKETS = (30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 86400)
RESOLVE_BUCKETS = (300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800)
ACKED = ", ".join(f"l.entered_{p.value}" for p in ACKNOWLEDGED)


@dataclass(frozen=True)
class Buckets:
    """One histogram series: cumulative counts for each bound, the count and the sum of seconds."""

    service: str
    severity: int
    bounds: tuple[int, ...]
    cumulative: tuple[int, ...]
    count: int
    total: float


def _histogram(seconds: str, bounds: tuple[int, ...], source: str) -> str:
    counts = ", ".join(f"count(*) FILTER (WHERE {seconds} <= {bound})" for bound in bounds)
    return f"""SELECT service, severity, ARRAY[{counts}] AS cumulative, count(*) AS count,
                      coalesce(sum({seconds}), 0) AS total
               FROM {source} GROUP BY service, severity"""


ACK_QUERY = _histogram(
    "extract(epoch FROM acked - opened_at)",
    ACK_BUCKETS,
    f"""(SELECT i.service, i.severity, i.opened_at, LEAST({ACKED}) AS acked FROM incidents i
         JOIN incident_lifecycle l ON l.incident_id = i.id) acks WHERE acked IS NOT NULL""",
)
RESOLVE_QUERY = _histogram(
    "extract(epoch FROM resolved_at - opened_at)",
    RESOLVE_BUCKETS,
    "(SELECT service, severity, opened_at, resolved_at FROM incidents WHERE resolved_at IS NOT NULL) resolutions",
)


def milestone_buckets(conn) -> dict[str, list[Buckets]]:
    """{"acknowledge": [...], "resolve": [...]} by service and severity; PostgreSQL only (empty elsewhere)."""
    if conn.dialect.name != "postgresql":
        return {"acknowledge": [], "resolve": []}
    return {
        "acknowledge": _series(conn, ACK_QUERY, ACK_BUCKETS),
        "resolve": _series(conn, RESOLVE_QUERY, RESOLVE_BUCKETS),
    }


def _series(conn, query: str, bounds: tuple[int, ...]) -> list[Buckets]:
    rows = conn.execute(sa.text(query))
    return [Buckets(r.service, r.severity, bounds, tuple(r.cumulative), r.count, float(r.total)) for r in rows]
