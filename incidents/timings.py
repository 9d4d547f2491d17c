"""Timings and sizes that are policy, not physics, in one place.

Passed as an argument (`settings.timings`) to what uses them; the defaults are what an installation
runs with. The environment overrides only what an operator (or a test) needs to change: see
settings/env.py and the README's settings table.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Timings:
    # An acknowledged incident returns to triggered after this long, when its service sets no
    # `ack_timeout` of its own.
    ack_timeout: timedelta = timedelta(minutes=30)
    # A pending page untouched this long lost its task (a killed worker, a flushed broker): the
    # tick re-sends it. Longer than a delivery takes; env INCIDENTS_SWEEP_GRACE_SECONDS.
    sweep_grace: timedelta = timedelta(seconds=10)
    # An escalation later than this past its due time counts as overdue (metrics).
    overdue_after: timedelta = timedelta(seconds=5)
    # Pages per claim of a delivery: bounds how long a batch keeps its rows locked and what a
    # killed worker re-sends.
    pages_per_batch: int = 50
    # A drain stops after this many batches (and asks for another delivery): a task never runs long.
    batches_per_drain: int = 20
    # Escalations claimed per transaction, and transactions per tick (the next tick carries on).
    escalations_per_claim: int = 50
    claims_per_tick: int = 20
    # Lost pages re-sent per tick.
    pages_per_sweep: int = 500
    # Refusals of one page (429/5xx/no answer) before it is given up on. PagerDuty's back-off is shared
    # (incidents.pagerduty_gate): while it is down, only the oldest page waiting is tried, with each
    # wait at least half its doubling interval (1, 2, 4 ... 300 s), so 32 refusals of it span at least
    # an hour; the pages behind it are not tried, so not given up.
    page_retries: int = 32
    # Seconds of PagerDuty's back-off after its first refusal (doubling with each refusal in a row), and
    # the longest (a Retry-After too); env INCIDENTS_PAGE_RETRY_BASE_SECONDS, INCIDENTS_PAGE_RETRY_CAP_SECONDS.
    page_retry_base: float = 1.0
    page_retry_cap: float = 300.0
    # A page budget's summary goes out this long after the first page it holds back, so that it
    # counts the burst (the tick's sweep of lost pages sends it, within its grace after this).
    budget_summary_after: timedelta = timedelta(seconds=20)


DEFAULT = Timings()
