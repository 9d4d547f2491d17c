"""Changing one's own password on /me: the current one, then the new one twice. The same hash as
`incidents user set-password` (web/passwords); a wrong current password counts as a failed sign-in, so
a session left open cannot be used to guess it faster than the sign-in form allows."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import login_required

from store.credentials import save_password_hash
from web import me, passwords
from web.people import signed_in_name
from web.sign_in import THROTTLED, check_password

bp = Blueprint("password_forms", __name__)
MAX_LENGTH = 1024  # as the sign-in form takes


@bp.post("/me/password")
@login_required
def change():
    """Store the new password's hash; a refused form shows every error and keeps no password typed."""
    current, new, again = (request.form.get(name, "") for name in ("current", "new", "again"))
    errors, name, now = new_password_errors(new, again), signed_in_name(), datetime.now(UTC)
    outcome = check_password(name, current, now) if current else "empty"
    if outcome != "accepted":
        errors["current"] = THROTTLED if outcome == "throttled" else "This is not your current password."
    if errors:
        return me.answer(password_errors=errors, status=400)
    with current_app.extensions["incidents"].engine.begin() as conn:
        save_password_hash(conn, name, passwords.hashed(new), now)
    flash("Your password is changed: use the new one next time you sign in.")
    return redirect(url_for("me.page") + "#password", code=303)


def new_password_errors(new: str, again: str) -> dict:
    """What is wrong with the new password and its repetition, by field."""
    errors = {}
    if len(new) < passwords.MIN_LENGTH:
        errors["new"] = f"A password needs at least {passwords.MIN_LENGTH} characters."
    elif len(new) > MAX_LENGTH:
        errors["new"] = f"A password has at most {MAX_LENGTH} characters (this one has {len(new)})."
    if again != new:
        errors["again"] = "The two new passwords differ: type the same one twice."
    return errors
