"""gunicorn settings: Prometheus multiprocess metrics and sane timeouts."""

import os
import shutil

from settings import env, logs

# Must be set before prometheus_client is first imported: it picks its value store at import time.
# One folder under ./var (INCIDENTS_VAR), emptied at each start, so restarts leave nothing behind.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(env.load().var_dir / "web-metrics")
shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from gunicorn.workers import gthread  # noqa: E402
from prometheus_client import multiprocess  # noqa: E402

from server import collector  # noqa: E402

# Since gunicorn 24 a pool thread takes each new connection and waits up to 5 s for its first bytes
# (gunicorn issue #3634): three idle connections (a browser's preconnect, a slow client) held every
# thread of a worker, and intake and the status page stalled for 4.8 s. After 0.1 s without bytes the
# connection goes back to the worker's poller, which hands it to a thread once it is readable. (10 ms
# stalled less, but under saturation wrk then saw a few connections reset: that path is less tried.)
if hasattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT"):
    gthread.DEFAULT_WORKER_DATA_TIMEOUT = 0.1

worker_class = "gthread"
# Few threads per process: they share one GIL, and a request's thread waiting for the database
# waits for the GIL again when the answer comes. bench/intake.py measured 3 x 3 on 2 cores best.
threads = int(os.environ.get("GUNICORN_THREADS", 3))
timeout = 30
graceful_timeout = 10
keepalive = 5
# Off by default: a line per successful request drowns the failures, which the app logs itself.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
logconfig_dict = logs.gunicorn_logconfig()


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """The app is loaded: the collector as server/collector.py says."""
    collector.tune()
