"""The on-call load report over a window, read in one transaction: the one entry the page, its CSV, the API
and `incidents report --oncall` share."""

from datetime import datetime

import sqlalchemy as sa

from incidents import oncall_load
from incidents.oncall_load import LoadReport, Period
from incidents.services import Catalog
from store import oncall_load as recorded


def load_report(engine: sa.Engine, catalog: Catalog, *, since: datetime, until: datetime, now: datetime) -> LoadReport:
    """Per person: hours on call (nights, weekends), pages received (at night), incidents commanded."""
    with engine.connect() as conn:
        rows = recorded.periods(conn, since=since, until=until)
        pages = recorded.pages_sent(conn, since=since, until=until)
        commanded = recorded.commands_taken(conn, since=since, until=until)
    periods = [Period(person, start, oncall_load.recorded_end(end, looked, now)) for person, start, end, looked in rows]

    def zone_of(name: str) -> str:
        return oncall_load.zone_name(catalog.people.get(name))

    return oncall_load.report(periods, pages, commanded, zone_of, since=since, until=until, now=now)
