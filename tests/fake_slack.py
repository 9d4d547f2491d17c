"""A fake Slack over real HTTP: incoming webhooks and the Web API methods we call, recording what it got.

It answers as Slack does (docs/contracts-more.md): a webhook `200 ok` in plain text, or a status with
a plain-text code; a Web API call HTTP 200 with `{"ok": true, ...}` or `{"ok": false, "error": ...}`.
It can be told to answer otherwise: `answer_next(429, retry_after=1)`, or `down()` (500 to everything)
until `up()`.
"""

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import serve_in_thread

TOKEN = "xoxb-fake-bot-token"
NAME = re.compile(r"[a-z0-9_-]{1,80}")


@dataclass
class Channel:
    id: str
    name: str
    messages: list[dict] = field(default_factory=list)  # {"ts", "text"}
    pins: list[str] = field(default_factory=list)  # ts pinned, in order


class FakeSlack:
    """Start with `start()`; `webhook_url`, `api_url`; read `webhook_posts`, `channels`, `calls`; `stop()`."""

    def __init__(self):
        self.webhook_posts: list[dict] = []  # bodies accepted by the incoming webhook
        self.channels: dict[str, Channel] = {}  # by name
        self.calls: list[tuple[str, int]] = []  # (path, status) of every request
        self._forced: list[tuple[int, float | None, str]] = []
        self._down = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.block_on_close = False
        base = f"http://127.0.0.1:{self._server.server_port}"
        self.webhook_url, self.api_url = f"{base}/services/T000/B000/secret", f"{base}/api"

    def start(self) -> "FakeSlack":
        serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_next(self, *statuses: int, retry_after: float | None = None, path: str = "") -> None:
        """Answer the next requests (those whose path ends with `path`) with these statuses."""
        with self._lock:
            self._forced += [(status, retry_after, path) for status in statuses]

    def down(self) -> None:
        self._down = True

    def up(self) -> None:
        self._down = False

    def channel(self, prefix: str) -> Channel | None:
        return next((c for name, c in self.channels.items() if name.startswith(prefix)), None)

    def _answer(self, path: str, headers, body: bytes) -> tuple[int, dict, str]:
        with self._lock:
            forced = next((f for f in self._forced if path.endswith(f[2])), None)
            if forced:
                self._forced.remove(forced)
        if self._down:
            forced = (500, None, "")
        if forced:
            status, retry_after, _ = forced
            extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return status, extra, "ratelimited" if status == 429 else "rollup_error"
        if path.startswith("/services/"):
            return self._webhook(body)
        if path.startswith("/api/"):
            return 200, {}, json.dumps(self._method(path.removeprefix("/api/"), headers, body))
        return 404, {}, "no_service"

    def _webhook(self, body: bytes) -> tuple[int, dict, str]:
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, {}, "invalid_payload"
        if not isinstance(payload, dict) or not payload.get("text"):
            return 400, {}, "no_text"
        with self._lock:
            self.webhook_posts.append(payload)
        return 200, {}, "ok"

    def _method(self, method: str, headers, body: bytes) -> dict:
        auth = headers.get("Authorization", "")
        if not auth:
            return {"ok": False, "error": "not_authed"}
        if auth != f"Bearer {TOKEN}":
            return {"ok": False, "error": "invalid_auth"}
        try:
            args = json.loads(body)
        except ValueError:
            return {"ok": False, "error": "invalid_json"}
        handler = {
            "conversations.create": self._create,
            "chat.postMessage": self._post,
            "pins.add": self._pin,
        }.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self._lock:
            return handler(args)

    def _create(self, args: dict) -> dict:
        name = args.get("name", "")
        if not NAME.fullmatch(name):
            return {"ok": False, "error": "invalid_name_specials"}
        if name in self.channels:
            return {"ok": False, "error": "name_taken"}
        channel = Channel(f"C{next(self._ids):08d}", name)
        self.channels[name] = channel
        return {"ok": True, "channel": {"id": channel.id, "name": name, "is_channel": True}}

    def _post(self, args: dict) -> dict:
        channel = self._by_id(args.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = f"1700000000.{next(self._ids):06d}"
        channel.messages.append({"ts": ts, "text": args.get("text", "")})
        return {"ok": True, "channel": channel.id, "ts": ts, "message": {"text": args.get("text", ""), "ts": ts}}

    def _pin(self, args: dict) -> dict:
        channel = self._by_id(args.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if args.get("timestamp") not in {m["ts"] for m in channel.messages}:
            return {"ok": False, "error": "message_not_found"}
        if args["timestamp"] in channel.pins:
            return {"ok": False, "error": "already_pinned"}
        channel.pins.append(args["timestamp"])
        return {"ok": True}

    def _by_id(self, channel_id) -> Channel | None:
        return next((c for c in self.channels.values() if c.id == channel_id), None)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = -1
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, extra, text = fake._answer(self.path, self.headers, body)
                with fake._lock:
                    fake.calls.append((self.path, status))
                data = text.encode()
                self.send_response(status)
                kind = "application/json" if text.startswith("{") else "text/plain"
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
