"""The error pages people see (404, 403, 405, 500 ...), in the app's layout with a way back. Machines get
JSON instead: ingest/errors.py decides who asked and calls `page` for people only."""

from flask import render_template, request

# (heading, what it means for the person) by status; a view's own words (abort(404, "...")) replace the second.
WORDS = {
    400: ("Request refused", "This request could not be understood. Go back, reload the page and try again."),
    403: ("Not allowed", "You are signed in, but this page or action is not open to you."),
    404: ("Page not found", "Nothing lives at this address: the link may be mistyped, or what it named is gone."),
    405: ("Not here", "This address does not take that kind of request. Open it from a link on a page instead."),
    413: ("Too large", "What was sent is larger than this service accepts."),
    500: (
        "Something went wrong",
        "The error is logged for whoever runs incident-ingest. Try again in a moment; if it keeps on, tell them.",
    ),
    503: ("Unavailable for a moment", "The database cannot be reached just now. Try again in a few seconds."),
}


def page(status: int, message: str | None):
    """The error page for `status`, with the view's `message` when it gave one."""
    heading, meaning = WORDS.get(status, ("Something went wrong", "This request could not be answered."))
    shown = render_template("error.html", status=status, heading=heading, message=message or meaning, path=request.path)
    return shown, status
