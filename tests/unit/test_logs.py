"""Log lines: the tick's chatter filtered, JSON lines, request ids, the tick's minute summary."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from server.request_log import request_id
from settings.logs import REQUEST_ID, Context, JsonFormatter, QuietTick
from workers.tick_summary import TickSummary

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def record(name, message, args, level=logging.INFO, **extra):
    line = logging.LogRecord(name, level, __file__, 1, message, args, None)
    line.__dict__.update(extra)
    return line


BEAT = record("celery.beat", "Scheduler: Sending due task %s (%s)", ("tick", "tasks.tick"))
RECEIVED = record("celery.worker.strategy", "Task %(name)s[%(id)s] received", ({"name": "tasks.tick", "id": "1"},))
PAGE = record("celery.app.trace", "Task %(name)s[%(id)s] succeeded", ({"name": "tasks.page_targets", "id": "2"},))


@pytest.fixture
def root_level():
    root = logging.getLogger()
    before = root.level
    yield root.setLevel
    root.setLevel(before)


def test_celerys_info_lines_about_the_tick_pass_only_at_debug(root_level):
    root_level(logging.INFO)
    assert [QuietTick().filter(line) for line in (BEAT, RECEIVED, PAGE)] == [False, False, True]
    root_level(logging.DEBUG)
    assert QuietTick().filter(BEAT) and QuietTick().filter(RECEIVED)


def test_a_tick_that_failed_is_never_filtered(root_level):
    root_level(logging.INFO)
    assert QuietTick().filter(record("celery.app.trace", "Task %s raised", ("tasks.tick",), level=logging.ERROR))


def test_a_json_line_has_timestamp_level_logger_message_request_id_and_incident():
    token = REQUEST_ID.set("req-1")
    try:
        line = record("incidents.requests", "POST %s %d", ("/x", 401), level=logging.WARNING, incident="INC-7")
        Context().filter(line)
    finally:
        REQUEST_ID.reset(token)
    assert json.loads(JsonFormatter().format(line)) == {
        "timestamp": datetime.fromtimestamp(line.created, UTC).isoformat(timespec="milliseconds"),
        "level": "WARNING",
        "logger": "incidents.requests",
        "message": "POST /x 401",
        "request_id": "req-1",
        "incident": "INC-7",
    }


@pytest.mark.parametrize("header", ["abc-123", "01HX:pod-7/req.9", "a" * 64])
def test_a_plain_short_request_id_is_kept(header):
    assert request_id(header) == header


@pytest.mark.parametrize("header", [None, "", "a" * 65, "two words", 'quote"', "line\nbreak", "ünï"])
def test_anything_else_is_replaced_by_a_new_id(header):
    generated = request_id(header)
    assert generated != header and len(generated) == 32 and request_id(header) != generated


def test_ticks_are_summed_and_logged_once_a_minute(caplog):
    summary = TickSummary()
    caplog.set_level(logging.INFO, "incidents.tick")
    counts = {"escalations woken": 2, "pages re-queued": 1, "requests applied from the inbox": 0}
    assert [summary.add(NOW + timedelta(seconds=2 * n), counts) for n in range(30)] == [None] * 30
    assert caplog.records == []
    assert summary.add(NOW + timedelta(seconds=60), counts) == {
        "escalations woken": 62,
        "pages re-queued": 31,
        "requests applied from the inbox": 0,
    }
    line = "31 ticks in 60s: 62 escalations woken, 31 pages re-queued, 0 requests applied from the inbox"
    assert caplog.messages == [line]
    assert summary.add(NOW + timedelta(seconds=62), counts) is None  # a new minute starts
