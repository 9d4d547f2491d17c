"""The incident page's alerts and timeline as people read them: firing alerts first, only the first ones made
into cards, the labels that tell alerts apart worked out over all of them."""

from datetime import UTC, datetime
from types import SimpleNamespace

from web.incident_view import alert_views, timeline_views

AT = datetime(2026, 12, 7, 21, 5, tzinfo=UTC)


def alert(fingerprint: str, status: str, instance: str):
    labels = {"alertname": "DiskFull", "instance": instance, "job": "node"}
    return SimpleNamespace(
        fingerprint=fingerprint,
        status=status,
        severity=3,
        summary="Disk full",
        labels=labels,
        annotations={"runbook_url": "https://runbooks.example/disk"},
        generator_url="",
        starts_at=AT,
        last_seen=AT,
        received_count=1,
    )


ROWS = [alert("a", "resolved", "db-1"), alert("b", "firing", "db-2"), alert("c", "resolved", "db-3")]
ROWS += [alert("d", "firing", "db-4")]


def test_firing_alerts_come_first_and_only_the_first_are_made_into_cards():
    shown, _ = alert_views(ROWS, 3)
    assert [card["fingerprint"] for card in shown] == ["b", "d", "a"]  # firing first, else in the rows' order
    assert [card["fingerprint"] for card in alert_views(ROWS, None)[0]] == ["b", "d", "a", "c"]
    assert shown[0]["tag"] == {"instance": "db-2"} and shown[0]["labels"]["job"] == "node"
    assert shown[0]["links"] == [{"text": "Runbook", "url": "https://runbooks.example/disk"}]


def test_the_labels_that_tell_alerts_apart_are_those_of_every_alert_shown_or_not():
    _, tags = alert_views(ROWS, 1)
    assert tags == {f: {"instance": f"db-{n}"} for n, f in enumerate("abcd", start=1)}
    entry = SimpleNamespace(id=7, actor="system", at=AT, kind="alert_firing", message="Alert firing", data={})
    of_hidden = [SimpleNamespace(**vars(entry) | {"data": {"fingerprint": "c"}}), entry]
    assert [line["tag"] for line in timeline_views(of_hidden, tags, pinned=(7,))] == [{"instance": "db-3"}, {}]
    assert all(line["pinned"] for line in timeline_views(of_hidden, tags, pinned=(7,)))


def test_one_alert_has_nothing_to_tell_apart():
    shown, tags = alert_views(ROWS[:1], 50)
    assert shown[0]["tag"] == {} and tags == {"a": {}}
