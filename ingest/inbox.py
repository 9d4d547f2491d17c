"""The intake's inbox, from the ingest side: a validated request is stored, then answered (`accept`);
the consumer reads a stored request back into what it asks (`read`), through the same source parsers."""

import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, request

from incidents.alerts import AlertBatch
from incidents.services import Catalog
from ingest import auth
from ingest.sources import alertmanager, pagerduty
from store import inbox


@dataclass(frozen=True)
class Asked:
    """What one stored request asks: alert batches, and acknowledgements of groups (service, group key)."""

    batches: list[AlertBatch]
    acknowledge: tuple[tuple[str, str], ...] = ()


def accept(source: str, raw: bytes, group_key: str, *, now: datetime) -> str:
    """Store the request in the inbox, committed, and wake the consumer; the id the sender is answered with."""
    state = current_app.extensions["incidents"]
    request_id = g.request_id  # the caller's X-Request-Id, or ours: in the logs, the answer and the timeline
    inbox.append(
        state.engine,
        source=source,
        received_at=now,
        body=raw,
        remote_addr=request.remote_addr or "",
        user_agent=request.user_agent.string,
        request_id=request_id,
        lane=inbox.lane_of(group_key),
    )
    state.wake_consumer()
    return request_id


def read(stored: inbox.Stored, catalog: Catalog) -> Asked:
    """What a stored request asks, parsed again as at intake; raises ValueError, marshmallow's
    ValidationError, or KeyError (its routing key is no longer configured)."""
    body = json.loads(stored.body)
    if stored.source == "pagerduty":
        event = pagerduty.parse(body, generated_key=pagerduty.key_for(stored.body, stored.received_at))
        service = auth.service_for_routing_key(catalog, event.routing_key)
        if service is None:
            raise KeyError("routing key no longer configured")
        return Asked(*pagerduty.batches_for(event, service))
    return Asked(alertmanager.batches_for(body, catalog))
