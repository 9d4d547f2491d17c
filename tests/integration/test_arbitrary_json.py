"""Whatever JSON arrives with valid credentials, the intake answers 2xx or 4xx, never 5xx.

A 5xx makes Alertmanager and PagerDuty clients retry the same body again and again, and a body
that can never be stored must be refused (4xx) instead. A refused body must store nothing.
"""

import hashlib
import json
import string

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.tables import raw_requests
from tests.integration.spoiling import ALERTMANAGER, BEARER, PAGERDUTY, ROUTING_KEY, firing_alert, post, trigger
from tests.integration.spoiling import webhook as webhook_of

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class Number(str):
    """A JSON number sent as written: `1e400` is valid JSON that json.dumps never produces."""


NUMBER_LITERALS = [
    "1e400",
    "-1e400",
    "1E+309",
    "-0",
    "0e-999",
    "2.5e-400",
    "-0.0",
    "123456789012345678901234567890",
    "1" + "0" * 400 + ".5",
    "9" * 4301,
]
ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc80y",
    "\ud83d\ude00",
    "\u2028\u2029",
    "\ufeff",
    "\U0010ffff",
    "e\u0301",
    "\u202eevil",
    "\x7f\x1b[31m",
    "null",
    "true",
    "0",
    "firing",
    "resolved",
    "trigger",
    "acknowledge",
    "resolve",
    "critical",
    "SEV1",
    "p0",
    "ſev1",
    "0001-01-01T00:00:00Z",
    "2026-11-26T14:33:41.755554785Z",
    "9999-12-31T23:59:59.999999999-23:59",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+00:01",
    "2026-13-40T25:61:61Z",
    "٢٠٢٦-١١-٢٦T14:33:41Z",
    ROUTING_KEY,
    "examplepaymentskey00000000000002",
    "payment-service",
]

texts = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=20),
    st.text(st.characters(exclude_categories=()), max_size=20),  # surrogates and NUL included
    st.text(string.ascii_letters + string.digits, min_size=2000, max_size=9000),  # long, incompressible
)
numbers = st.one_of(
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(NUMBER_LITERALS).map(Number)
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)
string_maps = st.dictionaries(texts, texts, max_size=5)


