"""Alertmanager posts sent at once from several processes to gunicorn, applied by two inbox consumers at
once (`incidents consume`): dedup and grouping still hold.

Each process runs threads with a session of their own; one barrier releases every thread at once.
"""

import copy
import json
import multiprocessing
import random
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from store.tables import alerts, incidents, raw_requests, timeline
from tests.support import eventually, recorded_requests, start_consumer, start_web, stop_all

pytestmark = pytest.mark.e2e

PROCESSES, THREADS = 4, 10
TIMEOUT = 30  # seconds, for the barrier and for each post: gunicorn's own worker timeout
GROUPS, ALERTS_PER_GROUP, FIRING_PER_GROUP = 20, 10, 8  # in test 2 alerts 8 and 9 are always resolved


@pytest.fixture
def web(settings, engine, tmp_path):
    process, base = start_web(settings, tmp_path, workers=4)
    consumers = [start_consumer(settings, tmp_path, f"consumer-{n}") for n in range(2)]
    yield base
    stop_all([process, *consumers])
    for running in (process, *consumers):
        print(running.log())  # captured: pytest shows it with a failed test only


def applied(engine, answers: list[dict]) -> list[list[str]]:
    """The incidents each answered request went to, once the consumers applied every one."""
    query = sa.select(raw_requests.c.request_id, raw_requests.c.incidents, raw_requests.c.applied_at)
    eventually(lambda: all(row.applied_at for row in rows(engine, query)) or None, timeout=60)
    went = {row.request_id: [f"INC-{n}" for n in row.incidents] for row in rows(engine, query)}
    return [went[answer["request_id"]] for answer in answers]


def alertmanager_request(group: str, alerts_of_group: list[tuple[str, str]]) -> tuple[dict, bytes]:
    """The recorded firing request, rewritten for a group of our own with (fingerprint, status) alerts."""
    _, headers, body = recorded_requests()[0]
    body = copy.deepcopy(body)
    template = body["alerts"][0]
    body["alerts"] = [
        dict(
            template,
            status=status,
            fingerprint=fingerprint,
            labels=dict(template["labels"], alertname=group, instance=fingerprint),
            annotations={"summary": f"{group} on {fingerprint}"},
            endsAt=template["startsAt"] if status == "resolved" else "0001-01-01T00:00:00Z",
        )
        for fingerprint, status in alerts_of_group
    ]
    body["groupKey"] = group_key(group)
    body["groupLabels"] = body["commonLabels"] = {"alertname": group, "service": "checkout"}
    return headers, json.dumps(body).encode()


def group_key(group: str) -> str:
    return f'{{}}:{{alertname="{group}"}}'


def send_share(base: str, requests_: list[tuple[dict, bytes]], barrier) -> list[tuple]:
    """In a child process: THREADS threads connect, wait for every sender, then post their share."""
    answers = [None] * len(requests_)

    def sender(first: int) -> None:
        with requests.Session() as session:
            session.get(f"{base}/healthz", timeout=TIMEOUT)  # connected before the start
            barrier.wait()
            for i in range(first, len(requests_), THREADS):
                answers[i] = post(session, f"{base}/webhooks/alertmanager", *requests_[i])

    with ThreadPoolExecutor(THREADS) as threads:
        for future in [threads.submit(sender, n) for n in range(THREADS)]:
            future.result()  # a broken barrier or a failed connect fails the test
    return answers


