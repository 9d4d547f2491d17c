"""`incidents up` on the embedded defaults (SQLite file, file broker, pages to the built-in local
PagerDuty sink), as `make run` starts it."""

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from tests.support import READ, ROOT, Process, eventually, free_port, recorded_requests, wait_http

pytestmark = pytest.mark.e2e


@pytest.fixture
def embedded_env(tmp_path):
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "PROMETHEUS_MULTIPROC_DIR", "PAGERDUTY_EVENTS_URL")
        and k != "PUBLIC_URL"
    }
    environ.update(INCIDENTS_VAR=str(tmp_path / "var"), INCIDENTS_CONFIG=str(ROOT / "config"), PYTHONUNBUFFERED="1")
    return environ


def test_up_runs_web_worker_and_beat_on_embedded_defaults_and_ctrl_c_stops_all(tmp_path, embedded_env):
    subprocess.run([sys.executable, "-m", "cli.main", "db", "upgrade"], env=embedded_env, cwd=ROOT, check=True)
    port = free_port()
    up = Process(
        [sys.executable, "-m", "cli.main", "up", "--port", str(port)], env=embedded_env, log_path=tmp_path / "up.log"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", up, timeout=60)
        assert requests.get(f"{base}/readyz", timeout=5).json()["checks"] == {"database": "ok", "broker": "ok"}
        _, headers, body = recorded_requests()[0]
        answer = requests.post(f"{base}/webhooks/alertmanager", json=body, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        asked = f"{base}/api/requests/{answer.json()['request_id']}"
        applied = eventually(lambda: requests.get(asked, headers=READ, timeout=5).json()["incidents"], timeout=60)
        assert applied == ["INC-1"]  # the worker's consumer applied it (polling SQLite)
        eventually(lambda: "ready." in up.log() and "beat: Starting" in up.log(), timeout=60)
        log = eventually(lambda: "Ctrl-C stops all three." in up.log() and up.log(), timeout=60)
        # The sign-in box comes last, after web, worker and beat said they are up; SECRET_KEY's warning once.
        box = log.index("+--")
        assert log.index("ready.") < box and log.index("beat: Starting") < box and log.index("Listening at") < box
        assert f"|  Sign in at http://127.0.0.1:{port}/ as oncall-sre with password " in log[box:]
        assert f"{base}/local-pagerduty" in log[box:]
        assert log.count("SECRET_KEY is not set") == 1
        ack_url = eventually(lambda: page_logged(up.log(), base), timeout=60)  # the built-in local sink took it
        [page] = requests.get(f"{base}/api/incidents/INC-1", headers=READ, timeout=5).json()["pages"]
        assert (page["target"], page["state"], page["attempts"]) == ("user oncall-sre", "sent", 1)
        assert requests.post(ack_url, timeout=10).status_code == 200
        assert "No hostname was supplied" not in up.log()  # kombu, once per request handing work over
        incident = requests.get(f"{base}/api/incidents/INC-1", headers=READ, timeout=5).json()
        assert incident["status"] == "acknowledged", incident["timeline"]
        assert (tmp_path / "var" / "incidents.db").exists()
        children = descendants(up.popen.pid)
        assert len(children) >= 5, children  # web master and its workers, worker, beat
        os.kill(up.popen.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground process
        assert up.popen.wait(timeout=30) == 0, up.log()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/healthz", timeout=2)
        eventually(lambda: not any(alive(pid) for pid in children), timeout=15)
    finally:
        up.stop()


def page_logged(log: str, base: str) -> str | None:
    """The acknowledgement link of the page the local sink logged for oncall-sre, once it did."""
    found = re.search(rf"page for oncall-sre: \[INC-1\] .* ack: ({re.escape(base)}/ack/\S+)", log)
    return found and found.group(1)


def descendants(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found] + [grand for child in found for grand in descendants(int(child))]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has exited already
    except FileNotFoundError:
        return False
