"""Prometheus metrics of the web process (multiprocess-safe under gunicorn)."""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

REQUESTS = Counter("incidents_intake_requests_total", "Intake requests by source and outcome", ["source", "outcome"])
ALERTS_RECEIVED = Counter("incidents_alerts_received_total", "Alerts received", ["source"])
CHANGES_RECEIVED = Counter("incidents_changes_received_total", "Changes (deploys) recorded", ["source"])
LATENCY = Histogram(
    "incidents_intake_latency_seconds",
    "Intake request latency",
    ["source"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def exposition(
    *,
    overdue: int | None,
    deliveries: dict | None = None,
    breaches: list[tuple[str, str, int]] | None = None,
    flaps: list[tuple[str, int]] | None = None,
    milestones: dict | None = None,
    postmortems_overdue: int | None = None,
    follow_ups_overdue: int | None = None,
    inbox_pending: int | None = None,
) -> tuple[bytes, str]:
    """The metrics text; merges every gunicorn worker when PROMETHEUS_MULTIPROC_DIR is set.

    `overdue`, `deliveries` and `breaches` are read from the database at scrape time: escalations due
    but not acted on, pages by (action, outcome) (store.pages.delivery_counts), and (target, severity,
    count) of the breaches on every timeline, (service, count) of incidents resolved within their flap
    hold, the time to acknowledge and to resolve of every incident by service and severity
    (store.histograms.milestone_buckets), draft post-mortems past due, open follow-ups past their due date;
    None when the database cannot say. Counted there, they are the same whichever process scrapes, and survive restarts.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    facts = CollectorRegistry()
    if overdue is not None:
        facts.register(
            _Gauge(
                "incidents_escalations_overdue",
                "Escalations past their due time by more than the overdue threshold (Timings.overdue_after), right now",
                overdue,
            )
        )
    if deliveries is not None:
        facts.register(_PageDeliveries(deliveries))
    if breaches is not None:
        facts.register(_Breaches(breaches))
    if flaps is not None:
        facts.register(_Flaps(flaps))
    if milestones is not None:
        facts.register(_Milestones(milestones))
    if postmortems_overdue is not None:
        text = "Draft post-mortems past their due time"
        facts.register(_Gauge("incidents_postmortems_overdue", text, postmortems_overdue))
    if follow_ups_overdue is not None:
        text = "Open follow-ups (post-mortem action items) whose due date is over"
        facts.register(_Gauge("incidents_follow_ups_overdue", text, follow_ups_overdue))
    if inbox_pending is not None:
        text = "Intake requests stored and not applied yet (the inbox's backlog)"
        facts.register(_Gauge("incidents_inbox_pending", text, inbox_pending))
    return generate_latest(registry) + generate_latest(facts), CONTENT_TYPE_LATEST


class _PageDeliveries:
    """Page outcomes of every worker, from the outbox: counters only grow (rows are never deleted)."""

    OUTCOMES = ("sent", "failed", "retried", "cancelled", "suppressed")

    def __init__(self, counts: dict[tuple[str, str], int]):
        self.counts = counts

    def collect(self):
        outcomes = CounterMetricFamily(
            "incidents_page_deliveries",
            "Pages by action and outcome (sent, failed, retried attempts, cancelled, suppressed by a page budget), "
            "from the database",
            labels=["action", "outcome"],
        )
        pending = GaugeMetricFamily("incidents_pages_pending", "Pages waiting to be sent, right now", labels=["action"])
        for action in ("trigger", "acknowledge", "resolve"):
            for outcome in self.OUTCOMES:
                outcomes.add_metric([action, outcome], self.counts.get((action, outcome), 0))
            pending.add_metric([action], self.counts.get((action, "pending"), 0))
        yield outcomes
        yield pending


class _Breaches:
    def __init__(self, counts: list[tuple[str, str, int]]):
        self.family = CounterMetricFamily(
            "incidents_target_breaches", "Time targets breached, by target and severity", labels=["target", "severity"]
        )
        for target, severity, count in counts:
            self.family.add_metric([target, severity], count)

    def collect(self):
        yield self.family


class _Flaps:
    def __init__(self, counts: list[tuple[str, int]]):
        self.family = CounterMetricFamily(
            "incidents_flaps", "Incidents resolved within their service's flap hold (never paged)", labels=["service"]
        )
        for service, count in counts:
            self.family.add_metric([service], count)

    def collect(self):
        yield self.family


class _Milestones:
    """Time to acknowledge and to resolve as histograms, counted from the database (store/histograms.py)."""

    NAMES = {
        "acknowledge": ("incidents_time_to_acknowledge_seconds", "Opening to first acknowledgement"),
        "resolve": ("incidents_time_to_resolve_seconds", "Opening to resolution"),
    }

    def __init__(self, series: dict):
        self.series = series

    def collect(self):
        for kind, (name, documentation) in self.NAMES.items():
            family = HistogramMetricFamily(name, documentation, labels=["service", "severity"])
            for one in self.series[kind]:
                buckets = [(str(float(b)), n) for b, n in zip(one.bounds, one.cumulative, strict=True)]
                family.add_metric([one.service, f"SEV{one.severity}"], buckets + [("+Inf", one.count)], one.total)
            yield family


class _Gauge:
    def __init__(self, name: str, documentation: str, value: float):
        self.family = GaugeMetricFamily(name, documentation, value=value)

    def collect(self):
        yield self.family
