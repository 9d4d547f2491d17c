"""Who is on call, in-process: one schedule of 3 layers x 50 participants (one layer restricted to
business hours) with 200 overrides, asked at random moments over two years (issue #16: p99 < 1 ms),
and the final schedule of the next 14 days. `.venv/bin/python -m bench.oncall`.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from incidents.schedules import Layer, Override, Schedule, Window, final, on_call

START = datetime(2027, 1, 4, 9, 0)


def schedule(participants: int) -> Schedule:
    people = tuple(f"p{n}" for n in range(participants))
    weekdays = (Window(frozenset(range(5)), clock(9), clock(18)),)
    return Schedule(
        "bench",
        "America/New_York",
        (
            Layer("weekly", START, timedelta(weeks=1), people),
            Layer("halves", START, timedelta(hours=12), people[::-1]),
            Layer("business", START, timedelta(days=1), people, weekdays),
        ),
    )


def overrides(count: int, rng: random.Random) -> list[Override]:
    base = datetime(2027, 1, 4, tzinfo=UTC)
    out = []
    for n in range(count):
        start = base + timedelta(hours=rng.randrange(0, 2 * 365 * 24))
        out.append(Override(f"o{n}", start, start + timedelta(hours=rng.randrange(1, 48)), base + timedelta(n), n))
    return out


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    return f"p50 {statistics.median(samples) * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--overrides", type=int, default=200)
    parser.add_argument("--asks", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    sched, made = schedule(args.participants), overrides(args.overrides, rng)
    moments = [
        datetime(2027, 1, 4, tzinfo=UTC) + timedelta(seconds=rng.randrange(0, 2 * 365 * 86400))
        for _ in range(args.asks)
    ]
    on_call(sched, moments[-1], made)  # the restricted layer's turn counts, once per process
    asked = []
    for moment in moments:
        began = time.perf_counter()
        on_call(sched, moment, made)
        asked.append(time.perf_counter() - began)
    shape = f"{args.participants} participants x 3 layers, {args.overrides} overrides"
    print(f"who is on call ({shape}): {percentiles(asked)}")
    spans = []
    for moment in moments[:200]:
        began = time.perf_counter()
        final(sched, moment, moment + timedelta(days=14), made)
        spans.append(time.perf_counter() - began)
    print(f"the final schedule of 14 days: {percentiles(spans)}")


if __name__ == "__main__":
    main()