def encode(value, ascii_only: bool) -> str:
    """JSON text for a value, `Number` leaves written as they are."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(encode(item, ascii_only) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                f"{json.dumps(key, ensure_ascii=ascii_only)}:{encode(item, ascii_only)}" for key, item in value.items()
            )
            + "}"
        )
    return json.dumps(value, ensure_ascii=ascii_only)


@st.composite
def bodies(draw, values) -> bytes:
    """A body as bytes: escaped to ASCII, or raw UTF-8 (where a lone surrogate makes it invalid UTF-8)."""
    ascii_only = draw(st.booleans())
    return encode(draw(values), ascii_only).encode("utf-8", "surrogatepass")


def webhook() -> dict:
    """The near-valid Alertmanager body: one alert with no service label."""
    return webhook_of(firing_alert())


# Where a near-valid body is spoiled, and with what: anything at all, or a value of the right shape.
WEBHOOK_SPOTS = {
    ("version",): st.sampled_from(["4", "1"]),
    ("groupKey",): texts,
    ("status",): texts,
    ("receiver",): texts,
    ("truncatedAlerts",): numbers,
    ("groupLabels",): string_maps,
    ("commonLabels",): string_maps,
    ("commonAnnotations",): string_maps,
    ("externalURL",): texts,
    ("orgId",): numbers,
    ("alerts",): st.lists(st.builds(firing_alert), max_size=3),
    ("alerts", 0): st.builds(firing_alert),
    ("alerts", 0, "status"): st.sampled_from(["firing", "resolved"]) | texts,
    ("alerts", 0, "labels"): string_maps,
    ("alerts", 0, "annotations"): string_maps,
    ("alerts", 0, "labels", "severity"): texts,
    ("alerts", 0, "labels", "service"): texts,
    ("alerts", 0, "startsAt"): texts,
    ("alerts", 0, "endsAt"): texts,
    ("alerts", 0, "generatorURL"): texts,
    ("alerts", 0, "fingerprint"): texts,
}
EVENT_SPOTS = {
    ("routing_key",): texts,
    ("event_action",): st.sampled_from(["trigger", "acknowledge", "resolve"]) | texts,
    ("dedup_key",): texts,
    ("payload",): st.dictionaries(texts, json_values, max_size=4),
    ("payload", "summary"): texts,
    ("payload", "source"): texts,
    ("payload", "severity"): st.sampled_from(["critical", "error", "warning", "info"]) | texts,
    ("payload", "timestamp"): texts,
    ("payload", "component"): texts,
    ("payload", "group"): texts,
    ("payload", "class"): texts,
    ("payload", "custom_details"): json_values,
    ("images",): json_values,
    ("links",): json_values,
    ("client",): texts,
}
DELETED = object()


@st.composite
def near_valid(draw, valid, spots: dict) -> dict:
    """A valid body with one to three of its spots replaced (by arbitrary JSON or a plausible value) or removed."""
    body = valid()
    for path in draw(st.lists(st.sampled_from(sorted(spots, key=repr)), min_size=1, max_size=3, unique=True)):
        # Plausible values twice as often: they pass validation more and so reach the database.
        value = draw(st.one_of(spots[path], spots[path], json_values, st.just(DELETED)))
        target = body
        for key in path[:-1]:
            target = target[key] if _has(target, key) else None
            if not isinstance(target, (dict, list)):
                break
        else:
            _set(target, path[-1], value)
    return body


def _has(container, key) -> bool:
    return key in container if isinstance(container, dict) else isinstance(key, int) and key < len(container)


def _set(container, key, value) -> None:
    if isinstance(container, dict) and value is DELETED:
        container.pop(key, None)
    elif isinstance(container, dict) or (isinstance(key, int) and key < len(container)):
        container[key] = None if value is DELETED else value


def near_valid_bodies(valid, spots):
    return st.builds(
        lambda body, ascii_only: encode(body, ascii_only).encode("utf-8", "surrogatepass"),
        near_valid(valid, spots),
        st.booleans(),
    )


def stored_requests(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(raw_requests)).scalar_one()


def assert_answered_without_server_error(client, engine, path, data: bytes, headers=None):
    before = stored_requests(engine)
    response = post(client, path, data, headers)
    shown = f"{response.status_code} {response.get_data(as_text=True)[:300]!r} for body {data[:500]!r}"
    assert 200 <= response.status_code < 500, shown
    if response.status_code >= 400:
        assert stored_requests(engine) == before, f"a refused request was stored: {shown}"


def with_long_group_key() -> bytes:
    # 8000 characters that do not compress: over PostgreSQL's 2704-byte limit for a btree index row,
    # which is why uq_incidents_open_group indexes the key's hash.
    body = webhook()
    body["groupKey"] = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(125))  # 8000 hex
    return json.dumps(body).encode()


def with_custom_details(literal: str) -> bytes:
    return encode(
        trigger() | {"payload": trigger()["payload"] | {"custom_details": {"load": Number(literal)}}}, True
    ).encode()


@FUZZ
@given(data=bodies(json_values))
@example(data=b'{"version": "4", "groupKey": 1e400}')
def test_arbitrary_json_on_the_alertmanager_webhook_is_never_answered_with_a_server_error(client, engine, data):
    assert_answered_without_server_error(client, engine, ALERTMANAGER, data, BEARER)


@FUZZ
@given(data=bodies(json_values))
def test_arbitrary_json_on_the_pagerduty_endpoint_is_never_answered_with_a_server_error(client, engine, data):
    assert_answered_without_server_error(client, engine, PAGERDUTY, data)


@FUZZ
@given(data=near_valid_bodies(webhook, WEBHOOK_SPOTS))
@example(data=json.dumps(webhook()).encode())
@example(data=with_long_group_key())
def test_near_valid_alertmanager_payloads_are_never_answered_with_a_server_error(client, engine, data):
    assert_answered_without_server_error(client, engine, ALERTMANAGER, data, BEARER)


@FUZZ
@given(data=near_valid_bodies(trigger, EVENT_SPOTS))
@example(data=json.dumps(trigger()).encode())
@example(data=with_custom_details("1e400"))
@example(data=with_custom_details("-1e400"))
def test_near_valid_pagerduty_events_are_never_answered_with_a_server_error(client, engine, data):
    assert_answered_without_server_error(client, engine, PAGERDUTY, data)
