from datetime import UTC, datetime, timedelta

from incidents.timings import DEFAULT
from store.writer import Applied
from workers.dispatch import PAGE_GRID, WAKE_GRID, Dispatcher

PAGES_PER_TASK = DEFAULT.pages_per_batch

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
AT = NOW + timedelta(seconds=PAGE_GRID / 4)  # a quarter into a grid step of pages
REST = round(PAGE_GRID * 3 / 4, 6)  # the countdown from AT to the step's end


class RecordingCelery:
    """Stands in for the Celery app: records what would be published."""

    def __init__(self):
        self.sent = []

    def send_task(self, name, args, **options):
        self.sent.append((name, args, options.get("countdown")))


def decision(incident_id, page_ids=(), wake_in=None):
    wake_at = None if wake_in is None else NOW + timedelta(seconds=wake_in)
    return Applied(incident_id, incident_id * 10, tuple(page_ids), wake_at)


def dispatcher(celery, clock=lambda: NOW):
    return Dispatcher(celery, clock=clock)


def test_the_pages_of_many_decisions_take_one_delivery_task_for_the_end_of_the_grid_step():
    celery = RecordingCelery()
    dispatcher(celery, clock=lambda: AT)([decision(n, [n]) for n in range(1, PAGES_PER_TASK + 3)])
    assert [(args, round(countdown, 6)) for _, args, countdown in celery.sent] == [
        ((list(range(1, PAGES_PER_TASK + 1)),), REST)
    ]


def test_pages_committed_within_one_grid_step_share_its_delivery_task_and_later_ones_get_another():
    celery, now = RecordingCelery(), [AT]
    dispatch = dispatcher(celery, clock=lambda: now[0])
    dispatch([decision(1, [1])])
    now[0] += timedelta(seconds=PAGE_GRID / 2)
    dispatch([decision(2, [2]), decision(3, [3])])
    now[0] += timedelta(seconds=PAGE_GRID / 2)
    dispatch([decision(4, [4])])
    assert [(args, round(countdown, 6)) for _, args, countdown in celery.sent] == [(([1],), REST), (([4],), REST)]


def test_a_drain_stopped_at_its_bound_asks_for_another_delivery_of_whatever_is_ready():
    celery = RecordingCelery()
    dispatcher(celery, clock=lambda: AT).ready_pages()
    assert [(name, args, round(countdown, 6)) for name, args, countdown in celery.sent] == [
        ("tasks.page_targets", ([],), REST)
    ]


def test_decisions_without_pages_send_no_delivery_task():
    celery = RecordingCelery()
    dispatcher(celery)([decision(1), decision(2)])
    assert celery.sent == []


def test_wake_ups_due_within_one_grid_step_share_one_hint_sent_for_the_end_of_the_step():
    celery = RecordingCelery()
    dispatch = dispatcher(celery)
    dispatch([decision(1, wake_in=2.01), decision(2, wake_in=2.02)])
    dispatch([decision(3, wake_in=2.2)])
    dispatch([decision(4, wake_in=2.3)])
    assert [(args, countdown) for _, args, countdown in celery.sent] == [
        ((1, 10), 2 + WAKE_GRID),
        ((4, 40), 2 + 2 * WAKE_GRID),
    ]


def test_a_wake_up_never_comes_before_its_due_time():
    celery = RecordingCelery()
    dispatcher(celery)([decision(1, wake_in=0.6), decision(2, wake_in=0)])
    assert [countdown for *_, countdown in celery.sent] == [0.75, 0.0]


def test_chat_messages_of_committed_decisions_take_one_chat_delivery_task_apart_from_pages():
    celery = RecordingCelery()
    decisions = [Applied(1, 10, (1,), None, (7, 8)), Applied(2, 20, (), None, (9,))]
    dispatcher(celery, clock=lambda: AT)(decisions)
    assert [(name, args) for name, args, _ in celery.sent] == [
        ("tasks.page_targets", ([1],)),
        ("tasks.send_chat", ([7, 8, 9],)),
    ]
