"""`make example`, the README's first alert: the recorded request with `startsAt` set to now, so the first
incident a new user sees starts fresh rather than days ago with every target breached."""

import json
import subprocess
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from tests.support import ROOT, serve_in_thread

RECORDED = json.loads((ROOT / "examples" / "alertmanager-firing.json").read_text())


class Recorder(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "success"}')

    def log_message(self, *args):
        pass


def test_make_example_sends_the_recorded_alert_starting_now():
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    serve_in_thread(server)
    try:
        port = server.server_address[1]
        done = subprocess.run(["make", "-s", "example", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert '"status": "success"' in done.stdout
    [(path, headers, body)] = Recorder.received
    assert path == "/webhooks/alertmanager" and headers["Authorization"] == "Bearer example-token"
    starts = datetime.fromisoformat(body["alerts"][0]["startsAt"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - starts) < timedelta(minutes=2)
    body["alerts"][0]["startsAt"] = RECORDED["alerts"][0]["startsAt"]
    assert body == RECORDED
