"""A PagerDuty Events API v2 client (shared/CONTRACTS.md section 3) on a requests Session."""
import requests


class TransientError(Exception):
    """Worth retrying: 429, 5xx, a timeout or a lost connection."""


class PermanentError(Exception):
    """Not worth retrying: PagerDuty refused the event (400) or another 4xx."""


class PagerDutyClient:
    """Sends events to `{base_url}/v2/enqueue`; the base URL makes the EU host and test fakes work."""

    def __init__(self, base_url: str, *, session: requests.Session | None = None,
                 connect_timeout: float = 3.05, read_timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/v2/enqueue"
        self.session = session or requests.Session()
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


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {}
