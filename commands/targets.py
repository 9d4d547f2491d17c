"""Beat's sweep of time targets and status updates.

The due time is in the database (`incident_lifecycle.due_at`, kept by store.lifecycle_rows.save):
the sweep claims the incidents whose time has come with `FOR UPDATE ... SKIP LOCKED` on the
incident row, the lock every command takes, so that two beats never sweep one incident at once and
each breach is written, and paged, once.
"""

from datetime import datetime

import sqlalchemy as sa

from commands.work import Work, sweep
from incidents import targets
from incidents.services import Catalog
from incidents.severity import Severity
from store.targets import claim_due


def sweep_due(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Breaches and missed updates due by `now` of up to `limit` incidents no other beat holds, in one
    transaction; the escalation decisions (notice pages) to hand to the workers once committed."""
    return sweep(engine, claim_due, _sweep, catalog=catalog, now=now, limit=limit)


def _sweep(work: Work):
    # The lifecycle is read under the lock: a beat that claimed the row after another committed sees its breaches.
    severity = Severity(work.row.severity)
    plan_targets = work.catalog.targets_for(work.row.service)
    change = targets.sweep(work.lifecycle, severity, plan_targets, work.now, notify=targets.pages(work.plan, severity))
    return work.write(change=change)
