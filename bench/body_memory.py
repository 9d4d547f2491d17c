"""Memory of the web process for bodies up to the intake limit (16 MiB by default).

Starts `incidents serve` with one gunicorn worker on a scratch PostgreSQL database, posts one
Alertmanager group of N alerts per size, and prints the worker's resident memory after each
request and its peak (VmHWM): what one large group costs a worker, and whether it is given back.
`python -m bench.body_memory --help` lists the options.
"""

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

import requests

from settings import env
from tests.support import REDIS_URL, ROOT, broker_prefix, scratch_database, start_web

HEADERS = {"Authorization": "Bearer example-token", "Content-Type": "application/json"}


def group_body(alerts: int, description_chars: int) -> bytes:
    """One Alertmanager group of `alerts` alerts, each with an incompressible description."""
    pad = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(description_chars // 64 + 1))
    items = [
        {
            "status": "firing",
            "labels": {"alertname": "Big", "service": "checkout", "pod": f"pod-{i}", "severity": "warning"},
            "annotations": {"summary": f"pod-{i} is unhappy", "description": pad[:description_chars]},
            "startsAt": "2026-11-26T14:33:41.755Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": f"{i:016x}",
        }
        for i in range(alerts)
    ]
    body = {"version": "4", "status": "firing", "receiver": "incidents", "groupKey": '{}:{alertname="Big"}'}
    body |= {"truncatedAlerts": 0, "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "alerts": items}
    return json.dumps(body).encode()


def worker_memory(master_pid: int) -> dict:
    """VmRSS and VmHWM (peak) in MiB of gunicorn's one worker, a child of the master."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
    return {name: int(value.split()[0]) / 1024 for name, value in fields.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,8,15.5", help="body sizes in MiB, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(f"bench_memory_{int(time.time())}") as url:
        with broker_prefix(f"bench-memory-{int(time.time())}:") as prefix:
            settings = env.load(
                {
                    "DATABASE_URL": url,
                    "CELERY_BROKER_URL": REDIS_URL,
                    "CELERY_BROKER_PREFIX": prefix,
                    "INCIDENTS_CONFIG": str(ROOT / "config"),
                    "INCIDENTS_VAR": tmp,
                    "SECRET_KEY": "bench",
                }
            )
            web, base = start_web(settings, Path(tmp), workers=1)
            try:
                print(f"idle worker: {worker_memory(web.popen.pid)}")
                for mib in (float(s) for s in args.sizes.split(",")):
                    body = group_body(int(mib * 1024 * 1024 / 1640), 1300)
                    started = time.monotonic()
                    answer = requests.post(f"{base}/webhooks/alertmanager", data=body, headers=HEADERS, timeout=300)
                    took = time.monotonic() - started
                    memory = worker_memory(web.popen.pid)
                    print(
                        f"{len(body) / 2**20:5.1f} MiB body, {answer.status_code} in {took:.2f} s: "
                        f"worker RSS {memory['VmRSS']:.0f} MiB, peak {memory['VmHWM']:.0f} MiB"
                    )
            finally:
                web.stop()


if __name__ == "__main__":
    main()
