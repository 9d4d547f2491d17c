"""bench/cpu.py: the CPU a phase spent, by process group, read from /proc."""

import subprocess
import sys

from bench import cpu

SPIN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"


def test_a_busy_process_group_is_charged_its_cpu_and_an_idle_one_nothing():
    before = cpu.snapshot()
    busy = subprocess.Popen([sys.executable, "-c", SPIN], start_new_session=True)
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.6)"], start_new_session=True)
    after = None
    while busy.poll() is None:  # read before it ends: a process that ended takes its CPU with it
        after = cpu.snapshot()
    busy.wait()
    idle.wait()
    spent = cpu.spent(before, after, {"busy": busy.pid, "idle": idle.pid})
    assert 0.2 < spent["busy"] < 1.0
    assert spent["idle"] < 0.15  # the interpreter starting up, no more
    assert {"PostgreSQL", "Redis", "wrk", "fake PagerDuty"} <= spent.keys()


def test_the_line_gives_milliseconds_per_request_and_their_sum():
    line = cpu.per_request_line({"web": 2.0, "PostgreSQL": 0.5}, requests=1000)
    assert line == "CPU per request (ms): web 2.00, PostgreSQL 0.50; all 2.50"
