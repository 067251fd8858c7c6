"""A real SMTP server on loopback for the tests (aiosmtpd), and for trying invitations out.

:class:`MailServer` starts on a free port of 127.0.0.1, keeps every message it takes, and
can be told to answer chosen addresses with a reply of the test's choosing (a 4xx or a
5xx), or to hold a message until the test lets it go. `make mailserver` runs it on port
8025 and prints each message it receives (``python -m tests.mail_server``).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message the server took: its envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """The text of the message's ``text/<subtype>`` part."""
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None, f"no text/{subtype} part"
        return str(found.get_content())  # type: ignore[attr-defined]


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    #: Per address (lower case): the reply to RCPT TO instead of "250 OK", e.g. "550 …".
    replies: dict[str, list[str]] = field(default_factory=dict)
    #: Per address: an event the DATA reply waits for (the message is kept either way).
    holds: dict[str, threading.Event] = field(default_factory=dict)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    holding: set[str] = field(default_factory=set)
    printer: Callable[[Received], None] | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        queue = self.replies.get(address.lower())
        if queue:
            reply = queue[0] if len(queue) == 1 else queue.pop(0)
            if not reply.startswith("250"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos),
                            parsed)  # type: ignore[arg-type]
        hold = next((self.holds[a.lower()] for a in envelope.rcpt_tos
                     if a.lower() in self.holds), None)
        with self.arrived:
            self.received.append(received)
            if hold is not None:
                self.holding.update(a.lower() for a in envelope.rcpt_tos)
            self.arrived.notify_all()
        if self.printer is not None:
            self.printer(received)
        if hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, hold.wait)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailServer:
    """An SMTP server on loopback that keeps what it receives (start, then stop)."""

    def __init__(self, port: int | None = None,
                 printer: Callable[[Received], None] | None = None) -> None:
        self.handler = _Handler(printer=printer)
        self.port = port or free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> MailServer:
        """Start listening."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Let held messages go and stop listening."""
        for event in self.handler.holds.values():
            event.set()
        self._controller.stop()

    @property
    def settings(self) -> dict[str, object]:
        """The app settings that send to this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port,
                "MAIL_SENDER": "Regiospiegel <scan@regiospiegel.test>"}

    @property
    def received(self) -> list[Received]:
        """Every message taken so far, in order."""
        with self.handler.arrived:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        """The messages taken for one address."""
        return [r for r in self.received if address.lower() in (a.lower() for a in r.recipients)]

    def answer(self, address: str, *replies: str) -> None:
        """Answer RCPT TO for ``address`` with these replies in turn (the last one stays)."""
        self.handler.replies[address.lower()] = list(replies)

    def hold(self, address: str) -> threading.Event:
        """Keep the DATA reply for ``address`` back until the returned event is set."""
        event = threading.Event()
        self.handler.holds[address.lower()] = event
        return event

    def wait_for(self, condition: Callable[[list[Received]], bool],
                 timeout: float = 30.0) -> None:
        """Wait until ``condition`` holds for the messages taken (AssertionError after
        ``timeout`` seconds)."""
        with self.handler.arrived:
            if not self.handler.arrived.wait_for(lambda: condition(self.handler.received),
                                                 timeout=timeout):
                raise AssertionError("the mail server did not receive what was expected")


def _print(received: Received) -> None:
    message = received.message
    print("=" * 72)
    for header in ("From", "To", "Subject", "Date"):
        if message[header]:
            print(f"{header}: {message[header]}")
    print()
    body = message.get_body(preferencelist=("plain",))
    print(body.get_content() if body is not None else message)  # type: ignore[attr-defined]
    sys.stdout.flush()


def main() -> None:
    """Run a loopback SMTP server on port 8025 (or the first argument) that prints mail."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8025
    server = MailServer(port, printer=_print).start()
    print(f"SMTP server on 127.0.0.1:{port}; every message it receives is printed here. "
          f"Stop with Ctrl+C.")
    print(f"Start the app with: MAIL_SERVER=127.0.0.1 MAIL_PORT={port} "
          f"MAIL_SENDER='Regiospiegel <scan@regiospiegel.test>' make run")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
