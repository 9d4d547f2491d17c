"""The shapes of our answers, as marshmallow schemas: they document the API in /openapi.json."""

from marshmallow import Schema, fields

from ingest.answers import Change, ChangeEventAnswer, Time


class RequestState(Schema):
    """What an intake request became."""

    request_id = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": ["pending", "applied", "failed"]})
    incidents = fields.List(fields.String(), required=True, metadata={"description": "INC-n of each group"})
    applied_at = fields.String(metadata={"format": "date-time"})
    error = fields.String(metadata={"description": "why a failed request could not be applied"})


class Incident(Schema):
    number = fields.Integer(required=True)
    id = fields.String(required=True, metadata={"example": "INC-42"})
    title = fields.String(required=True)
    service = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["triggered", "acknowledged", "resolved"]})
    severity = fields.String(required=True, metadata={"enum": ["SEV1", "SEV2", "SEV3", "SEV4"]})
    source = fields.String(required=True)
    group_key = fields.String(required=True)
    opened_at = fields.String(required=True, allow_none=True)
    acknowledged_at = fields.String(required=True, allow_none=True)
    resolved_at = fields.String(required=True, allow_none=True)
    last_alert_at = fields.String(required=True, allow_none=True)
    alert_events = fields.Integer(required=True)


class IncidentActed(Incident):
    pages_queued = fields.Integer(required=True)


class AlertRow(Schema):
    fingerprint = fields.String(required=True)
    status = fields.String(required=True)
    severity = fields.String(required=True)
    summary = fields.String(required=True, allow_none=True)
    labels = fields.Dict(required=True)
    annotations = fields.Dict(required=True)
    generator_url = fields.String(required=True, allow_none=True)
    starts_at = fields.String(required=True, allow_none=True)
    ends_at = fields.String(required=True, allow_none=True)
    first_seen = fields.String(required=True, allow_none=True)
    last_seen = fields.String(required=True, allow_none=True)
    received_count = fields.Integer(required=True)


class TimelineEntry(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    data = fields.Raw(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True)


PHASES = ["detection", "response", "mitigation", "recovery", "postmortem", "done"]
STATUS_WORDS = ["Investigating", "Identified", "Monitoring", "Resolved"]


class Lifecycle(Schema):
    phase = fields.String(required=True, metadata={"enum": PHASES})
    phase_times = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    problem_started_at = Time
    status = fields.String(required=True, metadata={"enum": STATUS_WORDS})
    impact = fields.String(required=True)
    affected = fields.List(fields.String(), required=True)
    commander = fields.String(required=True, allow_none=True)
    roles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    pinned = fields.List(fields.Integer(), required=True, metadata={"description": "timeline entry ids"})
    next_update_due = Time
    update_misses = fields.Integer(required=True)
    severity_set_by = fields.String(required=True, allow_none=True)
    severity_set_at = Time
    breaches = fields.List(fields.String(), required=True)
    found_by = fields.String(required=True)
    published = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={
            "description": "a person's choice for the status page: true published, false taken off; "
            "null: the status page's `auto_publish` rule decides"
        },
    )


class ActionItem(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    done = fields.Boolean(required=True)
    done_by = fields.String(required=True, allow_none=True)
    done_at = Time
    assignee = fields.String(required=True, allow_none=True)
    created_by = fields.String(required=True)
    created_at = Time


class StatusUpdate(Schema):
    status = fields.String(required=True, metadata={"enum": STATUS_WORDS})
    text = fields.String(required=True)
    eta = fields.String(required=True)
    eta_at = Time
    author = fields.String(required=True)
    at = Time
    public = fields.Boolean(required=True, metadata={"description": "published to the status page"})


class Page(Schema):
    id = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"enum": ["trigger", "acknowledge", "resolve"]})
    target = fields.String(required=True, metadata={"example": "user oncall-sre"})
    state = fields.String(required=True, metadata={"enum": ["pending", "sent", "failed", "cancelled"]})
    attempts = fields.Integer(required=True)
    created_at = Time
    sent_at = Time
    next_attempt_at = Time
    last_error = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    outcome = fields.String(required=True)
    ack_url = fields.String(required=True, allow_none=True)


DueOn = fields.String(required=True, allow_none=True, metadata={"format": "date"})


