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
