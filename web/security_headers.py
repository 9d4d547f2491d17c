"""Security headers on every answer: a strict Content-Security-Policy and its companions.

One after-request hook rather than flask-talisman: talisman sends HSTS only on requests it sees as
https, and behind a TLS-terminating proxy the app sees plain http; here HSTS follows `PUBLIC_URL`.
TLS itself is the proxy's job: nothing redirects, and plain http on 127.0.0.1 keeps working.
"""

from flask import Flask

# Scripts, styles, images and fonts only from the app itself; no inline script, no plugin, no framing.
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Acknowledgement links carry their token in the path: never hand it to another site.
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def install(app: Flask, *, https: bool) -> None:
    """Every response gets HEADERS; HSTS too when the public URL is https."""
    headers = HEADERS | ({"Strict-Transport-Security": HSTS} if https else {})

    @app.after_request
    def _secure(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
