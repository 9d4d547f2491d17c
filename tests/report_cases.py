"""Four incidents with hand-computed figures, shared by the unit, integration and browser tests of reports.

At NOW (12:20): A (SEV1, api) went through every phase and is done; B (SEV1, api) is open and was never
acknowledged; C (SEV3, db) was resolved without acknowledgement; D (SEV3, db) is open, acknowledged.
"""

from datetime import UTC, date, datetime, timedelta

from incidents.lifecycle import Lifecycle, Phase
from incidents.reports import Facts
from incidents.severity import Severity

DAY = datetime(2026, 5, 1, tzinfo=UTC)
NOW = DAY.replace(hour=12, minute=20)


def at(hh_mm: str, days: int = 0) -> datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return DAY + timedelta(days=days, hours=hours, minutes=minutes)


def facts(service, severity, opened, phases, resolved=None, actions=(0, 0), follow_ups=()) -> Facts:
    times = tuple((Phase(name), at(when) if isinstance(when, str) else when) for name, when in phases)
    lc = Lifecycle(problem_started_at=times[0][1], detected_at=at(opened), phase_times=times)
    return Facts(service, severity, at(opened), lc, at(resolved) if resolved else None, *actions, follow_ups=follow_ups)


# A: SEV1 through every phase, mitigated late, post-mortem done 3 days after resolution; of its follow-ups with a
# due date one was closed on its due date (on time), one two days after it (late); one has no due date (not counted).
A = facts(
    "api", Severity.SEV1, "10:02",
    [("detection", "10:00"), ("response", "10:10"), ("mitigation", "10:20"), ("recovery", "10:40"),
     ("postmortem", "11:00"), ("done", at("11:00", days=3))],
    resolved="11:00", actions=(3, 2),
    follow_ups=((date(2026, 5, 5), at("23:59", days=4)), (date(2026, 5, 5), at("09:00", days=6))),
)  # fmt: skip
# B: SEV1 still open, detected 10 minutes late, never acknowledged: response breached at NOW.
B = facts("api", Severity.SEV1, "12:10", [("detection", "12:00")])
# C: SEV3 resolved without acknowledgement, 30 minutes after it started; a follow-up due the next day, still open.
C = facts(
    "db", Severity.SEV3, "09:00", [("detection", "09:00"), ("postmortem", "09:30")], resolved="09:30",
    follow_ups=((date(2026, 5, 2), None),),
)  # fmt: skip
# D: SEV3 still open, acknowledged, not mitigated within 30 minutes.
D = facts("db", Severity.SEV3, "11:00", [("detection", "11:00"), ("response", "11:30")], actions=(2, 1))
CASES = (A, B, C, D)
# Not among the four: SEV1 resolved 40 minutes after it started, nobody having acknowledged it.
LATE_UNACKNOWLEDGED = facts("api", Severity.SEV1, "08:00", [("detection", "08:00"), ("postmortem", "08:40")], "08:40")


def store_cases(engine, cases=CASES) -> None:
    """Write the incidents as the app stores them: the incident row, its lifecycle and its checklist.

    Of each incident's actions, the first `actions_done_in_time` are done before the resolution; of the
    others one is done after it (late) when the incident is resolved, the rest stay open."""
    import sqlalchemy as sa

    from incidents.targets import Targets
    from store.lifecycle_rows import save
    from store.tables import follow_ups, incident_actions, incidents

    with engine.begin() as conn:
        for number, case in enumerate(cases, start=1):
            status = "resolved" if case.resolved_at else "triggered"
            row = {"number": number, "service": case.service, "group_key": f"g{number}", "group_hash": f"h{number}"}
            row |= {"status": status, "severity": int(case.severity), "title": f"case {number}", "source": "test"}
            row |= {"opened_at": case.opened_at, "resolved_at": case.resolved_at, "last_alert_at": case.opened_at}
            row |= {"alert_events": 1, "open_token": number, "policy": {}}
            incident_id = conn.execute(sa.insert(incidents).values(row).returning(incidents.c.id)).scalar_one()
            save(conn, incident_id, case.lifecycle, severity=case.severity, targets=Targets())
            for n in range(case.actions):
                in_time = n < case.actions_done_in_time
                late = not in_time and case.resolved_at is not None
                done_at = (
                    case.opened_at + timedelta(minutes=1)
                    if in_time
                    else case.resolved_at + timedelta(hours=1)
                    if late
                    else None
                )
                conn.execute(
                    sa.insert(incident_actions).values(
                        incident_id=incident_id, text=f"action {n}", done=done_at is not None, done_at=done_at,
                        created_by="test", created_at=case.opened_at,
                    )
                )  # fmt: skip
            dated = [(f"follow-up {n}", due_on, closed_at) for n, (due_on, closed_at) in enumerate(case.follow_ups)]
            for text, due_on, closed_at in dated + ([("undated", None, None)] if case.follow_ups else []):
                conn.execute(
                    sa.insert(follow_ups).values(
                        incident_id=incident_id, text=text, due_on=due_on, closed_at=closed_at,
                        state="done" if closed_at else "open", source="postmortem", created_by="test",
                        created_at=case.resolved_at or case.opened_at,
                    )
                )  # fmt: skip
