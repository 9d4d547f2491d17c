"""The Flask app factory."""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

import web
from api import (
    actions,
    changes,
    cover,
    export,
    follow_ups,
    health,
    lifecycle,
    local_pagerduty,
    maintenance,
    postmortems,
    reads,
    reports,
    schedules,
    spec,
    status,
)
from incidents.services import Catalog
from ingest import change_intake, errors, intake, pagerduty_webhooks
from server import request_log
from settings import env
from settings.catalog import load_catalog
from settings.logs import configure_logging
from store.db import create_engine
from web import ack_links, error_pages


@dataclass(frozen=True)
class AppState:
    """What the views need, built once at start-up and passed in, never imported."""

    settings: env.Settings
    catalog: Catalog
    engine: sa.Engine
    # Hands committed escalation decisions to the workers; None leaves them to the periodic tick.
    dispatch: Callable | None = None
    # Called once a request is stored in the inbox. None: the consumer hears of it by itself (PostgreSQL's
    # NOTIFY, sent with the row) or polls; the tests pass the consumer itself, to apply before answering.
    wake: Callable | None = None

    def wake_consumer(self) -> None:
        """Tell the inbox's consumer that a request waits."""
        if self.wake is not None:
            self.wake()

    def hand_over(self, decisions) -> None:
        """Enqueue what committed decisions ask of the workers."""
        if self.dispatch is not None and decisions:
            self.dispatch(decisions)


def create_app(
    settings: env.Settings | None = None,
    *,
    catalog: Catalog | None = None,
    engine: sa.Engine | None = None,
    dispatch: Callable | None = None,
    wake: Callable | None = None,
) -> Flask:
    """Build the app; a wrong configuration raises ConfigError here, so start-up fails."""
    settings = settings or env.load()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    app.extensions["incidents"] = AppState(
        settings=settings,
        catalog=catalog or load_catalog(settings.config_dir),
        engine=engine or create_engine(settings.database_url),
        dispatch=dispatch,
        wake=wake,
    )
    # Machine-facing: each documents itself in /openapi.json (api/spec.py), registered through the Api.
    documented = (intake.bp, change_intake.bp, pagerduty_webhooks.bp, reads.bp, actions.bp, lifecycle.bp)
    documented += (changes.bp, maintenance.bp, reports.bp, postmortems.bp, status.bp, follow_ups.bp, schedules.bp)
    documented += (cover.bp,)
    documented += (local_pagerduty.bp,) if settings.local_pagerduty else ()
    docs = spec.Api(app)
    for blueprint in (*documented, health.bp):
        docs.register_blueprint(blueprint)
    for blueprint in (export.bp, ack_links.bp):
        app.register_blueprint(blueprint)
    errors.register(app, page=error_pages.page)
    # Ack links (signed, single use) and machines (their own credentials) post without a CSRF token.
    web.install(app, machine_blueprints=(*documented, export.bp, ack_links.bp))
    request_log.register(app)
    configure_logging()
    return app
