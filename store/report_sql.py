"""The report's one aggregate query on PostgreSQL: incidents.reports' rules, said again in SQL.

Each phase's first entry is a column of `incident_lifecycle` (`entered_<phase>`, kept by
store.lifecycle_rows.save); the targets of each (service, severity) come in as JSON, the defaults under
a null service. tests/integration/test_reports.py checks it against the pure tally on the same rows.
"""

from incidents.lifecycle import Phase
from incidents.reports import ACKNOWLEDGED, PHASES, TARGETS, Outcome


def _entered(phase: Phase) -> str:
    return f"l.entered_{phase.value}"


def _from(phase: Phase) -> str:
    """When `phase` or a later one was first reached (LEAST skips nulls)."""
    return "LEAST(" + ", ".join(_entered(p) for p in Phase if p.order >= phase.order) + ")"


def _span(phase: Phase) -> str:
    """Seconds from the phase's first entry to the first entry of a later phase after it."""
    start = _entered(phase)
    later = ", ".join(
        f"CASE WHEN {_entered(p)} >= {start} THEN {_entered(p)} END" for p in Phase if p.order > phase.order
    )
    return f"extract(epoch FROM LEAST({later}) - {start}) AS span_{phase.value}"


ACKED = "LEAST(" + ", ".join(_entered(p) for p in ACKNOWLEDGED) + ")"

# The milestone of each target (incidents.targets.reached_at); detection's is the opening, response's the first
# acknowledgement.
REACHED = {
    "detection": "coalesce(l.detected_at, i.opened_at)",
    "response": ACKED,
    "mitigation": _from(Phase.RECOVERY),
    "recovery": _from(Phase.POSTMORTEM),
    "postmortem": _entered(Phase.DONE),
}


def _limit(name: str) -> str:
    return f"CASE WHEN t.service IS NULL THEN d.{name} ELSE t.{name} END * interval '1 second'"


def _due(name: str) -> str:
    start = "l.entered_postmortem" if name == "postmortem" else "coalesce(l.problem_started_at, i.opened_at)"
    due = f"{start} + {_limit(name)}"
    if name == "response":  # resolved unacknowledged before it fell due: no response was owed (targets.deadline)
        due = f"CASE WHEN {ACKED} IS NULL AND l.entered_postmortem <= {due} THEN NULL ELSE {due} END"
    return f"{due} AS due_{name}"


def _outcomes(name: str) -> str:
    reach, due = f"reach_{name}", f"due_{name}"
    cases = {
        Outcome.MET: f"{reach} <= {due}",
        Outcome.BREACHED: f"{reach} > {due} OR ({reach} IS NULL AND CAST(:now AS timestamptz) >= {due})",
        Outcome.PENDING: f"{reach} IS NULL AND CAST(:now AS timestamptz) < {due}",
    }
    return ",\n".join(f"count(*) FILTER (WHERE {case}) AS {name}_{o.value}" for o, case in cases.items())


def _phase_sums(phase: Phase) -> str:
    p = phase.value
    return f"count(span_{p}) AS {p}_count, coalesce(sum(span_{p}), 0) AS {p}_seconds"


def _follow_up_outcomes() -> str:
    """Follow-ups with a due date by outcome: closed by the end of the due date (00:00 UTC the day after,
    incidents.follow_ups.overdue_at) on time, else late once past it, pending before."""
    over = "(CAST(f.due_on + 1 AS timestamp) AT TIME ZONE 'UTC')"
    closed = "CASE WHEN f.state = 'done' THEN f.closed_at END"
    cases = {
        Outcome.MET: f"{closed} <= {over}",
        Outcome.BREACHED: f"{closed} > {over} OR ({closed} IS NULL AND CAST(:now AS timestamptz) >= {over})",
        Outcome.PENDING: f"{closed} IS NULL AND CAST(:now AS timestamptz) < {over}",
    }
    return ", ".join(f"count(*) FILTER (WHERE {case}) AS {o.value}" for o, case in cases.items())


IN_SCOPE = """i.opened_at >= :since AND i.opened_at < :until
    AND (cardinality(CAST(:services AS text[])) = 0 OR i.service = ANY(CAST(:services AS text[])))
    AND (cardinality(CAST(:severities AS int[])) = 0 OR i.severity = ANY(CAST(:severities AS int[])))"""

QUERY = f"""
WITH limits AS (
  SELECT * FROM jsonb_to_recordset(CAST(:targets AS jsonb)) AS x(service text, severity int,
    {", ".join(f"{name} float8" for name in TARGETS)})
), actions AS (
  SELECT c.incident_id, count(*) AS actions,
         count(*) FILTER (WHERE c.done AND (i.resolved_at IS NULL OR c.done_at <= i.resolved_at)) AS actions_done
  FROM incident_actions c JOIN incidents i ON i.id = c.incident_id
  WHERE {IN_SCOPE}
  GROUP BY c.incident_id
), dated AS (
  SELECT f.incident_id, {_follow_up_outcomes()}
  FROM follow_ups f JOIN incidents i ON i.id = f.incident_id
  WHERE f.due_on IS NOT NULL AND {IN_SCOPE}
  GROUP BY f.incident_id
), facts AS (
  SELECT i.service, i.severity, i.opened_at, i.resolved_at,
         {ACKED} AS acked,
         {", ".join(f"{reach} AS reach_{name}" for name, reach in REACHED.items())},
         {", ".join(_due(name) for name in TARGETS)},
         {", ".join(_span(p) for p in PHASES)},
         coalesce(a.actions, 0) AS actions, coalesce(a.actions_done, 0) AS actions_done,
         {", ".join(f"coalesce(f.{o.value}, 0) AS follow_ups_{o.value}" for o in Outcome)}
  FROM incidents i
  LEFT JOIN incident_lifecycle l ON l.incident_id = i.id
  LEFT JOIN actions a ON a.incident_id = i.id
  LEFT JOIN dated f ON f.incident_id = i.id
  LEFT JOIN limits t ON t.service = i.service AND t.severity = i.severity
  LEFT JOIN limits d ON d.service IS NULL AND d.severity = i.severity
  WHERE {IN_SCOPE}
)
SELECT service, severity, count(*) AS incidents,
       count(*) FILTER (WHERE resolved_at IS NULL) AS open,
       count(acked) AS acknowledged,
       coalesce(sum(extract(epoch FROM acked - opened_at)), 0) AS ack_seconds,
       count(resolved_at) AS resolved,
       coalesce(sum(extract(epoch FROM resolved_at - opened_at)), 0) AS resolve_seconds,
       {", ".join(_phase_sums(p) for p in PHASES)},
       {", ".join(_outcomes(name) for name in TARGETS)},
       sum(actions) AS actions, sum(actions_done) AS actions_done,
       {", ".join(f"sum(follow_ups_{o.value}) AS follow_ups_{o.value}" for o in Outcome)}
FROM facts GROUP BY service, severity
"""
