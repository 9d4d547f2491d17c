"""schemathesis against the running app: no 5xx, and every answer is one the spec documents
(status code, content type, body schema), for every operation in /openapi.json."""

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS

from tests.support import READ, ROOT, eventually, start_consumer, start_web, stop_all

pytestmark = pytest.mark.e2e

EXAMPLES = 50  # per operation: 28 operations take ~30 s on a loaded 2-core machine
# Valid credentials of the example config (config/services.yaml, people.yaml), per security scheme.
WEBHOOK = {"Authorization": "Bearer example-token"}
API = {"Authorization": "Bearer example-api-token-change-me"}
CREDENTIALS = {"apiToken": API, "webhookBearer": WEBHOOK}
ROUTING_KEY = "exampleintegrationkey00000000001"
KNOWN = {"routing_key": ROUTING_KEY, "service": "production-api", "user": "alice", "team": "sre"}
KNOWN |= {"person": "alice", "to": "alice", "assignee": "alice"}
KNOWN_IN_PATH = {"incident_ref": "INC-1", "entry_id": 1, "action_id": 1}
CHECKED = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")
# The sink is served when the events URL is PUBLIC_URL's /local-pagerduty; no worker runs here to page it.
PUBLIC_URL = "http://incidents.test"


def credentials(case) -> dict:
    """Valid credentials for the first scheme the operation's `security` names that we hold."""
    schemes = [name for requirement in case.operation.definition.raw.get("security", []) for name in requirement]
    return next((CREDENTIALS[name] for name in schemes if name in CREDENTIALS), {})


def with_known_names(case):
    """Most random bodies name an unknown incident, service, person or routing key (404, 400); half of
    them name known ones, so they reach the store."""
    if case.path_parameters:
        case.path_parameters = case.path_parameters | {
            k: v for k, v in KNOWN_IN_PATH.items() if k in case.path_parameters
        }
    if isinstance(case.body, dict):
        case.body = case.body | {key: value for key, value in KNOWN.items() if key in case.body}
    return case


@pytest.fixture
def web(settings, engine, tmp_path):
    local_sink = {"PUBLIC_URL": PUBLIC_URL, "PAGERDUTY_EVENTS_URL": f"{PUBLIC_URL}/local-pagerduty"}
    process, base = start_web(settings, tmp_path, workers=2, **local_sink)
    consumer = start_consumer(settings, tmp_path, **local_sink)
    body = json.loads((ROOT / "examples" / "alertmanager-firing.json").read_text())
    answer = requests.post(f"{base}/webhooks/alertmanager", json=body, headers=WEBHOOK, timeout=10)
    asked = f"{base}/api/requests/{answer.json()['request_id']}"
    eventually(lambda: requests.get(asked, headers=READ, timeout=10).json()["incidents"], timeout=30)  # an INC-1
    yield base
    stop_all([process, consumer])


def test_every_answer_of_the_running_app_matches_its_openapi_document(web):
    schema = schemathesis.openapi.from_url(f"{web}/openapi.json")
    checks = [check for check in CHECKS.get_all() if check.__name__ in CHECKED]
    assert len(checks) == len(CHECKED)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 28
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), known=st.booleans())
        def answers_as_documented(case, known):
            case = with_known_names(case) if known else case
            case.call_and_validate(base_url=web, headers=credentials(case), checks=checks, timeout=10)

        answers_as_documented()
