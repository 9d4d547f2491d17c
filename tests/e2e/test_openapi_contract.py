"""schemathesis against the running app: no 5xx, and every answer is one the spec documents
(status code, content type, body schema), for every operation in /openapi.json."""

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import CHECKS

from tests.support import ROOT, start_web

pytestmark = pytest.mark.e2e

EXAMPLES = 50  # per operation: 12 operations take ~20 s on a loaded 2-core machine
# Valid credentials of the example config (config/services.yaml), per kind of route.
WEBHOOK = {"Authorization": "Bearer example-token"}
API = {"Authorization": "Bearer example-api-token-change-me"}
ROUTING_KEY = "exampleintegrationkey00000000001"
CHECKED = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")


def credentials(case) -> dict:
    if case.path.startswith("/api/"):
        return API
    return WEBHOOK if case.path == "/webhooks/alertmanager" else {}


def with_known_routing_key(case):
    """Most random events name an unknown service (400); some must reach the store."""
    if case.path == "/v2/enqueue" and isinstance(case.body, dict) and len(case.body) % 2:
        case.body = case.body | {"routing_key": ROUTING_KEY}
    return case


@pytest.fixture
def web(settings, engine, tmp_path):
    process, base = start_web(settings, tmp_path, workers=2)
    body = json.loads((ROOT / "examples" / "alertmanager-firing.json").read_text())
    assert requests.post(f"{base}/webhooks/alertmanager", json=body, headers=WEBHOOK, timeout=10).ok  # an INC-1
    yield base
    process.stop()


def test_every_answer_of_the_running_app_matches_its_openapi_document(web):
    schema = schemathesis.openapi.from_url(f"{web}/openapi.json")
    checks = [check for check in CHECKS.get_all() if check.__name__ in CHECKED]
    assert len(checks) == len(CHECKED)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def answers_as_documented(case):
            case = with_known_routing_key(case)
            case.call_and_validate(base_url=web, headers=credentials(case), checks=checks, timeout=10)

        answers_as_documented()
