"""A PagerDuty Events API v2 client (docs/contracts.md, "PagerDuty Events API v2") on a requests Session."""

import os

import requests


class TransientError(Exception):
    """Worth retrying: 429, 5xx, a timeout or a lost connection."""


class PermanentError(Exception):
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
            raise TransientError(f"{error.__class__.__name__}: {error}") from error
        if response.status_code == 202:
            return _json(response)
        detail = f"HTTP {response.status_code}: {response.text[:500]}"
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(detail)
        raise PermanentError(detail)


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
