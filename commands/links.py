"""Acknowledging through a link, used once: the acknowledgement and the link's use commit together."""

from datetime import datetime

import sqlalchemy as sa

from commands.work import lock
from incidents import escalation
from incidents.actors import Actor
from incidents.links import Link, LinkOutcome, outcome
from incidents.services import Catalog
from store import links


def acknowledge_by_link(
    engine: sa.Engine, link: Link, link_id: str, *, catalog: Catalog, now: datetime
) -> tuple[LinkOutcome, object]:
    """(the outcome, decided by incidents.links.outcome; the decision written, or None). The person the
    link was sent to acts."""
    actor = Actor.link(link.target)
    with engine.begin() as conn:
        work = lock(conn, catalog=catalog, now=now, actor=actor, incident_id=link.incident_id)
        used = work is not None and links.is_used(conn, link_id)
        found = outcome(work.row.status if work else None, used=used)
        if found != LinkOutcome.ACKNOWLEDGED:
            return found, None
        if not links.use(conn, link_id, now):  # used meanwhile
            return LinkOutcome.USED, None
        step = escalation.acknowledge(work.plan, work.state, now, by=actor.says)
        return LinkOutcome.ACKNOWLEDGED, work.write(step)
