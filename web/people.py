"""Who is signed in: a session (Flask-Login) or, behind an auth proxy, a trusted header."""

import ipaddress
from zoneinfo import ZoneInfo

from flask import Flask, current_app, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

login_manager = LoginManager()


class Person(UserMixin):
    """A person of people.yaml, signed in; `time_zone` (people.yaml, default UTC) is the one their pages use."""

    def __init__(self, name: str, time_zone: str = "UTC"):
        self.name = name
        self.time_zone = time_zone

    def get_id(self) -> str:
        return self.name


def install(app: Flask) -> None:
    """Sessions for people; unsigned requests for people's pages go to the sign-in form."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


def signed_in_name() -> str:
    """The signed-in person's name (a view behind `login_required` only)."""
    return current_user.name


def person(name: str) -> Person | None:
    """The person of people.yaml called `name`, as the web signs them in; None when there is none."""
    known = current_app.extensions["incidents"].catalog.people.get(name)
    return Person(known.name, known.time_zone) if known else None


def viewer_zone() -> ZoneInfo:
    """The signed-in person's time zone (`time_zone` of people.yaml, UTC by default; check-config checks it)."""
    return ZoneInfo(current_user.time_zone)


@login_manager.user_loader
def _from_session(name: str) -> Person | None:
    # Someone removed from people.yaml loses access at once, even with a live session.
    return person(name)


@login_manager.request_loader
def _from_proxy(request_) -> Person | None:
    """The person an auth proxy names in the configured header, from a configured proxy address only."""
    settings = current_app.extensions["incidents"].settings
    value = request_.headers.get(settings.web_auth_header, "").strip() if settings.web_auth_header else ""
    if not value or not _from_trusted_proxy(request_.remote_addr, settings.web_auth_proxies):
        return None
    return _person_named(value)


def _from_trusted_proxy(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _person_named(value: str) -> Person | None:
    """A person by name, or by email (case-insensitive) for `X-Forwarded-Email` style headers."""
    people = current_app.extensions["incidents"].catalog.people
    if value in people:
        return person(value)
    lowered = value.lower()
    found = [p.name for p in people.values() if p.email and p.email.lower() == lowered]
    return person(found[0]) if len(found) == 1 else None


@login_manager.unauthorized_handler
def _to_sign_in():
    # A relative `next`: the sign-in form only ever follows relative paths.
    return redirect(url_for("sign_in.form", next=request.full_path.rstrip("?")))
