"""The paths of /openapi.json for running the service around incidents: the status page's state and
maintenance announcements, paging maintenance windows, reports, health (api/openapi_paths.py `AREAS`)."""

from api import answers
from api import follow_ups as follow_up_api
from api import maintenance as maintenance_api
from api import postmortems as postmortem_api
from api import status as status_api
from api.openapi_operations import (
    API_AUTH,
    LIST_ERRORS,
    NONE,
    ROW_ID,
    api_operation,
    json_content,
    operation,
    path_parameter,
    query_list,
)
from commands import schemas

# Their answers are documents of their own (README "Status page", "Noise control", "Reports"), checked
# field by field by the integration tests; the spec promises a JSON object.
OBJECT = {"type": "object"}
WINDOW_ID = {"name": "window_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
SERVICE = {"name": "service", "in": "path", "required": True, "schema": {"type": "string"}}


def status_page() -> dict:
    """status_api: a component's state set by hand, maintenance announced on the status page."""
    return {
        "/api/status/components/{service}": {
            "post": api_operation(
                "Set a public component's state by hand (status null clears it)",
                ("200", "The component's override", OBJECT),
                status_api.OverrideSchema,
                parameters=(SERVICE,),
            )
        },
        "/api/status/components": {
            "get": api_operation(
                "The states set by hand, with who, when and why",
                ("200", "Overrides", {"type": "array", "items": OBJECT}),
            )
        },
        "/api/status/maintenance": {
            "post": api_operation(
                "Announce scheduled maintenance on the status page (it does not silence paging)",
                ("201", "The announcement", OBJECT),
                status_api.MaintenanceSchema,
            )
        },
    }


def maintenance_windows() -> dict:
    """maintenance_api: windows in which incidents open and nobody is paged."""
    every = {"name": "all", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}}
    return {
        "/api/maintenance": {
            "get": api_operation(
                "Maintenance windows not over yet (all=1: every one)", ("200", "Windows", OBJECT), parameters=(every,)
            ),
            "post": api_operation(
                "Add a maintenance window: services, start (default now), end (a time or a duration), reason",
                ("201", "The window", OBJECT),
                maintenance_api.WindowSchema,
            ),
        },
        "/api/maintenance/{window_id}": {
            "delete": api_operation(
                "End a maintenance window now", ("200", "The window, ended", OBJECT), parameters=(WINDOW_ID,)
            )
        },
    }


def postmortems() -> dict:
    """postmortem_api: an incident's post-mortem: read, save a version, publish, skip."""
    ref = {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}, "description": "`INC-123`"}
    path = "/api/incidents/{ref}/postmortem"
    conflict = {"409": {"description": "Published or skipped already", "content": json_content(OBJECT)}}

    def change(summary, ok, body):
        return api_operation(summary, ok, body, parameters=(ref,), extra=conflict)

    return {
        path: {
            "get": api_operation(
                "The post-mortem: state, due time, text, versions",
                ("200", "The post-mortem", OBJECT),
                parameters=(ref,),
            ),
            "put": change("Save a new version of the text", ("200", "Saved", OBJECT), postmortem_api.TextSchema),
        },
        f"{path}/publish": {
            "post": change(
                "Publish: records its action items, ends the Post-mortem phase",
                ("200", "Published", OBJECT),
                postmortem_api.PublishSchema,
            ),
        },
        f"{path}/skip": {
            "post": change(
                "Skip with a written reason (SEV3 and SEV4 only)", ("200", "Skipped", OBJECT), postmortem_api.SkipSchema
            ),
        },
    }


def follow_ups() -> dict:
    """follow_up_api: a follow-up (post-mortem action item): read it; close, reopen, reassign it."""
    parameter = path_parameter("follow_up_id", "a follow-up's `id`", ROW_ID)
    return {
        "/api/follow-ups/{follow_up_id}": {
            "get": api_operation(
                "One follow-up: owner, due date, state",
                ("200", "The follow-up", answers.FollowUp),
                parameters=(parameter,),
            ),
            "patch": api_operation(
                "Close or reopen (state), give to another owner or due date; written on its incident's timeline",
                ("200", "The follow-up after the change", answers.FollowUp),
                follow_up_api.ChangeSchema,
                parameters=(parameter,),
            ),
        }
    }


def reports() -> dict:
    """report_api: the report for a date range."""
    text = {"type": "string"}
    return {
        "/api/reports": {
            "get": api_operation(
                "Incidents, MTTA, MTTR, time in each phase and targets met, by severity and service",
                ("200", "The report", OBJECT),
                errors=LIST_ERRORS,
                parameters=tuple(
                    {"name": name, "in": "query", "schema": text} for name in ("since", "until", "service", "severity")
                ),
            )
        }
    }


def health() -> dict:
    """health: liveness, readiness, metrics."""
    not_ready = {"503": {"description": "Not ready", "content": json_content(answers.Readiness)}}
    metrics = {"200": {"description": "Text exposition format", "content": {"text/plain": {}}}}
    return {
        "/healthz": {"get": operation("Liveness", ("200", "Answers", answers.Health), security=NONE)},
        "/readyz": {
            "get": operation(
                "Readiness: database and broker reachable",
                ("200", "Ready", answers.Readiness),
                security=NONE,
                extra=not_ready,
            )
        },
        "/metrics": {"get": {"summary": "Prometheus metrics", "security": NONE, "responses": metrics}},
    }


def schedules() -> dict:
    """schedules_api: who is on call, and overrides of an on-call schedule."""
    name = path_parameter("name", "a schedule of schedules.yaml")
    override_id = path_parameter("override_id", "an override's `id`", ROW_ID)
    gone = {"204": {"description": "Deleted"}}
    times = [
        {"name": moment, "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": words}
        for moment, words in (
            ("since", "RFC 3339; default now; within a year of now"),
            ("until", "RFC 3339; default `since`; at most 90 days after it"),
        )
    ]
    service = {"name": "service", "in": "query", "schema": {"type": "string"}, "description": "its policy's levels now"}
    return {
        "/api/oncalls": {
            "get": api_operation(
                "Who is on call: each person's whole periods on each schedule, or each level of a service's policy",
                ("200", "On-call entries, by start", answers.OnCalls),
                errors=LIST_ERRORS,
                parameters=(
                    query_list("schedule", "repeatable or comma-separated; default every schedule"),
                    *times,
                    service,
                ),
            )
        },
        "/api/schedules/{name}/overrides": {
            "post": api_operation(
                "Someone on call for the schedule between two times, instead of its layers' person",
                ("201", "The override", answers.OverrideCreated),
                schemas.OverrideSchema,
                parameters=(name,),
            )
        },
        "/api/schedules/{name}/overrides/{override_id}": {
            "delete": {
                "summary": "Delete an override: it stops counting",
                "security": API_AUTH,
                "parameters": [name, override_id],
                "responses": gone
                | {code: {"$ref": f"#/components/responses/{code}"} for code in ("401", "404", "503")},
            }
        },
    }
