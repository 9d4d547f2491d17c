"""Prometheus metrics of the worker: pages by outcome and escalation lateness.

The worker runs a thread pool (one process), so the default registry holds everything; it is
served on INCIDENTS_WORKER_METRICS_PORT when that is set.
"""

from prometheus_client import Counter, Histogram

PAGES = Counter("incidents_pages_total", "PagerDuty events by action and outcome", ["action", "outcome"])
CHAT = Counter(
    "incidents_chat_messages_total", "Chat messages by target (webhook, slack) and outcome", ["target", "outcome"]
)
LATENESS = Histogram(
    "incidents_escalation_lateness_seconds",
    "From a page's due time to PagerDuty accepting it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)


def serve(port: int) -> None:
    """Expose the worker's metrics over HTTP (Prometheus scrapes it)."""
    from prometheus_client import start_http_server

    start_http_server(port, addr="0.0.0.0")


# The inbox's consumer (workers/inbox.py): what it applied, and how long requests waited for it.
INBOX_APPLIED = Counter("incidents_inbox_applied_total", "Intake requests applied from the inbox", ["source"])
INBOX_FAILED = Counter("incidents_inbox_failed_total", "Intake requests that could not be applied", ["source"])
INBOX_LAG = Histogram(
    "incidents_inbox_lag_seconds",
    "From a request's answer to its application",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
ALERTS_DEDUPLICATED = Counter(
    "incidents_alerts_deduplicated_total", "Alerts that repeated a known alert unchanged", ["source"]
)
INCIDENTS_OPENED = Counter("incidents_opened_total", "Incidents opened", ["source"])
