"""What the fault tests count and compare: what a sender says it delivered against what we stored,
and what PagerDuty received against the pages due. Each returns its discrepancies, [] when none,
so a failure names what was lost or doubled (tests/faults/test_counting.py shows they do)."""

import re
import time
from collections import Counter


def alertmanager_requests(metrics_text: str) -> tuple[int, int]:
    """(webhook requests sent, of which failed) from Alertmanager's /metrics."""

    def value(name: str) -> int:
        match = re.search(rf'^{name}{{integration="webhook"}} (\S+)$', metrics_text, re.M)
        assert match, f"{name} missing from Alertmanager's metrics"
        return int(float(match.group(1)))

    return value("alertmanager_notification_requests_total"), value("alertmanager_notification_requests_failed_total")


def alert_discrepancies(*, held: set[str], stored: list[str], delivered: int, raw: int) -> list[str]:
    """Alerts Alertmanager holds against alert rows we stored (fingerprints), and webhook requests it
    saw succeed against the raw requests we kept."""
    problems = []
    counts = Counter(stored)
    if missing := held - set(counts):
        problems.append(f"{len(missing)} alerts Alertmanager holds were never stored: {sorted(missing)[:5]}")
    if extra := set(counts) - held:
        problems.append(f"{len(extra)} stored alerts Alertmanager does not hold: {sorted(extra)[:5]}")
    if doubled := {f: n for f, n in counts.items() if n > 1}:
        problems.append(f"{len(doubled)} alerts stored more than once: {dict(list(doubled.items())[:5])}")
    if delivered != raw:
        problems.append(f"Alertmanager delivered {delivered} requests (2xx), we kept {raw}")
    return problems


def page_discrepancies(due: list[tuple[str, str]], received: list[tuple[str, str]]) -> list[str]:
    """Pages due, as (routing key, dedup key), against triggers PagerDuty received: each exactly once."""
    problems, counts = [], Counter(received)
    if missing := set(due) - set(counts):
        problems.append(f"{len(missing)} of {len(set(due))} due pages never arrived: {sorted(missing)[:5]}")
    if doubled := {key: n for key, n in counts.items() if n > 1}:
        problems.append(f"{len(doubled)} pages arrived more than once: {dict(list(doubled.items())[:5])}")
    if unexpected := set(counts) - set(due):
        problems.append(f"{len(unexpected)} pages arrived that were not due: {sorted(unexpected)[:5]}")
    return problems


def triggers(fake) -> list[tuple[str, str]]:
    return [(event["routing_key"], event["dedup_key"]) for event in fake.triggers()]


def steady(read, *, quiet: float = 3.0, timeout: float = 60.0):
    """Poll `read()` until its value has not changed for `quiet` seconds; returns that value."""
    deadline, last, since = time.monotonic() + timeout, read(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        value = read()
        if value != last:
            last, since = value, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return value
    raise AssertionError(f"still changing after {timeout}s: {last!r}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))] if ordered else float("nan")
