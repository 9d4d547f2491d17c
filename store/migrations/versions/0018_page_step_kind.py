"""A page's step kind, a column of its own (incidents.page_steps.StepKind): the rules that ask what a
page is for (does an acknowledgement spare it, is it a budget summary, a follow-up's reminder) match
this column instead of parsing the step's key.

The kinds of the pages stored before this revision are read from their keys, here, once: a follow-up
event (`ack0:0.1`, `resolve:breach:response`) has the kind of the trigger it follows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def kind_of(action: str, step: str) -> str:
    """The kind of a step stored before this revision, from its key."""
    if action != "trigger":
        step = step.partition(":")[2]  # `resolve:<step>`, `ack<round>:<step>`
    if step.startswith("budget:"):
        return "summary"
    if step == "responder":
        return "responder"
    if ":" in step:
        head = step.partition(":")[0]
        return "reminder" if head.startswith("fu") and head[2:].replace("r", "", 1).isdigit() else "notice"
    if step.endswith(".u"):
        return "unresolved"
    if step.endswith(".s"):
        return "at_once"
    return "level"


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("step_kind", sa.String(16), nullable=False, server_default="level"))
    conn = op.get_bind()
    pages = sa.table("pages", sa.column("id"), sa.column("action"), sa.column("step"), sa.column("step_kind"))
    kinds: dict[str, list[int]] = {}
    for page_id, action, step in conn.execute(sa.select(pages.c.id, pages.c.action, pages.c.step)):
        kinds.setdefault(kind_of(action, step), []).append(page_id)
    for kind, ids in kinds.items():
        if kind != "level":
            for start in range(0, len(ids), 10_000):
                chunk = ids[start : start + 10_000]
                conn.execute(pages.update().where(pages.c.id.in_(chunk)).values(step_kind=kind))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("step_kind")
