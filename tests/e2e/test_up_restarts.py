"""`incidents up` keeps its processes running: a child that exits is started again after a backoff,
with a line saying so, and Ctrl-C still stops everything (cli/processes.py: run_together)."""

import signal
import sys

import pytest

from tests.support import Process, eventually

pytestmark = pytest.mark.e2e


def test_a_child_that_exits_is_restarted_and_ctrl_c_stops_all(tmp_path):
    runs, sleeper = tmp_path / "runs", tmp_path / "sleeper.pid"
    crashing = [sys.executable, "-c", f"open({str(runs)!r}, 'a').write('run\\n'); raise SystemExit(3)"]
    steady = [
        sys.executable,
        "-c",
        f"import os, time; open({str(sleeper)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    ]
    script = f"import sys; from cli.processes import run_together; sys.exit(run_together({[crashing, steady]!r}))"
    up = Process([sys.executable, "-c", script], env={"PYTHONUNBUFFERED": "1"}, log_path=tmp_path / "up.log")
    try:
        eventually(lambda: runs.exists() and runs.read_text().count("run") >= 3, timeout=20)
        assert "exited with code 3; restarting in 1 s" in up.log()
        assert "exited with code 3; restarting in 2 s" in up.log()  # the backoff doubles while it keeps failing
        pid = int(eventually(lambda: sleeper.exists() and sleeper.read_text()))
        up.popen.send_signal(signal.SIGINT)
        assert up.popen.wait(timeout=15) == 0
        assert not process_alive(pid), "the steady child outlived `incidents up`"
    finally:
        up.stop()


def process_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
