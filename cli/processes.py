"""Command lines of the long-running processes, and running them together for `incidents up`."""

import os
import signal
import subprocess
import sys
import time


def celery_argv(*args: str) -> list[str]:
    """`celery -A workers.app:celery ...`; with LOG_FORMAT=json, without its banner (not a log line)."""
    quiet = ["--quiet"] if os.environ.get("LOG_FORMAT", "").lower() == "json" else []
    return [sys.executable, "-m", "celery", "-A", "workers.app:celery", *quiet, *args]


def gunicorn_argv(settings, *, host: str, port: int, workers: int) -> list[str]:
    """gunicorn serving cli.wsgi (the app wired to the workers) with the project's config."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:ingest.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "cli.wsgi:app",
    ]


QUEUES = "paging,escalation,chat,default"


def worker_argv(concurrency: int) -> list[str]:
    return celery_argv(
        "worker", "--loglevel", "INFO", "--pool", "threads", "--concurrency", str(concurrency), "-Q", QUEUES
    )


def beat_argv(settings) -> list[str]:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return celery_argv("beat", "--loglevel", "INFO", "--schedule", str(settings.var_dir / "celerybeat-schedule"))


def run_together(commands: list[list[str]], grace: float = 10.0) -> int:
    """Start all; when one exits or we get SIGINT/SIGTERM, stop the rest. Returns an exit code."""
    children = [subprocess.Popen(command) for command in commands]
    stopping = []
    handler = lambda signum, frame: stopping.append(signum)  # noqa: E731
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stopping else 1
