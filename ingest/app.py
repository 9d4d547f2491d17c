"""The Flask app factory."""
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from incidents.services import Catalog
from ingest import api, errors, health, intake
from settings import env
from settings.catalog import load_catalog
from store.db import create_engine


@dataclass(frozen=True)
class AppState:
    """What the views need, built once at start-up and passed in, never imported."""

    settings: env.Settings
    catalog: Catalog
    engine: sa.Engine


def create_app(settings: env.Settings | None = None, *, catalog: Catalog | None = None,
               engine: sa.Engine | None = None) -> Flask:
    """Build the app; a wrong configuration raises ConfigError here, so start-up fails."""
    settings = settings or env.load()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes,
                      JSON_SORT_KEYS=False)
    app.extensions["incidents"] = AppState(
        settings=settings,
        catalog=catalog or load_catalog(settings.config_dir),
        engine=engine or create_engine(settings.database_url),
    )
    for blueprint in (intake.bp, api.bp, health.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app
