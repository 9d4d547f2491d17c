"""Rollback candidates: the window's edges, the problem start, the order, the playbook's questions."""

from datetime import UTC, datetime, timedelta

from incidents.changes import Change, rollback_candidates

STARTED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
NOW = STARTED + timedelta(minutes=20)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def change(at: datetime, id_: int = 0, service: str = "checkout") -> Change:
    return Change(service=service, summary=f"deploy {id_}", changed_at=at, source="deploy", version=str(id_), id=id_)


def ids(candidates) -> list[int]:
    return [c.change.id for c in candidates]


def test_a_change_just_inside_the_window_is_a_candidate_and_one_just_outside_is_not():
    inside, outside = change(STARTED - HOUR + SECOND, 1), change(STARTED - HOUR - SECOND, 2)
    assert ids(rollback_candidates([inside, outside], STARTED, HOUR, NOW)) == [1]


def test_both_edges_of_the_window_are_included():
    at_window_start, at_problem_start = change(STARTED - HOUR, 1), change(STARTED, 2)
    assert ids(rollback_candidates([at_window_start, at_problem_start], STARTED, HOUR, NOW)) == [2, 1]


def test_a_change_after_the_problem_started_is_not_a_candidate():
    assert rollback_candidates([change(STARTED + SECOND, 1)], STARTED, HOUR, NOW) == []


def test_candidates_are_newest_first():
    found = [change(STARTED - timedelta(minutes=m), m) for m in (50, 5, 30)]
    assert ids(rollback_candidates(found, STARTED, HOUR, NOW)) == [5, 30, 50]


def test_a_change_is_recent_when_less_than_an_hour_before_the_problem_whatever_the_window():
    found = [change(STARTED - HOUR + SECOND, 1), change(STARTED - HOUR, 2), change(STARTED - 2 * HOUR, 3)]
    candidates = rollback_candidates(found, STARTED, 3 * HOUR, NOW)
    assert [(c.change.id, c.recent) for c in candidates] == [(1, True), (2, False), (3, False)]


def test_a_candidate_tells_how_long_before_the_problem_and_how_old_it_is_now():
    (candidate,) = rollback_candidates([change(STARTED - timedelta(minutes=10), 1)], STARTED, HOUR, NOW)
    assert candidate.before_problem == timedelta(minutes=10)
    assert candidate.age == timedelta(minutes=30)


def test_the_product_answers_recent_and_leaves_the_other_two_questions_to_people():
    (candidate,) = rollback_candidates([change(STARTED - timedelta(minutes=10), 1)], STARTED, HOUR, NOW)
    answers = [(q.key, q.answer, q.answered_by) for q in candidate.questions()]
    assert answers == [
        ("recent", True, "product"),
        ("impact_wide", None, "people"),
        ("investigation_long", None, "people"),
    ]


def test_naive_times_are_taken_as_utc():
    naive = change((STARTED - timedelta(minutes=10)).replace(tzinfo=None), 1)
    assert ids(rollback_candidates([naive], STARTED.replace(tzinfo=None), HOUR, NOW)) == [1]
