"""The status page's one document, in Atlassian Statuspage's JSON shape (docs/contracts-more.md,
"Status page JSON"): `/status.json` serves it as is; the HTML page and the Atom feed render it.

Decided here: `incidents` holds the unresolved ones and then those resolved within the history window,
`scheduled_maintenances` the upcoming, in-progress and (within the window) completed ones, so one
document carries the whole page; Statuspage's clients filter by `status` anyway.
"""

from dataclasses import replace
from datetime import UTC, datetime

from incidents.status_page import (
    IMPACT_OF_SEVERITY,
    INDICATOR,
    STATE_OF_SEVERITY,
    Component,
    Facts,
    IncidentFacts,
    Maintenance,
    PageSettings,
    State,
    component_state,
    history_start,
    is_shown,
    maintenance_status,
)

PAGE_ID = "status"
MAINTENANCE_ORDER = {"in_progress": 0, "scheduled": 1, "completed": 2}


def build(page: PageSettings, components: tuple[Component, ...], facts: Facts, now: datetime, url: str) -> dict:
    """The whole document at `now`; `url` is the page's public address."""
    shown = [i for i in facts.incidents if is_shown(i, components, page, now)]
    states = {c.service: component_state(c, replace(facts, incidents=tuple(shown)), now) for c in components}
    worst = max(states.values(), key=lambda state: state.rank, default=State.OPERATIONAL)
    indicator, description = INDICATOR[worst]
    return {
        "page": {"id": PAGE_ID, "name": page.title, "url": url, "time_zone": "Etc/UTC", "updated_at": iso(now)},
        "status": {"indicator": indicator, "description": description},
        "components": [_component(c, n, states[c.service], facts) for n, c in enumerate(components, 1)],
        "incidents": [_incident(i, components, url) for i in _incident_order(shown)],
        "scheduled_maintenances": _maintenances(page, components, facts.maintenances, now, url),
    }


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with its offset, to the second: `2026-12-01T09:30:00+00:00`."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value is not None else None


def feed_entries(document: dict) -> list[dict]:
    """The Atom feed's entries, newest first: every public event the page shows. An incident's opening, each
    of its public updates and its resolution (unless a public update said Resolved: that one tells it), and
    each maintenance announcement. Each entry: id, anchor (on the page), title, body (plain text), at."""
    entries = [entry for incident in document["incidents"] for entry in _incident_entries(incident)]
    entries += [
        {"id": m["id"], "anchor": m["id"], "title": f"Maintenance: {m['name']}", "body": _window(m)}
        | {"at": m["created_at"], "order": 0}
        for m in document["scheduled_maintenances"]
    ]
    # Times are to the second: within one, an incident's later event still comes first.
    entries.sort(key=lambda entry: (entry["at"], entry["order"]), reverse=True)
    return [{key: value for key, value in entry.items() if key != "order"} for entry in entries]


def _incident_entries(incident: dict) -> list[dict]:
    ref, name, updates = incident["id"], incident["name"], incident["incident_updates"]
    affects = "Affects " + _and([c["name"] for c in incident["components"]]) + "."
    out = [{"id": f"{ref}-opened", "title": f"New incident: {name}", "body": affects, "at": incident["created_at"]}]
    out += [
        {"id": u["id"], "title": f"{name}: {u['status'].capitalize()}", "body": u["body"], "at": u["created_at"]}
        for u in reversed(updates)
    ]
    if incident["resolved_at"] and not any(u["status"] == "resolved" for u in updates):
        body = "This incident has been resolved."
        out.append({"id": f"{ref}-resolved", "title": f"{name}: Resolved", "body": body, "at": incident["resolved_at"]})
    return [entry | {"anchor": ref, "order": order} for order, entry in enumerate(out)]


def _window(maintenance: dict) -> str:
    when = f"From {maintenance['scheduled_for']} to {maintenance['scheduled_until']}."
    body = maintenance["incident_updates"][0]["body"]
    return f"{when} {body}" if body else when


def incident_name(incident: IncidentFacts, components: tuple[Component, ...]) -> str:
    """`Partial outage of Payments and Checkout`: from its impact and components, never its title."""
    names = _and([c.name for c in _affected(incident.services, components)])
    state = STATE_OF_SEVERITY[incident.severity]
    return f"{state.label} of {names}" if state is not State.OPERATIONAL else f"Issue affecting {names}"


