"""The incident list people see: the API's filters plus the commander, the status word and the phase, a free-text
search, and an order; with what its badges need.

The search over labels reads the alerts of the incidents whose labels match, found once per request through
a trigram index on PostgreSQL (migration 0025: `ix_alerts_labels_trgm`), never by walking every incident's alerts.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from store.queries import INCIDENT_COLUMNS, IncidentFilter
from store.tables import alerts, incident_lifecycle, incidents

LIFECYCLE_COLUMNS = (
    incident_lifecycle.c.commander,
    incident_lifecycle.c.breaches,
    incident_lifecycle.c.next_update_due_at,
    incident_lifecycle.c.update_misses,
    incident_lifecycle.c.status_word,
    incident_lifecycle.c.phase,
)
ORDERS = ("open", "severity", "newest")


@dataclass(frozen=True)
class Shown:
    """What the people's list adds to the API's filters: `terms` each match the title, the service, a label
    (`name=value`, or a name or value alone) or the number (`INC-42`, `42`); `order` is one of ORDERS."""

    commanders: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    order: str = "open"


def list_for_people(conn, where: IncidentFilter, shown: Shown, *, limit: int, offset: int):
    """A page of incidents in the order asked, with commander, breaches, status word and phase; and the total."""
    conditions = [incidents.c.number.is_not(None), *_filters(where, shown)]
    conditions += [_matches(term) for term in shown.terms]
    joined = incidents.outerjoin(incident_lifecycle, incident_lifecycle.c.incident_id == incidents.c.id)
    count = sa.select(sa.func.count()).select_from(joined).where(*conditions)
    query = sa.select(*INCIDENT_COLUMNS, *LIFECYCLE_COLUMNS).select_from(joined).where(*conditions)
    query = query.order_by(*_order(shown.order)).limit(limit).offset(offset)
    if not shown.terms:  # counting on its own is cheap: a window over every incident cost more (19 -> 24 ms)
        return conn.execute(query).all(), conn.execute(count).scalar_one()
    # A search is the costly part: run once, it gives the page and how many match (count(*) OVER ()); a page
    # past the end has no row to say how many, and is counted on its own.
    rows = conn.execute(query.add_columns(sa.func.count().over().label("total"))).all()
    if rows or not offset:
        return rows, rows[0].total if rows else 0
    return rows, conn.execute(count).scalar_one()


def _filters(where: IncidentFilter, shown: Shown) -> list:
    chosen = (
        (incidents.c.status, where.statuses),
        (incidents.c.severity, where.severities),
        (incidents.c.service, where.services),
        (incident_lifecycle.c.commander, shown.commanders),
        (incident_lifecycle.c.status_word, shown.words),
        (incident_lifecycle.c.phase, shown.phases),
    )
    return [column.in_(values) for column, values in chosen if values]


def _order(order: str) -> tuple:
    """`open`: open incidents first, SEV1s first among them, then newest; `severity`: most severe first, then
    newest; `newest`: newest first."""
    newest = incidents.c.number.desc()
    if order == "severity":
        return incidents.c.severity, newest
    if order == "newest":
        return (newest,)
    resolved = incidents.c.status == "resolved"
    rank = sa.case((resolved, 2), (incidents.c.severity == 1, 0), else_=1)
    return rank, newest


def _matches(term: str):
    """One search term: the number, or a part of the title, the service or the labels (case ignored)."""
    number = term.upper().removeprefix("INC-")
    numeric = number.isascii() and number.isdigit() and len(number) < 10
    by_number = [incidents.c.number == int(number)] if numeric else []
    if numeric and number != term.upper():  # INC-42 names one incident: no text search
        return by_number[0]
    like = f"%{_escaped(term)}%"
    if "=" in term:  # name=value: the labels as JSON text read `"name": "value"` on both databases
        name, _, value = term.partition("=")
        like = f'%"{_escaped(name)}": "{_escaped(value)}%'
    # The incidents whose alerts' labels match, found once per request. A MATERIALIZED CTE, so that PostgreSQL
    # plans it for all its rows and reads the trigram index: as a plain `IN (subquery)` beside the OR it was
    # planned for half of them, where a scan of every alert looked cheaper, and took 90-130 ms turning each
    # alert's labels into text. Still only read if a row's title, service or number does not match already.
    labelled = sa.select(alerts.c.incident_id).where(sa.cast(alerts.c.labels, sa.Text).ilike(like, escape="\\"))
    labelled = labelled.cte().prefix_with("MATERIALIZED", dialect="postgresql")
    text = f"%{_escaped(term)}%"
    return sa.or_(
        *by_number,
        incidents.c.title.ilike(text, escape="\\"),
        incidents.c.service.ilike(text, escape="\\"),
        incidents.c.id.in_(sa.select(labelled.c.incident_id)),
    )


def _escaped(text: str) -> str:
    """`text` for LIKE: its own % and _ mean themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
