"""A real Prometheus Alertmanager (0.25, Debian package) sends to the running service with a bearer token.

Alerts are fired and ended with `amtool`, as the recorded fixtures were; the webhook contract is in
docs/contracts.md, "Alertmanager webhook (v4)".
"""

import os
import shutil
import subprocess
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import requests
import sqlalchemy as sa

from store.tables import raw_requests
from tests.support import READ, Process, eventually, free_port, start_consumer, start_web, wait_http

pytestmark = pytest.mark.e2e

LABELS = {"alertname": "DiskFull", "service": "checkout", "severity": "critical"}
SUMMARY = "Disk /var on checkout-1 is 97% full"

# `authorization` is the http_config syntax of Alertmanager 0.22+ (`bearer_token` is the older one).
CONFIG = """\
route:
  receiver: incidents
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: incidents
    webhook_configs:
      - url: {base}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: example-token}}
"""


def require_alertmanager() -> None:
    """Skip where Alertmanager is not installed; in CI a missing binary is a failure, never a skip."""
    missing = [name for name in ("prometheus-alertmanager", "amtool") if shutil.which(name) is None]
    if missing:
        reason = f"{' and '.join(missing)} not on PATH (Debian package prometheus-alertmanager)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def processes():
    """The processes a test starts, stopped at teardown whatever happened."""
    started: list[Process] = []
    yield started
    for process in reversed(started):
        process.stop()


@contextmanager
def logs_on_failure(processes: list[Process]):
    """Append every process's log to a failure, so a red CI run shows what the peers saw and said."""
    try:
        yield
    except Exception as error:
        logs = "\n".join(f"----- {p.log_path.name} -----\n{p.log()}" for p in processes)
        raise AssertionError(f"{error}\n{logs}") from error


def start_alertmanager(base: str, tmp_path, processes: list[Process]) -> str:
    """Alertmanager on a free port, clustering off, notifying `base`; returns its URL once ready."""
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(base=base))
    port = free_port()
    argv = [
        "prometheus-alertmanager",
        f"--config.file={config}",
        f"--storage.path={tmp_path / 'am-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    processes.append(Process(argv, env=dict(os.environ), log_path=tmp_path / "alertmanager.log"))
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/-/ready", processes[-1])
    return url


def amtool(alertmanager: str, *args: str) -> None:
    result = subprocess.run(
        ["amtool", f"--alertmanager.url={alertmanager}", *args], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, f"amtool {' '.join(args)}: {result.stdout}{result.stderr}"


def alert_args(*extra: str) -> list[str]:
    return ["alert", "add", *(f"{k}={v}" for k, v in LABELS.items()), f"--annotation=summary={SUMMARY}", *extra]


def listing(base: str) -> dict:
    return requests.get(f"{base}/api/incidents", headers=READ, timeout=5).json()


def detail(base: str, incident_id: str) -> dict:
    return requests.get(f"{base}/api/incidents/{incident_id}", headers=READ, timeout=5).json()


def resolved(base: str, incident_id: str) -> dict | None:
    incident = detail(base, incident_id)
    return incident if incident["status"] == "resolved" else None


def kinds(incident: dict) -> list[str]:
    return [entry["kind"] for entry in incident["timeline"]]


def test_alert_fired_and_resolved_with_amtool_opens_then_resolves_one_incident(settings, engine, tmp_path, processes):
    require_alertmanager()
    web, base = start_web(settings, tmp_path)
    processes.extend([web, start_consumer(settings, tmp_path)])
    alertmanager = start_alertmanager(base, tmp_path, processes)

    with logs_on_failure(processes):
        amtool(alertmanager, *alert_args())
        [opened] = eventually(lambda: listing(base)["incidents"], timeout=30)
        incident = detail(base, opened["id"])
        assert (incident["service"], incident["severity"], incident["status"]) == (
            "production-api",
            "SEV2",
            "triggered",
        )  # service=checkout routes nowhere: the default
        assert incident["title"] == SUMMARY
        [alert] = incident["alerts"]
        assert (alert["labels"], alert["status"], alert["ends_at"]) == (LABELS, "firing", None)
        assert incident["group_key"] == '{}:{alertname="DiskFull", service="checkout"}'
        assert "opened" in kinds(incident)

        # An end in the past (or now) is how amtool resolves: Alertmanager then sends `resolved`.
        amtool(alertmanager, *alert_args(f"--end={datetime.now(UTC).isoformat(timespec='seconds')}"))
        incident = eventually(lambda: resolved(base, opened["id"]), timeout=30)
        assert incident["resolved_at"] is not None and "resolved" in kinds(incident)
        assert [a["status"] for a in incident["alerts"]] == ["resolved"]

        # Every notification Alertmanager sent for the group landed on that one incident.
        with engine.connect() as conn:
            deliveries = conn.execute(
                sa.select(sa.func.count())
                .select_from(raw_requests)
                .where(raw_requests.c.user_agent.startswith("Alertmanager/"))
            ).scalar_one()
        assert deliveries >= 2, "expected the firing and the resolved notification"
        assert incident["alerts"][0]["received_count"] == deliveries
        assert listing(base)["total"] == 1
