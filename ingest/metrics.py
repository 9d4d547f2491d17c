"""Prometheus metrics of the web process (multiprocess-safe under gunicorn)."""
import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest,
                               multiprocess, REGISTRY)

REQUESTS = Counter("incidents_intake_requests_total", "Intake requests by source and outcome",
                   ["source", "outcome"])
ALERTS_RECEIVED = Counter("incidents_alerts_received_total", "Alerts received", ["source"])
ALERTS_DEDUPLICATED = Counter("incidents_alerts_deduplicated_total",
                              "Alerts that repeated a known alert unchanged", ["source"])
INCIDENTS_OPENED = Counter("incidents_opened_total", "Incidents opened", ["source"])
LATENCY = Histogram("incidents_intake_latency_seconds", "Intake request latency", ["source"],
                    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))


def exposition() -> tuple[bytes, str]:
    """The metrics text; merges every gunicorn worker when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
