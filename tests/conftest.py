"""Shared fixtures: a PostgreSQL database of the suite's own, Redis, the app, recorded requests.

PostgreSQL and Redis are real and required: when either is unreachable the suite fails, it never
skips. Each run creates its own database (migrated with Alembic) and each test starts from empty
tables, so tests are isolated from each other and from anything else on the server.

A module marked `both_databases` runs each of its tests twice: on PostgreSQL, and on a fresh SQLite
file, the embedded default `make run` starts with (a copy of one migrated once per run).
"""

import os
import secrets
import shutil

import pytest
import redis
import sqlalchemy as sa

from settings import env
from settings.catalog import load_catalog
from store.db import create_engine
from store.migrate import upgrade
from tests.support import BASE_DATABASE_URL, REDIS_URL, ROOT, applying_app, scratch_database

TABLES = (
    "cover_requests",
    "schedule_overrides",
    "notices",
    "schedule_looks",
    "oncall_periods",
    "pagerduty_gate",
    "follow_ups",
    "postmortem_versions",
    "postmortems",
    "status_overrides",
    "maintenances",
    "maintenance_windows",
    "sign_in_failures",
    "credentials",
    "calendar_tokens",
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


@pytest.fixture(scope="session")
def emptying(shared_engine) -> str:
    """What empties the tables before a test: DELETE from each, a table before those it references, and
    every sequence restarted. TRUNCATE ... RESTART IDENTITY did the same at ten times the cost on tables
    this small (a new file for every table and index, each test), a third of a second on a loaded machine."""
    with shared_engine.connect() as conn:
        tables = {
            row[0] for row in conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        }
        references = conn.execute(
            sa.text("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'")
        ).all()
        sequences = conn.execute(sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).all()
    assert tables - set(TABLES) == {"alembic_version"}, "a table missing from TABLES in tests/conftest.py"
    for child, parent in references:
        assert child == parent or TABLES.index(child) < TABLES.index(parent), f"TABLES: {child} before {parent}"
    return "; ".join(
        [f"DELETE FROM {table}" for table in TABLES] + [f"ALTER SEQUENCE {s} RESTART" for (s,) in sequences]
    )


def pytest_generate_tests(metafunc):
    """`both_databases` modules run on PostgreSQL and SQLite, but for their `postgresql_only` tests (two
    transactions at once: SQLite has one writer); every other test on PostgreSQL."""
    if "database_kind" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        both = marked("both_databases") is not None and marked("postgresql_only") is None
        metafunc.parametrize("database_kind", ["postgresql", "sqlite"] if both else ["postgresql"], indirect=True)


@pytest.fixture
def database_kind(request):
    """ "postgresql" or "sqlite"; PostgreSQL where nothing asked (an engine a test gets by name)."""
    return getattr(request, "param", "postgresql")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated to head, once per run; each SQLite test starts from a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(database_kind, request, tmp_path):
    """The test's engine: the run's PostgreSQL database with every table emptied and numbering
    restarted, or a fresh SQLite file."""
    if database_kind == "sqlite":
        path = tmp_path / "incidents.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = create_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    shared, emptying = request.getfixturevalue("shared_engine"), request.getfixturevalue("emptying")
    with shared.begin() as conn:
        conn.exec_driver_sql(emptying)
    yield shared


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
def settings(engine, redis_url, config_dir, tmp_path):
    return env.load(
        {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "CELERY_BROKER_URL": redis_url,
            "INCIDENTS_CONFIG": str(config_dir),
            "INCIDENTS_VAR": str(tmp_path / "var"),
            "SECRET_KEY": "test-secret",
        }
    )


@pytest.fixture
def app(settings, catalog, engine):

    return applying_app(settings, catalog=catalog, engine=engine)


@pytest.fixture
def client(app):
    return app.test_client()
