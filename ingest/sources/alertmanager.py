"""Prometheus Alertmanager webhooks (payload version "4") and Grafana's (version "1").

Upstream contract: prometheus/alertmanager `notify/webhook/webhook.go` and `template/template.go`;
Grafana unified alerting's webhook notifier. Field by field in docs/contracts.md, "Alertmanager webhook (v4)"
and "Grafana webhook (v1)".
"""

import hashlib

from marshmallow import EXCLUDE, Schema, fields, validate

from commands.fields import StringMap, Text, Timestamp
from incidents.alerts import RESOLVED, Alert, AlertBatch, batches
from incidents.services import Catalog

STATUSES = validate.OneOf(["firing", "resolved"])
MAX_FINGERPRINT = 255  # alerts.fingerprint: part of a unique btree index


class AlertSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # newer releases add keys; Grafana adds values, imageURL, ...

    status = Text(required=True, validate=STATUSES)
    labels = StringMap(required=True)
    annotations = StringMap(load_default=dict)
    startsAt = Timestamp(load_default=None)
    endsAt = Timestamp(load_default=None)
    generatorURL = Text(load_default="")
    # Grafana's links, kept with the annotations so the incident page can show them.
    dashboardURL = Text(load_default="")
    panelURL = Text(load_default="")
    silenceURL = Text(load_default="")
    fingerprint = Text(load_default=None, validate=validate.Length(min=1))


class WebhookSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # notification_reason (0.32+), routeLabels (0.34+), ...

    version = Text(required=True, validate=validate.OneOf(["4", "1"]))
    # Any length: group keys grow with group_by and label values; the table indexes its hash.
    groupKey = Text(required=True, validate=validate.Length(min=1))
    status = Text(required=True, validate=STATUSES)
    receiver = Text(load_default="")
    truncatedAlerts = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    groupLabels = StringMap(load_default=dict)
    commonLabels = StringMap(load_default=dict)
    commonAnnotations = StringMap(load_default=dict)
    externalURL = Text(load_default="")
    # Nested(many=True) loads the list in one schema pass: half the time of List(Nested(...)).
    # No upper bound: Alertmanager's max_alerts is unlimited by default; the body limit bounds it.
    alerts = fields.Nested(AlertSchema, many=True, required=True)
    orgId = fields.Integer(strict=True)  # Grafana only: tells the two senders apart


GRAFANA_URLS = ("dashboardURL", "panelURL", "silenceURL")
# Built once: a schema's construction copies its fields, which would cost more than the load.
WEBHOOK = WebhookSchema()


def source_of(body) -> str:
    """`grafana` for Grafana's payload (version "1" with `orgId`), else `alertmanager`."""
    is_grafana = isinstance(body, dict) and body.get("version") == "1" and "orgId" in body
    return "grafana" if is_grafana else "alertmanager"


def parse(body) -> list[Alert]:
    """The payload's alerts, normalised; raises marshmallow.ValidationError naming the field."""
    data = WEBHOOK.load(body)
    group_resolved = data["status"] == RESOLVED
    return [_alert(item, data["groupKey"], group_resolved) for item in data["alerts"]]


def batches_for(body, catalog: Catalog) -> list[AlertBatch]:
    """The payload's alerts, each routed to its service and grouped into batches."""
    return batches(parse(body), lambda alert: catalog.route(alert.labels).name)


def _alert(item: dict, group_key: str, group_resolved: bool) -> Alert:
    labels = item["labels"]
    grafana = {key: item[key] for key in GRAFANA_URLS if item[key]}
    return Alert(
        fingerprint=_identity(item["fingerprint"]) if item["fingerprint"] else _fingerprint(labels),
        group_key=group_key,
        status=item["status"],
        labels=labels,
        annotations=item["annotations"] | grafana if grafana else item["annotations"],
        summary=_summary(labels, item["annotations"]),
        starts_at=item["startsAt"],
        ends_at=item["endsAt"],
        generator_url=item["generatorURL"],
        group_resolved=group_resolved,
    )


def _summary(labels: dict, annotations: dict) -> str:
    for text in (annotations.get("summary"), annotations.get("description"), labels.get("alertname")):
        if text:
            return text
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "(no labels)"


def _identity(fingerprint: str) -> str:
    """The fingerprint as stored: one longer than the column (never from Alertmanager or Grafana,
    whose fingerprints are 16 hex digits) is kept as its SHA-256, the same identity in fewer bytes."""
    if len(fingerprint) <= MAX_FINGERPRINT:
        return fingerprint
    return "sha256:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def _fingerprint(labels: dict) -> str:
    # Senders that omit it (older Grafana) still get a stable identity per label set.
    text = "\xff".join(f"{k}\xff{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
