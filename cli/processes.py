"""Command lines of the long-running processes, and running them together for `incidents up`."""

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import click

from workers.app import UP_READY_DIR


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
        "python:server.gunicorn_conf",
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


# A child that exits on its own is started again after 1 s, then 2, 4 ... up to 30 s while it keeps
# failing; one that ran for a minute counts as healthy again.
RESTART_FIRST, RESTART_CAP, HEALTHY_AFTER = 1.0, 30.0, 60.0


@dataclasses.dataclass
class Child:
    """One supervised command: started, watched, restarted with a backoff when it exits."""

    command: list[str]
    popen: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        self.popen, self.started, self.restart_at = subprocess.Popen(self.command), time.monotonic(), None

    def watch(self, now: float) -> None:
        """Note an exit (with a line on stderr) and restart once its backoff has passed."""
        if self.restart_at is None and self.popen.poll() is not None:
            self.failures = 1 if now - self.started >= HEALTHY_AFTER else self.failures + 1
            delay = min(RESTART_CAP, RESTART_FIRST * 2 ** (self.failures - 1))
            print(
                f"incidents up: `{self.name}` exited with code {self.popen.returncode}; restarting in {delay:g} s",
                file=sys.stderr,
                flush=True,
            )
            self.restart_at = now + delay
        elif self.restart_at is not None and now >= self.restart_at:
            self.start()

    @property
    def name(self) -> str:
        return " ".join(self.command[3:] if self.command[1:2] == ["-m"] else self.command)


def run_together(
    commands: list[list[str]], grace: float = 10.0, *, ready: Callable[[], bool] = bool, when_ready=None
) -> int:
    """Start all and keep them running (a child that exits is restarted, see Child); call `when_ready`
    once, the first time `ready()` is true; on SIGINT or SIGTERM stop them all. Returns an exit code."""
    children = [Child(command) for command in commands]
    for child in children:
        child.start()
    stopping = []
    handler = lambda signum, frame: stopping.append(signum)  # noqa: E731
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stopping:
        for child in children:
            child.watch(time.monotonic())
        if when_ready is not None and ready():
            when_ready()
            when_ready = None
        time.sleep(0.2)
    stop_all([child.popen for child in children], grace)
    return 0


def stop_all(popens: list[subprocess.Popen], grace: float) -> None:
    """SIGTERM to every child still running, SIGKILL to those still running after `grace` seconds."""
    for popen in popens:
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for popen in popens:
        try:
            popen.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


@dataclasses.dataclass(frozen=True)
class UpCheck:
    """Whether `incidents up`'s processes are up: the web answers /readyz (database and broker reachable),
    and the worker and beat each left their file in `folder` (workers/app.py, UP_READY_DIR)."""

    folder: Path
    base: str  # http://127.0.0.1:8000: where the web answers on this machine

    @classmethod
    def prepared(cls, folder: Path, *, port: int, host: str) -> "UpCheck":
        """An emptied `folder`, named to the children through the environment they inherit."""
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        os.environ[UP_READY_DIR] = str(folder)
        reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return cls(folder, f"http://{reachable}:{port}")

    def ready(self) -> bool:
        if not all((self.folder / name).exists() for name in ("worker", "beat")):
            return False
        try:
            with urllib.request.urlopen(f"{self.base}/readyz", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False


def boxed(lines: list[str]) -> str:
    """`lines` in a frame that stands out among the processes' logs (bold on a terminal)."""
    width = max(map(len, lines))
    rule = "+" + "-" * (width + 4) + "+"
    body = [f"|  {line.ljust(width)}  |" for line in lines]
    return "\n" + "\n".join(click.style(row, bold=True) for row in (rule, *body, rule)) + "\n"
