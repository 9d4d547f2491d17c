from datetime import datetime, timedelta, timezone

from store.escalation import Applied
from workers.dispatch import PAGES_PER_TASK, WAKE_GRID, Dispatcher

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)


class RecordingCelery:
    """Stands in for the Celery app: records what would be published."""

    def __init__(self):
        self.sent = []

    def send_task(self, name, args, **options):
        self.sent.append((name, args, options.get("countdown")))


def decision(incident_id, page_ids=(), wake_in=None):
    wake_at = None if wake_in is None else NOW + timedelta(seconds=wake_in)
    return Applied(incident_id, incident_id * 10, tuple(page_ids), wake_at)


def test_the_pages_of_many_decisions_go_in_one_task_per_batch():
    celery = RecordingCelery()
    Dispatcher(celery)([decision(n, [n]) for n in range(1, PAGES_PER_TASK + 3)], now=NOW)
    assert [(name, len(args[0])) for name, args, _ in celery.sent] == [
        ("tasks.page_targets", PAGES_PER_TASK), ("tasks.page_targets", 2)]


def test_wake_ups_due_within_one_grid_step_share_one_hint_sent_for_the_end_of_the_step():
    celery = RecordingCelery()
    dispatch = Dispatcher(celery)
    dispatch([decision(1, wake_in=2.01), decision(2, wake_in=2.02)], now=NOW)
    dispatch([decision(3, wake_in=2.2)], now=NOW)
    dispatch([decision(4, wake_in=2.3)], now=NOW)
    assert [(args, countdown) for _, args, countdown in celery.sent] == [
        ((1, 10), 2 + WAKE_GRID), ((4, 40), 2 + 2 * WAKE_GRID)]


def test_a_wake_up_never_comes_before_its_due_time():
    celery = RecordingCelery()
    Dispatcher(celery)([decision(1, wake_in=0.6), decision(2, wake_in=0)], now=NOW)
    assert [countdown for *_, countdown in celery.sent] == [0.75, 0.0]
