"""Folding the requests a consumer claimed before they touch an incident.

An HA pair of Alertmanagers sends every notification twice, and each re-sends a group's state every
`repeat_interval`: most requests only repeat what the last one said. Consecutive firing batches of one
group in which no alert changes status fold into one batch that counts each alert's repeats; anything
else (a status change, a resolved group, an acknowledgement) is a step of its own. Each group's steps
keep their arrival order, so firing then resolved still ends resolved.
"""

from dataclasses import dataclass, replace

from incidents.alerts import AlertBatch

Group = tuple[str, str]  # (service, group key)


@dataclass(frozen=True)
class Step:
    """One thing to apply to one group: a batch of alerts or an acknowledgement, and the requests it
    came from (their ids)."""

    group: Group
    source: str  # the requests' sender: alertmanager, grafana, pagerduty
    requests: tuple[int, ...]
    batch: AlertBatch | None = None  # None: acknowledge the group's open incident

    def absorbs(self, source: str, batch: AlertBatch) -> bool:
        """Whether `batch` only repeats this step: one sender, both firing batches, no alert changing status."""
        if self.batch is None or self.batch.group_resolved or batch.group_resolved or source != self.source:
            return False
        status = {alert.fingerprint: alert.status for alert in self.batch.alerts}
        return all(status.get(alert.fingerprint, alert.status) == alert.status for alert in batch.alerts)

    def fold(self, request: int, batch: AlertBatch) -> "Step":
        """This step with `batch` folded in: the newest copy of each alert, each counted."""
        alerts = {alert.fingerprint: alert for alert in self.batch.alerts}
        received = {fp: self.batch.times(fp) for fp in alerts}
        for alert in batch.alerts:
            alerts[alert.fingerprint] = alert
            received[alert.fingerprint] = received.get(alert.fingerprint, 0) + batch.times(alert.fingerprint)
        merged = replace(self.batch, alerts=tuple(alerts[fp] for fp in sorted(alerts)), received=received)
        requests = self.requests if self.requests[-1] == request else (*self.requests, request)
        return replace(self, requests=requests, batch=merged)


def fold(requests) -> list[Step]:
    """`requests`: (id, source, alert batches, acknowledged groups) in arrival order. The steps, by
    group in (service, group key) order, each group's in arrival order."""
    steps: dict[Group, list[Step]] = {}
    for request, source, batches, acknowledged in requests:
        for batch in batches:
            group = (batch.service, batch.group_key)
            queue = steps.setdefault(group, [])
            if queue and queue[-1].absorbs(source, batch):
                queue[-1] = queue[-1].fold(request, batch)
            else:
                queue.append(Step(group, source, (request,), batch))
        for group in acknowledged:
            steps.setdefault(group, []).append(Step(group, source, (request,)))
    return [step for group in sorted(steps) for step in steps[group]]
