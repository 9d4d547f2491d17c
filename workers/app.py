"""The Celery app. Queues, routes and retry settings live here, in one place.

Importing this module reads no environment and creates no folder: `create_celery()` builds an app,
and the module attribute `celery` (what `celery -A workers.app:celery` loads) is built on first use.
"""

import functools
import os
import threading
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, celeryd_init, setup_logging, worker_ready
from kombu import Queue

from settings import env
from settings.logs import configure_logging

# `incidents up` names a folder here; its worker and beat each leave a file in it once up (cli/main.py's `up`
# prints its sign-in box after them, not before their banners).
UP_READY_DIR = "INCIDENTS_UP_READY_DIR"
UP_MARK_DELAY = 1.0  # seconds after the worker_ready signal (see _worker_up)

# Chat has a queue of its own: a chat outage never delays paging.
QUEUES = ("paging", "escalation", "chat", "default")
# Every task must have a route here; tests/unit/test_celery_routes.py checks it.
ROUTES: dict[str, dict] = {
    "tasks.page_targets": {"queue": "paging"},
    "tasks.escalate": {"queue": "escalation"},
    "tasks.tick": {"queue": "escalation"},
    "tasks.send_chat": {"queue": "chat"},
    "tasks.notices": {"queue": "chat"},  # mail and chat to people on call: never in paging's way
}


def create_celery(settings: env.Settings | None = None) -> Celery:
    """A Celery app for `settings` (default: from the environment)."""
    settings = settings or env.load()
    if settings.embedded_broker:
        for folder in ("data_folder_in", "processed_folder", "control_folder"):
            Path(settings.broker_options[folder]).mkdir(parents=True, exist_ok=True)
    app = Celery("incidents", broker=broker_url(settings.broker_url))
    app.conf.update(
        broker_transport_options=settings.broker_options,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="default",
        task_routes=ROUTES,
        task_acks_late=True,  # a task whose worker dies is delivered again, never dropped
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_consumer="workers.consumer:Consumer",  # survives a lost Redis connection (workers/consumer.py)
        beat_schedule={
            "tick": {
                "task": "tasks.tick",
                "schedule": settings.tick_seconds,
                "options": {"expires": max(settings.tick_seconds * 5, 10)},
            },
            "notices": {
                "task": "tasks.notices",
                "schedule": settings.notice_seconds,
                "options": {"expires": max(settings.notice_seconds * 2, 10)},
            },
        },
        include=["workers.tasks"],
        timezone="UTC",
    )
    app.conf.incidents_settings = settings
    return app


def broker_url(url: str) -> str:
    """The broker URL Celery gets. kombu warns "No hostname was supplied" on each connection to a URL without
    a host (one per web request that hands work over); the file broker has none, so it is named one."""
    return "filesystem://localhost/" if url == "filesystem://" else url


@setup_logging.connect
def _logging(loglevel=None, **_):
    # Connected, this replaces Celery's own set-up in worker and beat: LOG_FORMAT, request ids, a quiet tick.
    configure_logging(loglevel or "INFO")


@celeryd_init.connect
def _early_logging(**_):
    # The worker warns (running as root, say) before it sets up logging: those lines need our format too.
    configure_logging()


@worker_ready.connect
def _serve_metrics(**_):
    port = os.environ.get("INCIDENTS_WORKER_METRICS_PORT")
    if port:
        from workers.metrics import serve

        serve(int(port))


@worker_ready.connect
def _worker_up(**_):
    # Celery logs "ready." only once every receiver of this signal returned (apps/worker.py), and one of
    # them starts the inbox consumer, whose first drain competes for the GIL: marked at once, `up`'s box
    # came before the worker's "ready." line on a loaded machine. A second later, it comes after.
    threading.Timer(UP_MARK_DELAY, _tell_up, ("worker",)).start()


@beat_init.connect
def _beat_up(**_):
    _tell_up("beat")


def _tell_up(name: str) -> None:
    folder = os.environ.get(UP_READY_DIR)
    if folder:
        Path(folder, name).touch()


@functools.cache
def default_celery() -> Celery:
    """The process's app, from the environment; built once, on first use, connecting to nothing."""
    return create_celery()


def __getattr__(name: str):
    # PEP 562: `workers.app.celery` is built when first asked for, not when the module is imported.
    if name == "celery":
        return default_celery()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