class _FollowUpFields(Schema):
    id = fields.Integer(required=True)
    incident = fields.String(required=True, metadata={"example": "INC-12"})
    service = fields.String(required=True)
    text = fields.String(required=True)
    owner = fields.String(required=True, allow_none=True)
    owner_kind = fields.String(required=True, allow_none=True, metadata={"enum": ["user", "team", None]})
    due_on = DueOn
    overdue = fields.Boolean(required=True)


class EarlierFollowUp(_FollowUpFields):
    """An open follow-up of an earlier incident on the same service or with the same alert name: this incident
    may be what it was meant to prevent."""

    incident_title = fields.String(required=True)
    match = fields.String(required=True, metadata={"enum": ["service", "alertname"]})


class FollowUp(_FollowUpFields):
    """A follow-up (post-mortem action item)."""

    state = fields.String(required=True, metadata={"enum": ["open", "done"]})
    created_by = fields.String(required=True)
    created_at = Time
    closed_at = Time


class IncidentDetail(Incident):
    alerts = fields.List(fields.Nested(AlertRow), required=True)
    timeline = fields.List(fields.Nested(TimelineEntry), required=True)
    lifecycle = fields.Nested(Lifecycle, required=True)
    actions = fields.List(fields.Nested(ActionItem), required=True)
    updates = fields.List(fields.Nested(StatusUpdate), required=True)
    pages = fields.List(fields.Nested(Page), required=True)
    earlier_follow_ups = fields.List(fields.Nested(EarlierFollowUp), required=True)


class IncidentChanged(IncidentDetail):
    created_id = fields.Integer(metadata={"description": "the new note's timeline entry, action or update"})


class IncidentList(Schema):
    incidents = fields.List(fields.Nested(Incident), required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    total = fields.Integer(required=True)
    more = fields.Boolean(required=True)


class Health(Schema):
    status = fields.String(required=True)


class Readiness(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not ready"]})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class LocalEventAnswer(ChangeEventAnswer):
    dedup_key = fields.String(required=True, allow_none=True)


class ChangeList(Schema):
    changes = fields.List(fields.Nested(Change), required=True)
    since = Time
    until = Time
    limit = fields.Integer(required=True)


class RollbackQuestion(Schema):
    key = fields.String(required=True)
    question = fields.String(required=True)
    answer = fields.Boolean(required=True, allow_none=True, metadata={"description": "null: left to people"})
    answered_by = fields.String(required=True, metadata={"enum": ["product", "people"]})


class RollbackCandidate(Schema):
    change = fields.Nested(Change, required=True)
    before_problem_seconds = fields.Integer(required=True)
    age_seconds = fields.Integer(required=True)
    recent = fields.Boolean(required=True)
    questions = fields.List(fields.Nested(RollbackQuestion), required=True)
    rollback = fields.Dict(
        required=True, allow_none=True, metadata={"description": "`{decided_by, decided_at}` once we roll it back"}
    )


class RollbackCandidates(Schema):
    incident = fields.String(required=True, metadata={"example": "INC-42"})
    services = fields.List(fields.String(), required=True)
    problem_started_at = Time
    window_seconds = fields.Integer(required=True)
    candidates = fields.List(fields.Nested(RollbackCandidate), required=True)


class OverrideCreated(Schema):
    id = fields.Integer(required=True)


class Taken(Schema):
    """An override from now to the end of the current shift."""

    id = fields.Integer(required=True)
    user = fields.String(required=True)
    start = fields.String(required=True, metadata={"description": "now (RFC 3339, UTC)"})
    end = fields.String(required=True, metadata={"description": "the end of the current shift (RFC 3339, UTC)"})


class OnCall(Schema):
    user = fields.Dict(allow_none=True, metadata={"description": "`{name, email}`; null: nobody on call"})
    schedule = fields.Dict(metadata={"description": "`{name}`"})
    team = fields.Dict(metadata={"description": "`{name}`: a level that pages a team"})
    escalation_policy = fields.Dict(metadata={"description": "`{service}` (with `service=`)"})
    escalation_level = fields.Integer(metadata={"description": "counted from 1 (with `service=`)"})
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)


class OnCalls(Schema):
    oncalls = fields.List(fields.Nested(OnCall), required=True)


class CoverRequest(Schema):
    id = fields.Integer(required=True)
    schedule = fields.String(required=True)
    user = fields.String(required=True, metadata={"description": "who asks to be covered"})
    start = Time
    end = Time
    note = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "open, taken, cancelled or ended"})
    taken_by = fields.String(allow_none=True, required=True)


class CoverRequests(Schema):
    cover_requests = fields.List(fields.Nested(CoverRequest), required=True)
