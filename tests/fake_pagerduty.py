"""A fake PagerDuty Events API v2 over real HTTP: checks events against the contract, records them.

It answers like PagerDuty (202 with a dedup_key, 400 `invalid event` with errors) unless told to
answer otherwise for the next requests, e.g. `fake.answer_next(429, 500)`.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import serve_in_thread

SEVERITIES = {"critical", "error", "warning", "info"}


def contract_errors(event) -> list[str]:
    """What PagerDuty would refuse in this event (docs/contracts.md, "PagerDuty Events API v2")."""
    if not isinstance(event, dict):
        return ["Event object is not an object"]
    errors = []
    if len(event.get("routing_key") or "") != 32:
        errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    action = event.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        errors.append("'event_action' is invalid")
    if len(event.get("dedup_key") or "") > 255 or (action != "trigger" and not event.get("dedup_key")):
        errors.append("'dedup_key' is invalid")
    if action == "trigger":
        payload = event.get("payload") or {}
        if not payload.get("summary") or len(payload["summary"]) > 1024:
            errors.append("'payload.summary' is missing, blank or too long")
        if not payload.get("source"):
            errors.append("'payload.source' is missing or blank")
        if payload.get("severity") not in SEVERITIES:
            errors.append("'payload.severity' is invalid")
    return errors


def forced_answer(status: int, errors: tuple[str, ...]) -> dict:
    """What PagerDuty answers with this status (docs/contracts.md (PagerDuty Events API v2))."""
    if status == 400:
        return {"status": "invalid event", "message": "Event object is invalid", "errors": list(errors)}
    if status == 429:
        return {"status": "throttle event", "message": "Requests for this service are arriving too quickly."}
    return {"status": "error", "message": f"forced {status}"}


class FakePagerDuty:
    """Start with `start()`, read `events` (every accepted event, in order), stop with `stop()`."""

    def __init__(self):
        self.events: list[dict] = []
        self.requests: list[tuple[int, dict]] = []  # every request with the status answered
        self._answers: list[int] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.block_on_close = False  # stop() does not wait for clients' idle keep-alive connections
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> "FakePagerDuty":
        serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_next(self, *statuses: int, errors: tuple[str, ...] = ("forced by the test",)) -> None:
        """Answer the next requests with these statuses instead of processing them; a 400 names `errors`,
        as PagerDuty's does."""
        with self._lock:
            self._answers.extend((status, errors) for status in statuses)

    def triggers(self, target_key: str | None = None) -> list[dict]:
        return [
            e
            for e in self.events
            if e["event_action"] == "trigger" and (target_key is None or e["routing_key"] == target_key)
        ]

    def headers(self, status: int) -> dict:
        """Extra headers of an answer with `status` (a subclass adds Retry-After to its 429s)."""
        return {}

    def _receive(self, body: bytes) -> tuple[int, dict]:
        with self._lock:
            forced = self._answers.pop(0) if self._answers else None
        try:
            event = json.loads(body)
        except ValueError:
            return self._record(
                400,
                {},
                {"status": "invalid event", "message": "Event object is invalid", "errors": ["body is not JSON"]},
            )
        if forced is not None:
            return self._record(forced[0], event, forced_answer(*forced))
        errors = contract_errors(event)
        if errors:
            return self._record(
                400, event, {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
            )
        with self._lock:
            self.events.append(event)
        return self._record(
            202, event, {"status": "success", "message": "Event processed", "dedup_key": event.get("dedup_key")}
        )

    def _record(self, status, event, answer):
        with self._lock:
            self.requests.append((status, event))
        return status, answer

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as PagerDuty's endpoint does
            # An unbuffered answer is two writes (headers, body), and with Nagle's algorithm the body
            # waits for the client's delayed ACK: ~40 ms per request on Linux, which PagerDuty does not do.
            wbufsize = -1  # buffered: one write per answer, flushed after do_POST
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = fake._receive(body) if self.path == "/v2/enqueue" else (404, {"error": "not found"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                for name, value in fake.headers(status).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
