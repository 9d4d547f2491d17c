"""A real Alertmanager for the fault suite: alerts pushed through its API v2, what it holds and what
its /metrics say it delivered."""

import os
import threading
from datetime import UTC, datetime

import requests

from tests.e2e.conftest import WEBHOOK_TOKEN
from tests.support import Process, free_port, wait_http

# group_interval 1s: a changed group is sent again within a second, so a failed send is retried soon.
CONFIG = """\
route:
  receiver: incidents
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: incidents
    webhook_configs:
      - url: {base}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: {token}}}
"""


def start_alertmanager(base: str, folder) -> tuple[Process, str]:
    """Alertmanager on a free port, clustering off, notifying `base`: (process, URL) once ready."""
    config = folder / "alertmanager.yml"
    config.write_text(CONFIG.format(base=base, token=WEBHOOK_TOKEN))
    port = free_port()
    argv = [
        "prometheus-alertmanager",
        f"--config.file={config}",
        f"--storage.path={folder / 'am-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    process = Process(argv, env=dict(os.environ), log_path=folder / "alertmanager.log")
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/-/ready", process)
    return process, url


def held_fingerprints(url: str) -> set[str]:
    answer = requests.get(f"{url}/api/v2/alerts", timeout=10)
    answer.raise_for_status()
    return {alert["fingerprint"] for alert in answer.json()}


def metrics(url: str) -> str:
    return requests.get(f"{url}/metrics", timeout=10).text


class AlertFeed:
    """A thread that fires a new alert every `interval` seconds into one of `groups` groups."""

    def __init__(self, url: str, *, groups: int = 6, interval: float = 0.1):
        self.url, self.groups, self.interval = url, groups, interval
        self.fired = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "AlertFeed":
        self._thread.start()
        return self

    def __exit__(self, *_):
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            n = self.fired
            alert = {
                "labels": {"alertname": f"Fault{n % self.groups}", "instance": f"host-{n}", "severity": "warning"},
                "annotations": {"summary": f"Fault {n}"},
                "startsAt": datetime.now(UTC).isoformat(),
            }
            requests.post(f"{self.url}/api/v2/alerts", json=[alert], timeout=10).raise_for_status()
            self.fired += 1
