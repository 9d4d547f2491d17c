"""The garbage collector as the web workers run it: what is loaded by then (code, templates, configuration)
leaves the collector's scans for good, and the young generation is collected every 20,000 allocations
instead of 700. A page renders tens of thousands of short-lived objects: with the defaults a full collection
over every long-lived object fell inside many requests (bench.schedule_page, wrk -c2: p50 11 ms, p99 55-61
ms; with this, p99 20-49 ms). In-process benchmarks call it too, to time the app as it is served."""

import gc

YOUNG = 20_000


def tune() -> None:
    gc.freeze()
    gc.set_threshold(YOUNG, 10, 10)
