"""What a sender may legitimately send is never refused for its size (docs/refusals.md).

Alertmanager drops a notification answered with a 4xx, so a group key, fingerprint, label or
annotation refused for its length would be an alert lost for good.
"""

import hashlib
import json

import sqlalchemy as sa

from settings.env import MAX_BODY_BYTES
from store.tables import alerts, incidents, raw_requests
from tests.integration.spoiling import ALERTMANAGER, BEARER, firing_alert, post_json, webhook


def noise(characters: int) -> str:
    """Text that does not compress (hex of hashes), so no storage trick makes it small."""
    out = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(characters // 64 + 1))
    return out[:characters]


def stored(engine):
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(incidents.c.number, incidents.c.group_key)).all(),
            conn.execute(sa.select(alerts.c.fingerprint, alerts.c.received_count, alerts.c.labels)).all(),
            conn.execute(sa.select(sa.func.count()).select_from(raw_requests)).scalar_one(),
        )


def test_a_group_key_of_a_hundred_thousand_characters_is_accepted_and_deduplicated(client, engine):
    body = webhook()
    body["groupKey"] = "{}:{" + noise(100_000) + "}"
    assert post_json(client, ALERTMANAGER, body, BEARER).status_code == 200
    assert post_json(client, ALERTMANAGER, body, BEARER).status_code == 200
    found, alert_rows, raw = stored(engine)
    assert [row.group_key for row in found] == [body["groupKey"]]
    assert [row.received_count for row in alert_rows] == [2]
    assert raw == 2


def test_a_long_fingerprint_is_accepted_and_keeps_one_identity(client, engine):
    long_one = firing_alert(service="checkout") | {"fingerprint": noise(10_000)}
    other = firing_alert(service="checkout", instance="b") | {"fingerprint": long_one["fingerprint"][:-1] + "x"}
    assert post_json(client, ALERTMANAGER, webhook(long_one), BEARER).status_code == 200
    assert post_json(client, ALERTMANAGER, webhook(long_one, other), BEARER).status_code == 200
    _, alert_rows, _ = stored(engine)
    assert sorted(row.received_count for row in alert_rows) == [1, 2]
    assert all(row.fingerprint.startswith("sha256:") for row in alert_rows)


def test_label_and_annotation_values_of_a_mebibyte_are_stored_whole(client, engine):
    alert = firing_alert(service="checkout", query=noise(1024 * 1024))
    alert["annotations"]["description"] = noise(1024 * 1024)
    assert post_json(client, ALERTMANAGER, webhook(alert), BEARER).status_code == 200
    _, alert_rows, _ = stored(engine)
    assert alert_rows[0].labels["query"] == alert["labels"]["query"]


def test_a_group_of_ten_thousand_alerts_near_the_body_limit_is_accepted_whole(client, engine):
    group = [
        firing_alert(service="checkout", instance=f"pod-{i}") | {"fingerprint": f"{i:016x}"} for i in range(10_000)
    ]
    for alert in group:
        alert["annotations"]["description"] = noise(1300)
    body = webhook(*group)
    size = len(json.dumps(body))
    assert 15 * 1024 * 1024 < size <= MAX_BODY_BYTES, size
    assert post_json(client, ALERTMANAGER, body, BEARER).status_code == 200
    found, alert_rows, raw = stored(engine)
    assert len(found) == 1 and len(alert_rows) == 10_000 and raw == 1
