"""The incident page's rollback candidates: the changes to its affected services before the problem started,
each with the playbook's questions and the decision to roll it back, if taken."""

from datetime import datetime

from incidents.changes import RollbackCandidate
from incidents.channel import hhmm
from incidents.durations import spoken
from incidents.lifecycle import Lifecycle
from incidents.rollbacks import Rollback, label
from incidents.services import Catalog
from store.changes import candidates_of


def rollback_context(conn, row, lc: Lifecycle, catalog: Catalog, now: datetime, decided: tuple[Rollback, ...]) -> dict:
    """What the rollback section shows of the incident `row` whose lifecycle is `lc` and whose rollback
    decisions are `decided` (incidents.rollbacks.decided_of the timeline's key entries, read for the page)."""
    window = catalog.rollback_window
    found = candidates_of(conn, row, lc, window=window, now=now)
    by_change = {rollback.change_id: rollback for rollback in decided}
    return {
        "problem_started_at": found.problem_started_at,
        "since_problem": spoken(now - found.problem_started_at),
        "services": found.services,
        "window": spoken(window),
        "candidates": [candidate_view(c, by_change.get(c.change.id)) for c in found.candidates],
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
        "before_problem": spoken(candidate.before_problem),
        "recent": candidate.recent,
        "decided": _decision(decided) if decided else None,
    }


def _decision(rollback: Rollback) -> dict:
    return {"by": rollback.decided_by, "at": rollback.decided_at, "hhmm": hhmm(rollback.decided_at)}
