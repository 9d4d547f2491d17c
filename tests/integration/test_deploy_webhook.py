"""The deploy webhook on /webhooks/deploy: a webhook's credentials, 403 for another service, 400 naming the field."""

from datetime import UTC, datetime

import pytest

from tests.integration.changing import DEPLOY, assert_no_change_stored, deploy, stored
from tests.integration.spoiling import BASIC, BEARER, basic, drop, post, post_json, put

pytestmark = pytest.mark.both_databases


def test_a_deploy_is_answered_201_with_the_change_and_stored_with_its_raw_body(client, engine):
    body = deploy(
        commit="9fceb02", author="alice", link="https://ci.example.com/builds/812", time="2026-11-27T11:40:00Z"
    )
    response = post_json(client, DEPLOY, body, BASIC)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()["change"]
    assert (answer["service"], answer["version"], answer["commit"], answer["author"]) == (
        "payment-service",
        "v1.4.2",
        "9fceb02",
        "alice",
    )
    assert answer["changed_at"] == "2026-11-27T11:40:00Z"
    assert answer["links"] == [{"href": "https://ci.example.com/builds/812", "text": None}]
    (change,), (raw,) = stored(engine)
    assert (change.id, change.source, raw.source, change.raw_request_id) == (answer["id"], "deploy", "deploy", raw.id)
    assert change.changed_at == datetime(2026, 11, 27, 11, 40, tzinfo=UTC)


def test_a_deploy_without_time_changed_when_received_and_without_summary_is_named_after_its_version(client, engine):
    response = post_json(client, DEPLOY, {"service": "production-api", "commit": "9fceb02"}, BEARER)
    assert response.status_code == 201
    (change,), _ = stored(engine)
    assert (change.summary, change.changed_at) == ("Deploy 9fceb02", change.received_at)


def test_a_deploy_without_credentials_is_refused_with_401(client, engine):
    response = post_json(client, DEPLOY, deploy())
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    assert post_json(client, DEPLOY, deploy(), basic("alertmanager", "wrong")).status_code == 401
    assert_no_change_stored(engine)


def test_credentials_that_do_not_open_the_named_service_are_refused_with_403(client, engine):
    # BASIC opens payment-service only (config/services.yaml).
    response = post_json(client, DEPLOY, deploy(service="production-api"), BASIC)
    assert response.status_code == 403
    assert "production-api" in response.get_json()["error"]
    assert_no_change_stored(engine)


def test_an_unknown_service_is_refused_with_400_naming_service(client, engine):
    response = post_json(client, DEPLOY, deploy(service="billing"), BEARER)
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"service": 'no service called "billing"'}
    assert_no_change_stored(engine)


DEPLOY_FIELDS = [
    pytest.param(drop("service"), "service", id="service missing"),
    pytest.param(drop("version"), "version", id="neither version nor commit"),
    pytest.param(put("version", ""), "version", id="version empty"),
    pytest.param(put("version", 142), "version", id="version a number"),
    pytest.param(put("commit", ["9fceb02"]), "commit", id="commit a list"),
    pytest.param(put("service", None), "service", id="service null"),
    pytest.param(put("summary", "x" * 1025), "summary", id="summary over 1024"),
    pytest.param(put("author", {"name": "alice"}), "author", id="author an object"),
    pytest.param(put("link", "ci build 812"), "link", id="link not a URL"),
    pytest.param(put("link", "ftp://ci.example.com/812"), "link", id="link not http"),
    pytest.param(put("time", "yesterday"), "time", id="time not RFC 3339"),
    pytest.param(put("time", 1764243600), "time", id="time a number"),
    pytest.param(put("summary", "Deploy\x00"), "summary", id="NUL in summary"),
]


@pytest.mark.parametrize("spoil, field", DEPLOY_FIELDS)
def test_a_deploy_with_a_wrong_or_missing_field_is_refused_with_400_naming_it(client, engine, spoil, field):
    body = deploy()
    spoil(body)
    response = post_json(client, DEPLOY, body, BEARER)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["fields"], response.get_json()
    assert_no_change_stored(engine)


def test_not_json_is_refused_with_415_and_a_list_with_400(client, engine):
    assert post(client, DEPLOY, b"{}", BEARER, content_type="text/plain").status_code == 415
    assert post_json(client, DEPLOY, [deploy()], BEARER).status_code == 400
    assert_no_change_stored(engine)
