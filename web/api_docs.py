"""`/api/docs`: the API's reference, drawn from /openapi.json (flask-smorest's `api-docs` blueprint, which
serves the document) by the vendored Swagger UI (web/static/vendor/swagger-ui/), started by a static script.

Swagger UI was picked over ReDoc because it runs under the app's policy for scripts: ReDoc's styled-components
inject <style> elements, which would need style-src 'unsafe-inline'. Swagger UI needs one thing more than
other pages: its stylesheet draws icons as data: images, so this page alone allows `img-src data:`.
"""

from flask import Blueprint, render_template

from web.security_headers import POLICY

bp = Blueprint("api_docs", __name__)
POLICY_WITH_DATA_IMAGES = POLICY.replace("img-src 'self'", "img-src 'self' data:")


@bp.get("/api/docs")
def page():
    """The API reference, for anyone who can read /openapi.json (no sign-in: the document is public too)."""
    response = render_template("api_docs.html")
    return response, 200, {"Content-Security-Policy": POLICY_WITH_DATA_IMAGES}
