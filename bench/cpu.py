"""Where a bench phase's CPU went, by process, read from /proc (Linux, as wrk is).

A snapshot holds each process's CPU seconds (user + system) and process group. Our processes are
told apart by group (tests.support.Process starts each in its own: gunicorn's master and workers
share one); PostgreSQL and Redis by name, all of their processes (backends, WAL writer,
checkpointer), so on a machine running other databases theirs count too; wrk is the bench's waited
child; the fake PagerDuty runs in the bench's own process.
"""

import os
import resource
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")
_SERVERS = {"postgres": "PostgreSQL", "redis-server": "Redis"}


@dataclass(frozen=True)
class Snapshot:
    by_group: dict  # process group: CPU seconds of its processes alive now
    by_name: dict  # "PostgreSQL", "Redis": CPU seconds of their processes alive now
    wrk: float  # CPU seconds of the bench's waited children (wrk runs)
    bench: float  # CPU seconds of the bench's own process (the fake PagerDuty's threads)


def snapshot() -> Snapshot:
    by_group, by_name = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as file:
                stat = file.read()
        except OSError:  # gone since the listing
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ..., utime (12th), stime (13th)
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        by_group[int(fields[2])] = by_group.get(int(fields[2]), 0.0) + seconds
        if name in _SERVERS:
            by_name[_SERVERS[name]] = by_name.get(_SERVERS[name], 0.0) + seconds
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return Snapshot(by_group, by_name, children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime)


def spent(before: Snapshot, after: Snapshot, groups: dict) -> dict:
    """CPU seconds between the snapshots: each of `groups` (name: process group), the servers, wrk and
    the fake PagerDuty. A process that ended between them takes its CPU with it (none does in a phase)."""
    result = {name: after.by_group.get(group, 0.0) - before.by_group.get(group, 0.0) for name, group in groups.items()}
    for name in _SERVERS.values():
        result[name] = after.by_name.get(name, 0.0) - before.by_name.get(name, 0.0)
    result["wrk"] = after.wrk - before.wrk
    result["fake PagerDuty"] = after.bench - before.bench
    return result


def per_request_line(spent_seconds: dict, requests: int) -> str:
    """`CPU per request: web 2.68 ms, ...; all 4.21 ms`, milliseconds per request."""
    parts = [f"{name} {seconds * 1000 / requests:.2f}" for name, seconds in spent_seconds.items()]
    total = sum(spent_seconds.values()) * 1000 / requests
    return f"CPU per request (ms): {', '.join(parts)}; all {total:.2f}"
