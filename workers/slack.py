"""Slack clients: incoming webhooks (Slack, Mattermost, Rocket.Chat) and the Web API with a bot token.

docs/contracts-more.md, "Slack incoming webhooks" and "Slack Web API for an incident channel".
"""

import requests

# Web API error codes worth another try; every other `ok: false` needs a person.
TRANSIENT_CODES = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
TIMEOUT = (3.05, 10.0)


class TransientError(Exception):
    """Worth retrying: 429 (after `retry_after` seconds if Slack said), 5xx, a timeout, a lost connection."""

    def __init__(self, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Not worth retrying: a 4xx from a webhook, `ok: false` with e.g. `invalid_auth`, `channel_not_found`."""

    def __init__(self, detail: str, code: str = ""):
        super().__init__(detail)
        self.code = code


def post_webhook(session: requests.Session, url: str, body: dict) -> None:
    """Post to an incoming webhook; success is any 2xx (Slack says `ok`, Rocket.Chat JSON)."""
    response = _post(session, url, json=body)
    if 200 <= response.status_code < 300:
        return
    detail = f"HTTP {response.status_code}: {response.text[:300]}"
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(detail, _retry_after(response))
    raise PermanentError(detail, response.text[:64].strip())


class SlackWebAPI:
    """Calls `{api_url}/<method>` with a bot token; the base URL lets tests use a fake."""

    def __init__(self, session: requests.Session, api_url: str, token: str):
        self.session, self.api_url, self.token = session, api_url.rstrip("/"), token

    def call(self, method: str, **arguments) -> dict:
        """One method with JSON arguments; Slack's answer when `ok`, else TransientError / PermanentError."""
        headers = {"Authorization": f"Bearer {self.token}"}  # JSON bodies need the token in the header
        response = _post(self.session, f"{self.api_url}/{method}", json=arguments, headers=headers)
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"{method}: HTTP {response.status_code}", _retry_after(response))
        answer = _json(response)
        if response.status_code != 200 or not answer.get("ok"):
            code = answer.get("error") or f"HTTP {response.status_code}"
            if code in TRANSIENT_CODES:
                raise TransientError(f"{method}: {code}")
            raise PermanentError(f"{method}: {code}", code)
        return answer


def _post(session, url, **kwargs):
    try:
        return session.post(url, timeout=TIMEOUT, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as error:
        raise TransientError(f"{error.__class__.__name__}: {error}") from error


def _retry_after(response) -> float | None:
    """Slack's `Retry-After` (seconds) on a 429; None without one."""
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _json(response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
