"""What tasks work with, built once per worker process on first use (never at import time)."""

import functools
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

from incidents.services import Catalog
from settings.catalog import load_catalog
from store.db import create_engine
from workers.dispatch import Dispatcher
from workers.pagerduty import LocalSink, PagerDutyClient

SENDERS = 8  # at most requests' connection pool per host (10), so every sender keeps its connection


@dataclass(frozen=True)
class WorkerContext:
    settings: object
    catalog: Catalog
    engine: sa.Engine
    client: PagerDutyClient | LocalSink
    dispatch: Dispatcher
    senders: Executor  # sends the pages of a batch concurrently: PagerDuty answers in tens of ms


@functools.cache
def context() -> WorkerContext:
    """The worker's engine, configuration, PagerDuty client, dispatcher and senders."""
    from workers.app import celery

    settings = celery.conf.incidents_settings
    return WorkerContext(
        settings,
        load_catalog(settings.config_dir),
        create_engine(settings.database_url),
        LocalSink() if settings.local_pagerduty else PagerDutyClient(settings.pagerduty_events_url),
        Dispatcher(celery, batch=settings.timings.pages_per_batch),
        ThreadPoolExecutor(SENDERS, thread_name_prefix="pagerduty"),
    )
