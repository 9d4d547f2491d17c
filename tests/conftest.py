"""Shared fixtures: a PostgreSQL database of the suite's own, Redis, the app, recorded requests.

PostgreSQL and Redis are real and required: when either is unreachable the suite fails, it never
skips. Each run creates its own database (migrated with Alembic) and each test starts from empty
tables, so tests are isolated from each other and from anything else on the server.
"""

import os
import secrets

import pytest
import redis
import sqlalchemy as sa

from settings import env
from settings.catalog import load_catalog
from store.db import create_engine
from tests.support import BASE_DATABASE_URL, REDIS_URL, ROOT, scratch_database

TABLES = (
    "pagerduty_gate",
    "follow_ups",
    "postmortem_versions",
    "postmortems",
    "status_overrides",
    "maintenances",
    "maintenance_windows",
    "sign_in_failures",
    "credentials",
    "chat_messages",
    "changes",
    "status_updates",
    "incident_actions",
    "incident_lifecycle",
    "used_links",
    "pages",
    "timeline",
    "alerts",
    "incidents",
    "raw_requests",
)


@pytest.fixture(scope="session")
def database_url():
    """A fresh, migrated PostgreSQL database for this run, dropped at the end."""
    try:
        database = scratch_database(f"incidents_test_{os.getpid()}_{secrets.token_hex(3)}")
        url = database.__enter__()
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is required at {BASE_DATABASE_URL}: {error}", pytrace=False)
    yield url
    database.__exit__(None, None, None)


@pytest.fixture(scope="session")
def shared_engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(shared_engine):
    """The run's engine, with every table emptied and numbering restarted before the test."""
    with shared_engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        conn.execute(sa.text("ALTER SEQUENCE incident_numbers RESTART"))
    return shared_engine


@pytest.fixture(scope="session")
def redis_url():
    """Redis, checked: a database number of its own would be ideal, keys are prefixed per run instead."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required at {REDIS_URL}: {error}", pytrace=False)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(scope="session")
def config_dir():
    return ROOT / "config"


@pytest.fixture(scope="session")
def catalog(config_dir):
    return load_catalog(config_dir)


@pytest.fixture
def settings(database_url, redis_url, config_dir, tmp_path):
    return env.load(
        {
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "INCIDENTS_CONFIG": str(config_dir),
            "INCIDENTS_VAR": str(tmp_path / "var"),
            "SECRET_KEY": "test-secret",
        }
    )


@pytest.fixture
def app(settings, catalog, engine):
    from ingest.app import create_app

    return create_app(settings, catalog=catalog, engine=engine)


@pytest.fixture
def client(app):
    return app.test_client()
