"""`GET /openapi.json`: the machine-facing API, generated from the marshmallow schemas with apispec.

Each registered blueprint that `openapi_paths.AREAS` names adds its paths; people-facing blueprints
(`web/`, the acknowledgement link, the Markdown export) are pages, not an API, and stay out."""

import functools

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from api import answers
from api.openapi_operations import SECURITY_SCHEMES, error_responses
from api.openapi_paths import AREAS
from commands.fields import StringMap, Timestamp
from commands.schemas import Choice

__all__ = ["SECURITY_SCHEMES", "bp", "spec"]
bp = Blueprint("openapi", __name__)


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__.removesuffix('Schema')}"


def _custom_fields(self, field, **kwargs) -> dict:
    # Our own marshmallow fields, which apispec cannot know.
    if isinstance(field, StringMap):
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if isinstance(field, Timestamp):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, Choice):
        return {"type": "string"}
    return {}


@functools.cache
def spec(blueprints: frozenset[str]) -> dict:
    """The OpenAPI 3.0 document of the areas these blueprints (by name) serve, built once per set."""
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    doc = APISpec("incident-ingest", "1.0", "3.0.3", plugins=[plugin])
    plugin.converter.add_attribute_function(_custom_fields)
    for name, scheme in SECURITY_SCHEMES.items():
        doc.components.security_scheme(name, scheme)
    doc.components.schema("Error", schema=answers.ErrorAnswer)
    doc.components.schema("InvalidEvent", schema=answers.InvalidEventAnswer)
    for name, response in error_responses().items():
        doc.components.response(name, response)
    for area in (paths for name, paths in AREAS.items() if name in blueprints):
        for path, operations in area().items():
            doc.path(path=path, operations=operations)
    return doc.to_dict()


@bp.get("/openapi.json")
def openapi_json():
    """This API's OpenAPI document: the operations of the blueprints this app serves."""
    return jsonify(spec(frozenset(current_app.blueprints)))
