"""A PagerDuty Events API v2 client (docs/contracts.md, "PagerDuty Events API v2") on a requests Session."""

import email.utils
import logging
import os
from datetime import UTC, datetime

import requests

from incidents import paging

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """PagerDuty did not take the event: `summary` says what happened ("PagerDuty answered 400"),
    `detail` why, both in words a person on call reads on the timeline."""

    def __init__(self, summary: str, detail: str = ""):
        super().__init__(f"{summary}: {detail}" if detail else summary)
        self.summary, self.detail = summary, detail

    def after(self, attempts: int) -> str:
        """The reason once we gave up: "PagerDuty unreachable after 9 attempts: connection refused"."""
        tries = "attempt" if attempts == 1 else "attempts"
        return f"{self.summary} after {attempts} {tries}" + (f": {self.detail}" if self.detail else "")


class TransientError(DeliveryError):
    """Worth retrying: 429, 5xx, a timeout or a lost connection; `retry_after`: the seconds PagerDuty
    asked us to wait (its Retry-After header), None when it did not say."""

    def __init__(self, summary: str, detail: str = "", retry_after: float | None = None):
        super().__init__(summary, detail)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Not worth retrying: PagerDuty refused the event (400) or another 4xx."""


class PagerDutyClient:
    """Sends events to `{base_url}/v2/enqueue`; the base URL makes the EU host and test fakes work."""

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
    ):
        self.url = base_url.rstrip("/") + "/v2/enqueue"
        self.session = session or _session(self.url)
        self.timeout = (connect_timeout, read_timeout)

    def send(self, event: dict) -> dict:
        """Send one event; returns PagerDuty's answer or raises TransientError / PermanentError."""
        try:
            response = self.session.post(self.url, json=event, timeout=self.timeout)
        except (requests.Timeout, requests.ConnectionError) as error:
            raise TransientError("PagerDuty unreachable", unreachable_reason(error)) from error
        if response.status_code == 202:
            return _json(response)
        summary = f"PagerDuty answered {response.status_code}"
        if response.status_code == 429 or response.status_code >= 500:
            after = retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
            raise TransientError(summary, answer_reason(response), after)
        raise PermanentError(summary, answer_reason(response))


class LocalSink:
    """The built-in stand-in for PagerDuty (`make run`: no PAGERDUTY_EVENTS_URL), taken in the worker's
    own process: each event logged as api/local_pagerduty.py logs what is posted to it, and answered as
    PagerDuty answers. Not over HTTP to our own web: on SQLite a delivery holds the one write lock while
    it sends, and under load every web thread waits for that lock with an intake request, so none was
    left to answer the delivery until its 10 s timeout (bench.embedded: every request stalled 10 s)."""

    def send(self, event: dict) -> dict:
        log.info("%s", paging.describe(event))
        return {"status": "success", "message": "Event processed", "dedup_key": event.get("dedup_key")}


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110: seconds, or an HTTP date); None when absent
    or unreadable; never negative."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def answer_reason(response) -> str:
    """What PagerDuty's answer says went wrong: its `errors`, else its `message`, else the body's start."""
    answer = _json(response)
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if isinstance(errors, list) and errors:
        return "; ".join(str(e) for e in errors)[:500]
    if isinstance(answer, dict) and answer.get("message"):
        return str(answer["message"])[:500]
    return " ".join(response.text.split())[:200]


def unreachable_reason(error: Exception) -> str:
    """ "connection refused", "timed out", "name or service not known": the OS's words under the layers
    of requests and urllib3 (an exception's repr says nothing to a person woken at night)."""
    if isinstance(error, requests.Timeout):
        return "timed out"
    seen, todo = set(), [error]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror.lower()
        todo += [e for e in (getattr(current, "reason", None), current.__cause__, current.__context__) if e]
        todo += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
    return "connection failed"


def _session(url: str) -> requests.Session:
    """A Session that reads the environment (proxies, CA bundle) once, for the one URL it posts to.

    With `trust_env` a Session reads it again on every request, ~/.netrc included: measured in the
    worker, a sixth of the CPU a page costs.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(url))
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.trust_env = False
    return session


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {}
