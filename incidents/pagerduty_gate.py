"""The shared back-off from PagerDuty: one state for every worker, so that pages wait together while
PagerDuty is down and go out oldest first when it comes back (workers/paging.py, store/gate.py).

- `closed_until`: no page is sent before it: Retry-After when PagerDuty said (at most the retry cap),
  else the doubling backoff of `failures`.
- `failures`: transient answers (429, 5xx, no answer) in a row; any other answer resets it.
- `catching_up`: PagerDuty refused a page since the queue was last empty. Until it is empty again,
  one delivery at a time sends one page after the other, oldest due first, and stops at the first
  refusal: no page overtakes an older one still waiting, and a PagerDuty just back (or rate-limiting
  us) is not hit by a burst.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Gate:
    closed_until: datetime | None = None
    failures: int = 0
    catching_up: bool = False
    reason: str | None = None  # what PagerDuty last answered, in short ("PagerDuty answered 500")

    def wait(self, now: datetime) -> float:
        """Seconds before a page may be sent; 0 when the gate is open."""
        return max(0.0, (self.closed_until - now).total_seconds()) if self.closed_until else 0.0


def refused(
    gate: Gate, now: datetime, *, retry_after: float | None, backoff: Callable[[int], float], cap: float, reason: str
) -> Gate:
    """PagerDuty did not take a page: closed for its Retry-After (never past `cap` seconds: a broken
    header must not stop paging for a day), else for `backoff(failures in a row so far)`; never
    reopened earlier than another refusal closed it."""
    wait = min(retry_after, cap) if retry_after is not None else backoff(gate.failures)
    until = now + timedelta(seconds=max(0.0, wait))
    if gate.closed_until is not None and gate.closed_until > until:
        until = gate.closed_until
    return Gate(until, gate.failures + 1, True, reason)


def after(
    gate: Gate,
    now: datetime,
    *,
    took: bool,
    refusals: list[tuple[float | None, str]],
    backoff: Callable[[int], float],
    cap: float,
) -> Gate:
    """The gate after a batch: `took` when PagerDuty answered at least one page other than with a
    refusal; `refusals` as (Retry-After or None, what PagerDuty answered) in the order sent. One batch
    counts as one failure however many of its pages were refused; the longest Retry-After wins."""
    if took:
        gate = answered(gate)
    if not refusals:
        return gate
    afters = [after for after, _ in refusals if after is not None]
    retry_after = max(afters) if afters else None
    return refused(gate, now, retry_after=retry_after, backoff=backoff, cap=cap, reason=refusals[0][1])


def answered(gate: Gate) -> Gate:
    """PagerDuty answered (took a page, or refused one for good with a 4xx): it is up."""
    return replace(gate, failures=0)


def drained(gate: Gate) -> Gate:
    """The queue is empty and PagerDuty took the last page: deliveries go back to concurrent batches."""
    return Gate() if gate.failures == 0 else gate
