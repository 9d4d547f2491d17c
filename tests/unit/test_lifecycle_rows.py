"""store.lifecycle_rows writes the whole row: its upsert sets every column from the values it is given,
so a column the values left out would be written as NULL instead of failing."""

from datetime import UTC, datetime

from incidents import lifecycle
from store import lifecycle_rows
from store.tables import incident_lifecycle


def test_a_saved_lifecycle_gives_every_column_of_its_row_a_value():
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    lc = lifecycle.begin(opened_at=now, problem_started_at=now, service="checkout")
    written = set(lifecycle_rows._values(lc)) | {"incident_id", "due_at"}  # save adds these two
    assert written == set(incident_lifecycle.columns.keys())