def _component(component: Component, position: int, state: State, facts: Facts) -> dict:
    override = facts.overrides.get(component.service)
    return {
        "id": component.service,
        "name": component.name,
        "status": state.value,
        "description": component.description or None,
        "position": position,
        "group_id": None,
        "group": False,
        "only_show_if_degraded": False,
        "page_id": PAGE_ID,
        "created_at": None,
        "updated_at": iso(override.set_at) if override else None,
    }


def _incident(incident: IncidentFacts, components: tuple[Component, ...], url: str) -> dict:
    ref = f"INC-{incident.number}"
    affected = [{"code": c.service, "name": c.name} for c in _affected(incident.services, components)]
    status = "resolved" if incident.resolved_at else incident.status_word.lower()
    updates = [
        {
            "id": f"{ref}-{u.id}",
            "incident_id": ref,
            "status": u.status_word.lower(),
            "body": u.text,
            "created_at": iso(u.at),
            "updated_at": iso(u.at),
            "display_at": iso(u.at),
            "affected_components": affected,
        }
        for u in reversed(incident.updates)
    ]
    monitoring = [u.at for u in incident.updates if u.status_word.lower() == "monitoring"]
    return {
        "id": ref,
        "name": incident_name(incident, components),
        "status": status,
        "impact": IMPACT_OF_SEVERITY[incident.severity],
        "created_at": iso(incident.opened_at),
        "updated_at": iso(max([incident.opened_at, incident.resolved_at or incident.opened_at, *_times(incident)])),
        "monitoring_at": iso(monitoring[0]) if monitoring else None,
        "resolved_at": iso(incident.resolved_at),
        "shortlink": f"{url}#{ref}",
        "page_id": PAGE_ID,
        "incident_updates": updates,
        "components": [{"id": a["code"], "name": a["name"]} for a in affected],
    }


def _maintenances(page, components, maintenances, now, url) -> list[dict]:
    oldest = history_start(page, now)
    kept = [m for m in maintenances if m.ends_at >= oldest and _affected(m.services, components)]
    kept.sort(key=lambda m: (MAINTENANCE_ORDER[maintenance_status(m, now)], _soonest_first(m, now)))
    return [_maintenance(m, components, now, url) for m in kept]


def _maintenance(maintenance: Maintenance, components, now: datetime, url: str) -> dict:
    ref, status = f"MNT-{maintenance.id}", maintenance_status(maintenance, now)
    affected = [{"code": c.service, "name": c.name} for c in _affected(maintenance.services, components)]
    created = iso(maintenance.created_at or maintenance.starts_at)
    update = {"id": f"{ref}-1", "incident_id": ref, "status": status, "body": maintenance.description}
    update |= {"created_at": created, "updated_at": created, "display_at": created, "affected_components": affected}
    return {
        "id": ref,
        "name": maintenance.title,
        "status": status,
        "impact": "maintenance",
        "created_at": created,
        "updated_at": created,
        "monitoring_at": None,
        "resolved_at": iso(maintenance.ends_at) if status == "completed" else None,
        "shortlink": f"{url}#{ref}",
        "page_id": PAGE_ID,
        "scheduled_for": iso(maintenance.starts_at),
        "scheduled_until": iso(maintenance.ends_at),
        "incident_updates": [update],
        "components": [{"id": a["code"], "name": a["name"]} for a in affected],
    }


def _incident_order(incidents: list[IncidentFacts]) -> list[IncidentFacts]:
    """Open ones first, newest first; then resolved ones, latest resolved first."""
    open_ = sorted((i for i in incidents if i.resolved_at is None), key=lambda i: i.opened_at, reverse=True)
    done = sorted((i for i in incidents if i.resolved_at is not None), key=lambda i: i.resolved_at, reverse=True)
    return open_ + done


def _times(incident: IncidentFacts) -> list[datetime]:
    return [u.at for u in incident.updates]


def _soonest_first(maintenance: Maintenance, now: datetime) -> float:
    """Upcoming and in progress: soonest start first; completed: latest end first."""
    if maintenance_status(maintenance, now) == "completed":
        return -maintenance.ends_at.timestamp()
    return maintenance.starts_at.timestamp()


def _affected(services: tuple[str, ...], components: tuple[Component, ...]) -> list[Component]:
    return [c for c in components if c.service in services]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
