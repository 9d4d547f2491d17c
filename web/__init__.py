"""People-facing pages: sign-in, the incident list and the incident page, with CSRF on every form."""

from flask import Blueprint, Flask, render_template, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect

from incidents.utc import utc
from web import (
    api_docs,
    calendars,
    cover_forms,
    declare,
    follow_up_forms,
    incident_forms,
    incident_pages,
    live,
    mailbox,
    maintenance,
    me,
    oncall_forms,
    oncall_pages,
    page_sink,
    password_forms,
    people,
    postmortem_pages,
    report_pages,
    security_headers,
    sign_in,
    status_page,
)
from web.outside_links import http_url

csrf = CSRFProtect()
# Templates and the one stylesheet (and the time-zone script) for every page people see, the ack link's too.
assets = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")


@assets.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on answers without an icon link (JSON, the API docs): the same icon."""
    return send_from_directory(assets.static_folder, "favicon.svg")


def install(app: Flask, *, machine_blueprints) -> None:
    """Sessions, CSRF and the people's blueprints; machines' POST routes keep their own credentials."""
    settings = app.extensions["incidents"].settings
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        # The token lives as long as the session: a page left open all night still submits.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    security_headers.install(app, https=settings.secure_cookies)
    for blueprint in machine_blueprints:
        csrf.exempt(blueprint)
    people.install(app)
    app.add_template_filter(_iso, "iso")
    app.add_template_filter(_utc_text, "utc_text")
    app.add_template_filter(http_url, "http_url")
    app.register_blueprint(assets)
    app.register_blueprint(sign_in.bp)
    app.register_blueprint(declare.bp)
    app.register_blueprint(incident_pages.bp)
    app.register_blueprint(incident_forms.bp)
    app.register_blueprint(live.bp)
    status_page.install(app)
    app.register_blueprint(maintenance.bp)
    app.register_blueprint(mailbox.bp)
    app.register_blueprint(report_pages.bp)
    app.register_blueprint(postmortem_pages.bp)
    app.register_blueprint(follow_up_forms.bp)
    app.register_blueprint(me.bp)
    app.register_blueprint(password_forms.bp)
    app.register_blueprint(calendars.bp)
    app.register_blueprint(oncall_pages.bp)
    app.register_blueprint(oncall_forms.bp)
    app.register_blueprint(cover_forms.bp)
    app.register_blueprint(api_docs.bp)
    if settings.local_pagerduty:
        app.register_blueprint(page_sink.bp)
    app.context_processor(lambda: {"local_pagerduty": settings.local_pagerduty})
    app.register_error_handler(CSRFError, _refused)


def _refused(error: CSRFError):
    message = "This form has expired or did not come from this site. Go back, reload the page and try again."
    return render_template("message.html", heading="Form refused", message=message), 400


def _iso(value) -> str:
    """`2026-11-30T21:05:09Z`, for `<time datetime>`."""
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_text(value) -> str:
    """`2026-11-30 21:05:09 UTC`: the title (hover) and what shows without JavaScript."""
    return utc(value).strftime("%Y-%m-%d %H:%M:%S UTC")
