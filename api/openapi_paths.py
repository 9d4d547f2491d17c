"""The paths of /openapi.json, one function per blueprint that serves them (`AREAS`): a blueprint's
operations are documented exactly when the app registers it."""

from api import answers, openapi_admin
from api import changes as change_api_module
from api.actions import ResponderSchema
from api.openapi_operations import (
    ACTION_ID,
    DEPLOY_AUTH,
    ENTRY_ID,
    INTAKE_ERRORS,
    LIST_ERRORS,
    WEBHOOK_AUTH,
    api_operation,
    events_api,
    incident_operation,
    json_content,
    operation,
    path_parameter,
    query_integer,
    query_list,
)
from commands import schemas
from incidents.urls import LOCAL_PAGERDUTY_PATH
from ingest import pagerduty_webhooks
from ingest.sources import alertmanager, changes, pagerduty

INCIDENT = "/api/incidents/{incident_ref}"
REQUEST_ID = path_parameter("request_id", "the `request_id` an intake request was answered with")


def alert_intake() -> dict:
    """intake: Alertmanager and Grafana webhooks, PagerDuty's Events API v2."""
    return {
        "/webhooks/alertmanager": {
            "post": operation(
                "Alertmanager webhook (v4), or Grafana's (v1, told apart by orgId)",
                ("200", "Stored", answers.WebhookAnswer),
                security=WEBHOOK_AUTH,
                errors=INTAKE_ERRORS,
                body=alertmanager.WebhookSchema,
            )
        },
        "/v2/enqueue": {
            "post": events_api(
                "PagerDuty Events API v2: the routing_key is one of a service's integration_keys",
                ("202", "Stored", answers.EventAnswer),
                pagerduty.EventSchema,
            )
        },
    }


def pagerduty_webhook() -> dict:
    """pagerduty_webhooks: PagerDuty's V3 webhooks."""
    return {
        "/webhooks/pagerduty": {
            "post": operation(
                "PagerDuty V3 webhooks: acknowledged, unacknowledged, resolved in PagerDuty",
                ("202", "Applied or ignored", answers.PagerDutyWebhookAnswer),
                security=[{"pagerdutySignature": []}],
                errors=("400", "403", "413", "415", "503"),
                body=pagerduty_webhooks.WebhookSchema,
            )
        }
    }


def read_api() -> dict:
    """api: incidents to read."""
    return {
        "/api/incidents": {
            "get": api_operation(
                "Incidents, newest first",
                ("200", "A page of incidents", answers.IncidentList),
                errors=LIST_ERRORS,
                parameters=_incident_filters(),
            )
        },
        INCIDENT: {
            "get": incident_operation(
                "One incident with its alerts, timeline, lifecycle, actions, status updates and pages",
                ("200", "The incident", answers.IncidentDetail),
            )
        },
        "/api/requests/{request_id}": {
            "get": api_operation(
                "What an intake request became: pending in the inbox, or applied to these incidents",
                ("200", "The request's state", answers.RequestState),
                parameters=(REQUEST_ID,),
            )
        },
    }


def escalation_actions() -> dict:
    """actions: acknowledge, resolve, escalate, add a responder."""
    acted = ("200", "The incident after the action", answers.IncidentActed)
    found = {
        f"{INCIDENT}/{action}": {"post": incident_operation(summary, acted)}
        for action, summary in (("acknowledge", "Stop escalation"), ("resolve", "Resolve"), ("escalate", "Next level"))
    }
    found[f"{INCIDENT}/responders"] = {
        "post": incident_operation("Page a named person or team now", acted, ResponderSchema)
    }
    return found


# Under /api/incidents/{incident_ref}: (path, request schema, summary, created, extra path parameters).
LIFECYCLE = (
    ("command", schemas.CommandSchema, "Take command: `person` is a name of people.yaml", False, ()),
    ("handover", schemas.HandoverSchema, "Hand command over `to` a person of people.yaml", False, ()),
    ("roles", schemas.RoleSchema, "Give a role (communications, scribe) to a person, or none", False, ()),
    ("severity", schemas.SeveritySchema, "Set the severity: a rise applies its urgency", False, ()),
    ("status", schemas.StatusSchema, "Set the status word, impact, phase, affected services", False, ()),
    ("updates", schemas.UpdateSchema, "Post a status update; the next is due by severity", True, ()),
    ("notes", schemas.NoteSchema, "Add a note to the timeline, pinned as a key event or not", True, ()),
    ("notes/{entry_id}/pin", schemas.PinSchema, "Pin (or unpin) any timeline entry", False, (ENTRY_ID,)),
    ("actions", schemas.ActionSchema, "Add an action, or the playbook's mitigation prompts", True, ()),
    ("actions/{action_id}", schemas.ActionChangeSchema, "Tick, untick or assign an action", False, (ACTION_ID,)),
)


