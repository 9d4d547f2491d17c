"""The forms of /action-items: close, reopen, give to another owner or due date, as the signed-in person (CSRF
like every form); each goes back to the list with the filters it came from. A wrong owner or date is flashed
and changes nothing."""

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import login_required

from commands import follow_ups as commands
from commands.work import NotFound
from incidents import follow_ups as core
from web.people import signed_in_name

bp = Blueprint("follow_up_forms", __name__)
MAX_ID = 2**63 - 1


@bp.post("/action-items/<int:follow_up_id>")
@login_required
def change(follow_up_id: int):
    """`do`: close, reopen, or reassign (with `owner`, empty for nobody, and `due_on`, empty for no date)."""
    if follow_up_id > MAX_ID:
        abort(404)
    do = request.form.get("do", "")
    if do in ("close", "reopen"):
        asked = {"state": core.DONE if do == "close" else core.OPEN}
        message = "Follow-up closed." if do == "close" else "Follow-up reopened."
    elif do == "reassign":
        try:
            asked, message = {"owner": _owner(), "due_on": _due_on()}, "Follow-up changed."
        except ValueError as error:
            flash(str(error), "error")
            return _back()
    else:
        abort(400)
    try:
        done = commands.change(
            _state().engine,
            follow_up_id,
            catalog=_state().catalog,
            now=datetime.now(UTC),
            actor=signed_in_name(),
            **asked,
        )
    except NotFound:
        abort(404)
    _state().hand_over([done.decision])
    flash(message)
    return _back()


def _owner() -> tuple[str, str] | None:
    name = request.form.get("owner", "").strip()
    catalog = _state().catalog
    if not name:
        return None
    if name in catalog.teams:
        return ("team", name)
    if name in catalog.people:
        return ("user", name)
    raise ValueError(f"Choose an owner from people.yaml: {name!r} is neither a person nor a team.")


def _due_on() -> date | None:
    text = request.form.get("due_on", "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"The due date must be a date such as 2030-01-22, not {text[:40]!r}.") from None


def _back():
    """Back to /action-items with the filters the form was posted from (a path of this site only)."""
    back = request.form.get("back", "")
    parts = urlsplit(back)
    if back and not parts.scheme and not parts.netloc and parts.path == url_for("postmortem_pages.action_items"):
        return redirect(back, code=303)
    return redirect(url_for("postmortem_pages.action_items"), code=303)


def _state():
    return current_app.extensions["incidents"]
