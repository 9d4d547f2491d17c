"""The post-mortem editor (Markdown, preview, versions and their diff, blame warnings, publish, skip) and
the action items across incidents, for signed-in people."""

import difflib
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from markdown_it import MarkdownIt

from commands import postmortems as commands
from incidents import blame, postmortem
from incidents.durations import spoken
from incidents.references import incident_number
from settings.blameless import blame_phrases
from store import follow_ups
from store import postmortems as store
from web.outside_links import http_url
from web.people import signed_in_name

bp = Blueprint("postmortem_pages", __name__)
# CommonMark without raw HTML (written as text); links only to http(s) URLs and within the app.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
MARKDOWN.validateLink = lambda url: http_url(url) is not None or not (urlsplit(url).scheme or url.startswith("//"))
TEXT_LIMIT = 200_000
# A task list item (`- [ ] text`, `- [x] text`) as CommonMark renders it, in a tight list or a loose one.
TASK = re.compile(r"<li>(\s*<p>)?\[([ xX])\] ")


@bp.get("/incidents/<ref>/postmortem")
@login_required
def editor(ref):
    """The editor with the saved text, its preview and blame warnings, the versions, publish and skip."""
    found = _found(ref)
    return render_template("postmortem.html", **_context(found, found.text))


@bp.post("/incidents/<ref>/postmortem")
@login_required
def save(ref):
    """Save the text as a new version, or (`preview`) show it rendered without saving."""
    found, text = _found(ref), _text()
    if request.form.get("do") == "preview":
        return render_template("postmortem.html", **_context(found, text, unsaved=True))
    store.save(_engine(), found.number, text, now=datetime.now(UTC), actor=signed_in_name())
    flash("Saved as a new version.")
    return _back(found.number)


@bp.post("/incidents/<ref>/postmortem/publish")
@login_required
def publish(ref):
    """Save and publish: the action items become follow-ups, the incident is done."""
    found, text = _found(ref), _text()
    return _finish(found, "Published.", lambda **kw: commands.publish(_engine(), found.number, text, **kw))


@bp.post("/incidents/<ref>/postmortem/skip")
@login_required
def skip(ref):
    """Skip it with a reason (SEV3 and SEV4 only)."""
    found, reason = _found(ref), request.form.get("reason", "")[:2000]
    return _finish(found, "Skipped.", lambda **kw: commands.skip(_engine(), found.number, reason, **kw))


@bp.get("/incidents/<ref>/postmortem/compare")
@login_required
def compare(ref):
    """A unified diff of two versions (`a` older, `b` newer)."""
    found = _found(ref)
    with _engine().connect() as conn:
        older, newer = (store.version(conn, found.number, _int(request.args.get(k))) for k in ("a", "b"))
    if older is None or newer is None:
        abort(404)
    numbers = version_numbers(found)
    a, b = f"version {numbers[older.id]}", f"version {numbers[newer.id]}"
    lines = difflib.unified_diff(older.text.splitlines(), newer.text.splitlines(), a, b, lineterm="")
    return render_template(
        "postmortem_diff.html", pm=found, older=older, newer=newer, lines=list(lines), numbers=numbers
    )


def version_numbers(found: store.Postmortem) -> dict[int, int]:
    """Each version's number on this post-mortem, 1 for the draft (the list and the diff both show these)."""
    return {v.id: len(found.versions) - i for i, v in enumerate(found.versions)}


def rendered(text: str) -> str:
    """The Markdown as HTML, its `[ ]` and `[x]` items as checkboxes (shown, not clickable: edit the text)."""
    return TASK.sub(_checkbox, MARKDOWN.render(text))


def _checkbox(item: re.Match) -> str:
    ticked = " checked" if item.group(2) != " " else ""
    return f'<li class="task">{item.group(1) or ""}<input type="checkbox" disabled{ticked}> '


@bp.get("/action-items")
@login_required
def action_items():
    """Action items across incidents, overdue first; filters by owner, service and state."""
    chosen = {k: request.args.get(k, "") for k in ("owner", "service")} | {"state": request.args.get("state", "open")}
    chosen["state"] = chosen["state"] if chosen["state"] in ("open", "done", "") else "open"
    with _engine().connect() as conn:
        items = follow_ups.listed(conn, today=datetime.now(UTC).date(), **chosen)
    catalog = _state().catalog
    owners = sorted(set(catalog.people) | set(catalog.teams))
    services = [s.name for s in catalog.services]
    back = request.full_path.rstrip("?")
    return render_template("action_items.html", items=items, chosen=chosen, owners=owners, services=services, back=back)


def _context(found: store.Postmortem, text: str, *, unsaved: bool = False) -> dict:
    flags = blame.flags(text, people=_state().catalog.people, phrases=blame_phrases(_state().settings.config_dir))
    _, problems = postmortem.action_items(text)
    now = datetime.now(UTC)
    return {
        "pm": found,
        "text": text,
        "preview": rendered(text),
        "numbers": version_numbers(found),
        "flags": flags,
        "problems": problems,
        "unsaved": unsaved,
        "may_skip": postmortem.may_skip(found.severity),
        "badge": badge(found, now),
    }


def badge(found, now: datetime) -> str:
    """`draft, due in 3 days`, `draft, overdue by 2 days`, `published`, `skipped`."""
    if found.state != postmortem.DRAFT or found.due_at is None:
        return found.state
    left = found.due_at - now
    if left.total_seconds() < 0:
        return f"draft, overdue by {spoken(-left)}"
    return f"draft, due in {spoken(left)}"


def _finish(found, message: str, call):
    try:
        done = call(catalog=_state().catalog, now=datetime.now(UTC), actor=signed_in_name())
    except store.Refused as error:
        flash(str(error), "error")
        return _back(found.number)
    _state().hand_over([done.decision])
    flash(message)
    return _back(found.number)


def _found(ref: str) -> store.Postmortem:
    number = incident_number(ref)
    if number is None:
        abort(404)
    found = store.opened(_engine(), number)
    if found is None:
        abort(404, "This incident has no post-mortem: it is written when the incident resolves.")
    return found


def _text() -> str:
    return request.form.get("text", "").replace("\r\n", "\n")[:TEXT_LIMIT]


def _int(value) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 18 else 0


def _back(number: int):
    return redirect(url_for("postmortem_pages.editor", ref=f"INC-{number}"), code=303)


def _engine():
    return _state().engine


def _state():
    return current_app.extensions["incidents"]