def lifecycle() -> dict:
    """lifecycle_api: declare an incident and run it."""
    found = {
        "/api/incidents": {
            "post": api_operation(
                "Declare an incident by hand; it pages like an alert-born one of its severity",
                ("201", "The incident declared", answers.IncidentChanged),
                schemas.DeclareSchema,
                errors=("400", "401", "413", "415", "503"),
            )
        }
    }
    created = ("201", "The incident, with `created_id`", answers.IncidentChanged)
    changed = ("200", "The incident after the change", answers.IncidentChanged)
    for path, schema, summary, creates, parameters in LIFECYCLE:
        ok = created if creates else changed
        found[f"{INCIDENT}/{path}"] = {"post": incident_operation(summary, ok, schema, parameters=parameters)}
    return found


def change_intake() -> dict:
    """change_intake: PagerDuty's Change Events API and our deploy webhook."""
    return {
        "/v2/change/enqueue": {
            "post": events_api(
                "PagerDuty Change Events API: the routing_key is one of a service's integration_keys",
                ("202", "Stored", answers.ChangeEventAnswer),
                changes.ChangeEventSchema,
            )
        },
        "/webhooks/deploy": {
            "post": operation(
                "A deploy: `version` or `commit` of a service the webhook credentials open",
                ("201", "Stored", answers.DeployAnswer),
                security=DEPLOY_AUTH,
                errors=INTAKE_ERRORS,
                body=changes.DeploySchema,
            )
        },
    }


def change_api() -> dict:
    """change_api: changes by service and time, an incident's rollback candidates."""
    return {
        "/api/changes": {
            "get": api_operation(
                "Changes, newest first",
                ("200", "Changes", answers.ChangeList),
                errors=LIST_ERRORS,
                parameters=_change_filters(),
            )
        },
        f"{INCIDENT}/rollback-candidates": {
            "get": incident_operation(
                "Changes to the incident's service in the rollback window before its problem started",
                ("200", "Rollback candidates, newest first", answers.RollbackCandidates),
            )
        },
        f"{INCIDENT}/rollbacks": {
            "post": incident_operation(
                "We roll back a rollback candidate: a key event on the timeline, once",
                ("201", "Decided", {"type": "object"}),
                change_api_module.RollbackSchema,
                extra={"200": {"description": "Decided already", "content": json_content({"type": "object"})}},
            )
        },
    }


def local_pagerduty() -> dict:
    """local_pagerduty: the built-in stand-in for PagerDuty's Events API v2 (embedded set-up only)."""
    return {
        f"{LOCAL_PAGERDUTY_PATH}/v2/enqueue": {
            "post": events_api(
                "Events API v2 as PagerDuty answers it; logs each page instead of sending it (any routing_key)",
                ("202", "Taken", answers.LocalEventAnswer),
                pagerduty.EventSchema,
                errors={"400": "InvalidEvent", "413": "413"},
            )
        }
    }


# Blueprint name -> its paths. A new machine-facing blueprint adds its function here.
AREAS = {
    "intake": alert_intake,
    "pagerduty_webhooks": pagerduty_webhook,
    "api": read_api,
    "actions": escalation_actions,
    "lifecycle_api": lifecycle,
    "change_intake": change_intake,
    "change_api": change_api,
    "local_pagerduty": local_pagerduty,
    "health": openapi_admin.health,
    "status_api": openapi_admin.status_page,
    "maintenance_api": openapi_admin.maintenance_windows,
    "report_api": openapi_admin.reports,
    "postmortem_api": openapi_admin.postmortems,
    "follow_up_api": openapi_admin.follow_ups,
    "schedules_api": openapi_admin.schedules,
}


def _incident_filters() -> list[dict]:
    return [
        query_list("status", "repeatable or comma-separated", ("triggered", "acknowledged", "resolved")),
        query_list("severity", "SEV1..SEV4, P1..P5; repeatable or comma-separated"),
        query_list("service", "repeatable or comma-separated"),
        query_integer("limit", 1, 100, 25),
        query_integer("offset", 0, 10**9, 0),
    ]


def _change_filters() -> list[dict]:
    def time(name, description):
        return {
            "name": name,
            "in": "query",
            "schema": {"type": "string", "format": "date-time"},
            "description": description,
        }

    return [
        query_list("service", "repeatable or comma-separated; default every service"),
        time("since", "RFC 3339; default a day ago"),
        time("until", "RFC 3339; default none"),
        query_integer("limit", 1, 1000, 100),
    ]
