"""URLs that come from outside (alerts, change events, chat, status pages) become links only when http(s).

Everything else (`javascript:`, `data:`, `vbscript:`, a scheme-less string) is shown as plain text: a
browser runs a `javascript:` href in the signed-in session, whatever escaping the page applies.
"""

from urllib.parse import urlsplit

SCHEMES = frozenset({"http", "https"})


def http_url(value) -> str | None:
    """`value` when it is an absolute http(s) URL with a host; None otherwise.

    Browsers drop leading spaces and control characters and ignore tabs and newlines inside a URL's
    scheme ("java\\tscript:"), so any such character refuses the URL instead of being guessed around.
    """
    if not isinstance(value, str) or not value or any(ch <= " " or ch == "\x7f" for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced "[" in the host
        return None
    return value if parts.scheme.lower() in SCHEMES and parts.hostname else None
