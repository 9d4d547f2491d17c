"""wrk, the native load generator, run with one of the Lua scripts in bench/wrk/: its closing line, parsed."""

import json
import subprocess
from dataclasses import dataclass

from tests.support import ROOT

SCRIPTS = {
    "alertmanager": ("/webhooks/alertmanager", "bench/wrk/alertmanager.lua"),
    "floor": ("/durable/webhooks/alertmanager", "bench/wrk/alertmanager.lua"),
    "pagerduty": ("/v2/enqueue", "bench/wrk/pagerduty.lua"),
}


@dataclass(frozen=True)
class Result:
    """What wrk saw in one phase."""

    requests: int
    seconds: float
    failures: dict  # by wrk's cause: connect, read, write, status (not 2xx/3xx), timeout
    p50_ms: float
    p99_ms: float

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    @property
    def accepted(self) -> int:
        return self.requests - self.errors


def wrk(base: str, load: str, seconds: float, args, seed: int = 0, rate: float = 0) -> Result:
    """Run wrk with the load's script against `base`; its closing WRK_RESULT line, parsed."""
    path, script = SCRIPTS[load]
    argv = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--latency",
        "-s",
        script,
        base + path,
        "--",
        str(seed),
        str(args.resolved_share),
        str(pause_ms(args, rate)),
    ]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_RESULT "))
    data = json.loads(line.removeprefix("WRK_RESULT "))
    failures = {name: data[name] for name in ("connect", "read", "write", "status", "timeout") if data[name]}
    return Result(data["requests"], data["duration_us"] / 1e6, failures, data["p50_us"] / 1000, data["p99_us"] / 1000)


def pause_ms(args, rate: float) -> int:
    """How long each wrk connection waits between requests, so that all of them together offer about
    `rate` requests per second (0: as fast as the service answers)."""
    return round(args.connections * 1000 / rate) if rate else 0
