"""The incident page's rollback candidates: the changes to its affected services before the problem started,
each with the playbook's questions and the decision to roll it back, if taken."""

from datetime import datetime, timedelta

from incidents.changes import RollbackCandidate
from incidents.channel import hhmm
from incidents.lifecycle import Lifecycle
from incidents.rollbacks import Rollback, label
from incidents.services import Catalog
from store.changes import candidates_of
from store.rollbacks import rollbacks_of


def rollback_context(conn, row, lc: Lifecycle, catalog: Catalog, now: datetime) -> dict:
    """What the rollback section shows of the incident `row` whose lifecycle is `lc`."""
    window = catalog.rollback_window
    found = candidates_of(conn, row, lc, window=window, now=now)
    decided = {rollback.change_id: rollback for rollback in rollbacks_of(conn, row.id)}
    return {
        "problem_started_at": found.problem_started_at,
        "since_problem": span(now - found.problem_started_at),
        "services": found.services,
        "window": span(window),
        "candidates": [candidate_view(c, decided.get(c.change.id)) for c in found.candidates],
    }


def candidate_view(candidate: RollbackCandidate, decided: Rollback | None) -> dict:
    """One candidate as the page shows it."""
    change = candidate.change
    return {
        "id": change.id,
        "label": label(change),
        "service": change.service,
        "summary": change.summary,
        "version": change.version,
        "commit": change.commit,
        "author": change.author,
        "source": change.source,
        "links": change.links,
        "changed_at": change.changed_at,
        "before_problem": span(candidate.before_problem),
        "recent": candidate.recent,
        "decided": _decision(decided) if decided else None,
    }


def _decision(rollback: Rollback) -> dict:
    return {"by": rollback.decided_by, "at": rollback.decided_at, "hhmm": hhmm(rollback.decided_at)}


def span(length: timedelta) -> str:
    """A length as people say it: `45 s`, `10 min`, `1 h 5 min`, `2 days 3 h`."""
    seconds = max(0, int(length.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours = seconds // 60, seconds // 3600
    if hours < 1:
        return f"{minutes} min"
    if hours < 48:
        return f"{hours} h" + (f" {minutes % 60} min" if minutes % 60 else "")
    return f"{hours // 24} days" + (f" {hours % 24} h" if hours % 24 else "")
