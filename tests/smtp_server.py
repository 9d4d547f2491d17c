"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): it takes every message and keeps it."""

import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class MailSink:
    """`start()`, then `host`, `port`; `messages` holds (envelope recipients, parsed message); `stop()`."""

    def __init__(self):
        self.messages: list[tuple[list[str], object]] = []
        self._lock = threading.Lock()
        self.host, self.port = "127.0.0.1", _free_port()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    def start(self) -> "MailSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        with self._lock:
            return [message["Subject"] for _, message in self.messages]


def _free_port() -> int:
    # aiosmtpd connects to its own port to see it listen, so it needs the number before it starts.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
