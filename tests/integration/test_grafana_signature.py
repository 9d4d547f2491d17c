"""Grafana's webhook HMAC signature (docs/contracts.md, "Grafana webhook (v1)") as a credential of a service.

The example config gives production-api (the default service) one secret, and payment-service one
that signs `timestamp:body` with the timestamp in X-Grafana-Alerting-Timestamp.
"""

import dataclasses
import hashlib
import hmac
import json

from tests.integration.spoiling import ALERTMANAGER, assert_nothing_stored, firing_alert, grafana, post
from tests.support import applied_to, applying_app

SECRET, PAYMENTS_SECRET = "example-grafana-hmac-secret", "example-grafana-payments-secret"
SIGNATURE, TIMESTAMP = "X-Grafana-Alerting-Signature", "X-Grafana-Alerting-Timestamp"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payments_body() -> bytes:
    return json.dumps({**grafana(), "alerts": [firing_alert(service="payment-service")]}).encode()


def test_a_grafana_webhook_signed_with_the_service_secret_needs_no_other_credential(client, engine):
    body = json.dumps(grafana()).encode()
    response = post(client, ALERTMANAGER, body, {SIGNATURE: sign(SECRET, body)})
    assert response.status_code == 200, response.get_json()
    assert applied_to(client, response) == ["INC-1"]


def test_a_signature_that_does_not_match_the_body_opens_nothing(client, engine):
    body = json.dumps(grafana()).encode()
    for signature in (sign(SECRET, body + b" "), sign("another-secret-entirely", body), "", "v1=" + sign(SECRET, body)):
        response = post(client, ALERTMANAGER, body, {SIGNATURE: signature})
        assert response.status_code == 401, signature
    assert_nothing_stored(engine)


def test_the_timestamp_is_signed_with_the_body_when_the_service_says_so(client, engine):
    body, stamp = payments_body(), "1764167621"
    assert post(client, ALERTMANAGER, body, {SIGNATURE: sign(PAYMENTS_SECRET, body)}).status_code == 401
    assert (
        post(
            client,
            ALERTMANAGER,
            body,
            {SIGNATURE: sign(PAYMENTS_SECRET, f"{stamp}:".encode() + body), TIMESTAMP: "1764167699"},
        ).status_code
        == 401
    )
    assert_nothing_stored(engine)
    response = post(
        client, ALERTMANAGER, body, {SIGNATURE: sign(PAYMENTS_SECRET, f"{stamp}:".encode() + body), TIMESTAMP: stamp}
    )
    assert response.status_code == 200, response.get_json()


def test_a_secret_opens_only_its_own_service(client, engine):
    payments = payments_body()  # routed to payment-service, signed with production-api's secret
    assert post(client, ALERTMANAGER, payments, {SIGNATURE: sign(SECRET, payments)}).status_code == 403
    default = json.dumps(grafana()).encode()  # routed to production-api, signed with the payments secret
    headers = {SIGNATURE: sign(PAYMENTS_SECRET, b"1:" + default), TIMESTAMP: "1"}
    assert post(client, ALERTMANAGER, default, headers).status_code == 403
    assert_nothing_stored(engine)


def test_a_rotated_secret_opens_the_service_while_both_are_configured(engine, catalog, settings):
    service = catalog.service("production-api")
    rotated = dataclasses.replace(
        service,
        credentials=dataclasses.replace(service.credentials, grafana_hmac_secrets=("the-new-grafana-secret", SECRET)),
    )
    catalog = dataclasses.replace(
        catalog, services=tuple(rotated if s.name == service.name else s for s in catalog.services)
    )
    client = applying_app(settings, catalog=catalog, engine=engine).test_client()
    body = json.dumps(grafana()).encode()
    for secret in ("the-new-grafana-secret", SECRET):
        assert post(client, ALERTMANAGER, body, {SIGNATURE: sign(secret, body)}).status_code == 200
