"""Migration 0018 gives every stored page its step kind, read once from the key it was stored with."""

import sqlalchemy as sa

from store.db import create_engine
from store.migrate import upgrade

STORED = [
    ("trigger", "0.0", "level"),
    ("trigger", "1.0.r1", "level"),
    ("trigger", "0.1.s", "at_once"),
    ("trigger", "0.1.u", "unresolved"),
    ("trigger", "responder", "responder"),
    ("trigger", "breach:response", "notice"),
    ("trigger", "update0:miss1", "notice"),
    ("trigger", "postmortem:due", "notice"),
    ("trigger", "fu12r0:due", "reminder"),
    ("trigger", "budget:1700000000", "summary"),
    ("acknowledge", "ack0:0.1.s", "at_once"),
    ("resolve", "resolve:fu12r0:overdue", "reminder"),
    ("resolve", "resolve:breach:response", "notice"),
]


def test_pages_stored_before_steps_were_typed_get_their_kind(tmp_path):
    url = f"sqlite:///{tmp_path / 'older.db'}"
    upgrade(url, "0017")
    older = create_engine(url)
    with older.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO incidents (id, number, service, group_key, group_hash, status, severity, title, source,"
                " opened_at, last_alert_at, alert_events, open_token, policy) VALUES (1, 1, 'api', 'g', 'h',"
                " 'resolved', 1, 't', 'test', '2026-05-01 10:02:00', '2026-05-01 10:02:00', 1, 1, '{}')"
            )
        )
        for n, (action, step, _) in enumerate(STORED):
            conn.execute(
                sa.text(
                    "INSERT INTO pages (incident_id, action, step, target_kind, target_name, routing_key, dedup_key,"
                    " reason, status, attempts, created_at, due_at, next_attempt_at) VALUES (1, :action, :step,"
                    " 'user', :name, 'k', 'd', 'r', 'sent', 1, '2026-05-01 10:02:00', '2026-05-01 10:02:00',"
                    " '2026-05-01 10:02:00')"
                ),
                {"action": action, "step": step, "name": f"u{n}"},
            )
    upgrade(url)
    with older.connect() as conn:
        kinds = conn.execute(sa.text("SELECT action, step, step_kind FROM pages ORDER BY id")).all()
    older.dispose()
    assert [tuple(row) for row in kinds] == STORED
