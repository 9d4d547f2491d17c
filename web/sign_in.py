"""Signing in with a name and password, and signing out (POST)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from store.credentials import password_hash
from store.sign_in_failures import failures_since, forget_failures, record_failure
from web import passwords
from web.people import person

bp = Blueprint("sign_in", __name__)
REFUSED = "Name or password not accepted."  # the same words whether the name exists or not
THROTTLED = "Too many failed sign-ins for this name. Wait 15 minutes and try again."
# Per name typed, known or not (so the throttle tells nothing either), across every web process.
MAX_FAILURES, WINDOW = 10, timedelta(minutes=15)


class SignInForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=128)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()


@bp.route("/sign-in", methods=["GET", "POST"])
def form():
    """The sign-in form; a good password signs in and goes to `next` (a path of this site only)."""
    sign_in = SignInForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(sign_in.next.data))
    if sign_in.validate_on_submit():
        name = sign_in.name.data.strip()
        outcome = check_password(name, sign_in.password.data, datetime.now(UTC))
        if outcome == "accepted":
            login_user(person(name))
            return redirect(safe_next(sign_in.next.data))
        error, status = (THROTTLED, 429) if outcome == "throttled" else (REFUSED, 401)
        return render_template("sign_in.html", form=sign_in, error=error), status
    return render_template("sign_in.html", form=sign_in, error=None), 400 if request.method == "POST" else 200


@bp.post("/sign-out")
def sign_out():
    """Forget the session (a POST, so that no link or prefetch signs anyone out)."""
    logout_user()
    return redirect(url_for("sign_in.form"))


def check_password(name: str, password: str, now: datetime) -> str:
    """`accepted`, `refused` or `throttled` (too many failures for this name lately); a refusal is counted."""
    state = current_app.extensions["incidents"]
    with state.engine.begin() as conn:
        if failures_since(conn, name, now - WINDOW) >= MAX_FAILURES:
            return "throttled"
        stored = password_hash(conn, name) if name in state.catalog.people else None
    accepted = passwords.matches(stored, password)
    with state.engine.begin() as conn:
        if accepted:
            forget_failures(conn, name, before=now - WINDOW)
        else:
            record_failure(conn, name, now)
    return "accepted" if accepted else "refused"


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the incident list: never an open redirect."""
    target = (target or "").strip()
    parts = urlsplit(target)
    # Browsers drop tabs and newlines and read a backslash as a slash: "/\t/evil" is "//evil" to them.
    odd = any(c.isspace() or c == "\\" or ord(c) < 32 for c in target)
    if not target.startswith("/") or target.startswith("//") or odd or parts.scheme or parts.netloc:
        return url_for("incident_pages.incident_list")
    return target
