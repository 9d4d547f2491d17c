"""`incidents`: serve, worker, consume, beat, up, db upgrade, check-config, replay, change, report, oncall,
import, calendar-url."""

import os
import sys

import click

from cli.calendars import calendar_url
from cli.change import change
from cli.config import catalog_or_exit
from cli.imports import import_schedules
from cli.maintenance import maintenance
from cli.oncall import oncall
from cli.report import report
from settings import env
from settings.logs import configure_logging
from settings.secret_key import InsecureSecretKey, secret_key_warning

# Set by `incidents up` for its processes: it printed the SECRET_KEY warning once for all of them.
SECRET_KEY_WARNED = "INCIDENTS_SECRET_KEY_WARNED"


@click.group()
def cli():
    """Self-hosted incident response: alerts in, incidents out."""
    configure_logging()


@cli.command("check-config")
def check_config():
    """Validate config/*.yaml; prints every problem with file, field and reason."""
    settings = env.load()
    catalog = catalog_or_exit(settings)
    click.echo(
        f"{settings.config_dir}: ok, {len(catalog.services)} services, "
        f"{len(catalog.people)} people, {len(catalog.teams)} teams"
    )


@cli.group()
def db():
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply Alembic migrations."""
    from store.migrate import upgrade

    upgrade(env.load().database_url, revision)
    click.echo("database is up to date")


def default_web_workers() -> int:
    """A process per core and one more: threads of one process share its GIL (see gunicorn_conf)."""
    return (os.cpu_count() or 1) + 1


@cli.command()
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", 8000)), show_default="8000 or $PORT")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--workers",
    type=int,
    default=lambda: int(os.environ.get("WEB_CONCURRENCY", default_web_workers())),
    show_default="CPU cores + 1 or $WEB_CONCURRENCY",
)
def serve(dev, port, host, workers):
    """Serve the web app (gunicorn; --dev for Flask's server)."""
    settings = _startable()
    if dev:
        from server.app import create_app

        create_app(settings).run(host=host, port=port, debug=True, use_reloader=False)
        return
    from cli.processes import gunicorn_argv

    os.execvp(sys.executable, gunicorn_argv(settings, host=host, port=port, workers=workers))


@cli.command()
@click.option("--concurrency", type=int, default=8, show_default=True, help="Threads delivering pages.")
def worker(concurrency):
    """Run a Celery worker for every queue."""
    _startable()
    from cli.processes import worker_argv

    os.execvp(sys.executable, worker_argv(concurrency))


@cli.command()
def consume():
    """Apply the intake inbox, without delivering (the worker applies it too): more consumers, or none
    of the worker's deliveries. Runs until stopped."""
    settings = _startable()
    import signal
    import threading

    from store.db import create_engine
    from workers.app import celery
    from workers.dispatch import Dispatcher
    from workers.inbox import Consumer

    engine, catalog = create_engine(settings.database_url), catalog_or_exit(settings)
    consumer = Consumer(engine, catalog, Dispatcher(celery)).start()
    stopped = threading.Event()
    for name in (signal.SIGINT, signal.SIGTERM):
        signal.signal(name, lambda *_: stopped.set())
    stopped.wait()
    consumer.close()


@cli.command()
def beat():
    """Run Celery beat, the scheduler."""
    settings = _startable()
    from cli.processes import beat_argv

    os.execvp(sys.executable, beat_argv(settings))


@cli.command()
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", 8000)), show_default="8000 or $PORT")
@click.option("--host", default="127.0.0.1", show_default=True)
def up(port, host):
    """Web, worker and beat together; Ctrl-C stops all three."""
    os.environ["PORT"] = str(port)  # the worker's links (and the local PagerDuty sink) point at this web
    settings = _startable()
    os.environ[SECRET_KEY_WARNED] = "1"  # said once, above: not again by each process
    catalog = catalog_or_exit(settings)
    from cli.passwords import first_sign_in
    from cli.processes import UpCheck, boxed, run_together

    check = UpCheck.prepared(settings.var_dir / "up", port=port, host=host)
    lines = ["incident-ingest is up: web, worker and beat are running."]
    if not os.environ.get("DATABASE_URL"):  # the embedded defaults: a newcomer trying it out
        lines.append(first_sign_in(settings, catalog, port=port))
    else:
        lines.append(f"Open {check.base}/ (`incidents user set-password NAME` gives a person a password).")
    if settings.local_pagerduty:
        lines.append(f"No PagerDuty set: the pages it would get are listed at {check.base}/local-pagerduty")
    lines.append("Ctrl-C stops all three.")
    commands = [
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--host", host],
        [sys.executable, "-m", "cli.main", "worker"],
        [sys.executable, "-m", "cli.main", "beat"],
    ]
    sys.exit(run_together(commands, ready=check.ready, when_ready=lambda: click.echo(boxed(lines))))


@cli.group()
def user():
    """People who sign in to the web UI (people.yaml names them)."""


@user.command("set-password")
@click.argument("name")
def set_password(name):
    """Set NAME's password: asked twice on a terminal, else read as one line from stdin."""
    from cli.passwords import read_password, store_password

    settings = env.load()
    if name not in catalog_or_exit(settings).people:
        click.echo(f'no person called "{name}" in {settings.config_dir / "people.yaml"}', err=True)
        sys.exit(2)
    store_password(settings, name, read_password())
    click.echo(f"password set for {name}")


@cli.command()
@click.option("--since-id", type=int, default=0, help="First raw request id to replay.")
@click.option("--source", type=click.Choice(["alertmanager", "grafana", "pagerduty"]))
def replay(since_id, source):
    """Apply stored raw requests again, through the inbox's consumer (dedup makes this safe to repeat)."""
    from store.db import create_engine
    from workers.app import celery
    from workers.dispatch import Dispatcher
    from workers.inbox import replay as run_replay

    settings = env.load()
    engine, catalog = create_engine(settings.database_url), catalog_or_exit(settings)
    counts = run_replay(engine, catalog, since_id=since_id, source=source, dispatch=Dispatcher(celery))
    click.echo(f"replayed {counts['replayed']} requests, skipped {counts['skipped']}")


def _startable():
    """Settings of a long-running process, once its SECRET_KEY and configuration are fit to start."""
    settings = env.load()
    try:
        warning = secret_key_warning(settings)
    except InsecureSecretKey as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if warning and not os.environ.get(SECRET_KEY_WARNED):
        click.echo(warning, err=True)
    catalog_or_exit(settings)
    return settings


cli.add_command(change)
cli.add_command(report)
cli.add_command(import_schedules)
cli.add_command(maintenance)
cli.add_command(oncall)
cli.add_command(calendar_url)

if __name__ == "__main__":
    cli()