def post(session, url: str, headers: dict, body: bytes) -> tuple:
    try:
        response = session.post(url, data=body, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as error:
        return type(error).__name__, str(error)
    return response.status_code, response.text


def post_concurrently(base: str, requests_: list[tuple[dict, bytes]]) -> list[tuple]:
    """(status, text) for each request, posted from PROCESSES processes of THREADS threads at once."""
    context = multiprocessing.get_context("spawn")
    shares = [range(p, len(requests_), PROCESSES) for p in range(PROCESSES)]
    answers = [None] * len(requests_)
    with context.Manager() as manager, ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        barrier = manager.Barrier(PROCESSES * THREADS, timeout=TIMEOUT)
        futures = [pool.submit(send_share, base, [requests_[i] for i in share], barrier) for share in shares]
        for share, future in zip(shares, futures, strict=False):
            for i, answer in zip(share, future.result(timeout=TIMEOUT * (len(share) // THREADS + 2)), strict=False):
                answers[i] = answer
    errors = Counter((status, text[:200]) for status, text in answers if status != 200)
    assert not errors, f"{errors.total()} of {len(answers)} posts failed: {errors}"
    return [json.loads(text) for _, text in answers]


def rows(engine, query) -> list:
    with engine.connect() as conn:
        return conn.execute(query).all()


def count(engine, table) -> int:
    return rows(engine, sa.select(sa.func.count()).select_from(table))[0][0]


def test_identical_posts_sent_at_once_open_one_incident_and_count_every_repeat(web, engine):
    fingerprints = ["c0c0000000000001", "c0c0000000000002", "c0c0000000000003"]
    request = alertmanager_request("ConcurrentIdentical", [(fp, "firing") for fp in fingerprints])

    answers = post_concurrently(web, [request] * 200)

    assert {tuple(incidents_) for incidents_ in applied(engine, answers)} == {("INC-1",)}
    [incident] = rows(engine, sa.select(incidents))
    assert (incident.number, incident.status, incident.alert_events) == (1, "triggered", 3 * 200)
    stored = rows(
        engine, sa.select(alerts.c.fingerprint, alerts.c.status, alerts.c.received_count).order_by(alerts.c.fingerprint)
    )
    assert stored == [(fp, "firing", 200) for fp in fingerprints]
    kinds = Counter(kind for (kind,) in rows(engine, sa.select(timeline.c.kind)))
    assert kinds == {"opened": 1, "alert_firing": 3, "paged": 1}  # and the on-call paged once, not 200 times
    assert count(engine, raw_requests) == 200


def test_overlapping_groups_sent_at_once_open_one_numbered_incident_per_group_and_count_each_alert(web, engine):
    rng = random.Random(20261126)
    plan = []  # (group, [(fingerprint, status)]) per request; every request has a firing alert
    for n in range(200):
        group = f"ConcurrentGroup{n % GROUPS:02d}"
        chosen = set(rng.sample(range(ALERTS_PER_GROUP), rng.randint(1, ALERTS_PER_GROUP)))
        chosen.add(rng.randrange(FIRING_PER_GROUP))
        plan.append(
            (group, [(f"{group}-{a}", "firing" if a < FIRING_PER_GROUP else "resolved") for a in sorted(chosen)])
        )
    rng.shuffle(plan)

    answers = post_concurrently(web, [alertmanager_request(group, sent) for group, sent in plan])
    went = applied(engine, answers)

    group_of = {group_key(group): group for group, _ in plan}
    opened = rows(engine, sa.select(incidents.c.group_key, incidents.c.number, incidents.c.status))
    assert len(opened) == GROUPS
    assert sorted(row.number for row in opened) == list(range(1, GROUPS + 1))
    assert {row.status for row in opened} == {"triggered"}
    number_of = {group_of[row.group_key]: row.number for row in opened}
    assert went == [[f"INC-{number_of[g]}"] for g, _ in plan]

    expected = Counter((group, fp, status) for group, sent in plan for fp, status in sent)
    stored = rows(
        engine,
        sa.select(incidents.c.group_key, alerts.c.fingerprint, alerts.c.status, alerts.c.received_count).join_from(
            alerts, incidents
        ),
    )
    assert len(stored) == len(expected)
    assert {(group_of[key], fp, status): n for key, fp, status, n in stored} == dict(expected)
    assert sum(n for *_, n in stored) == sum(len(sent) for _, sent in plan)

    kinds = Counter(
        (group_of[key], kind)
        for key, kind in rows(engine, sa.select(incidents.c.group_key, timeline.c.kind).join_from(timeline, incidents))
    )
    expected_kinds = Counter({(group, kind): 1 for group in group_of.values() for kind in ("opened", "paged")})
    expected_kinds.update((group, f"alert_{status}") for group, _, status in expected)
    assert kinds == expected_kinds  # each alert joined its incident once, however the posts raced
    assert count(engine, raw_requests) == 200
