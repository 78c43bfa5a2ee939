"""Loopback servers that receive notifications in the tests: HTTP (webhooks, Apprise json://
and form://) and SMTP (Apprise mailto://). Nothing here reaches beyond 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from helpers import serving
from PIL import Image

from optout.check.results import FlowResult, RunSummary
from optout.store.writer import write_atomic


@dataclass
class Post:
    """One request the inbox received."""

    path: str
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, Any]:
        """A multipart/form-data body as {name: text, or (filename, bytes) for a file}."""
        raw = f"Content-Type: {self.content_type}\r\n\r\n".encode() + self.body
        message = email.message_from_bytes(raw, policy=email.policy.HTTP)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True)
            fields[str(name)] = (filename, payload) if filename else payload.decode()
        return fields


@dataclass
class Inbox:
    """An HTTP server on 127.0.0.1 that keeps every POST and answers `status`."""

    status: int = 200
    posts: list[Post] = field(default_factory=list)
    port: int = 0

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextmanager
def http_inbox(status: int = 200) -> Iterator[Inbox]:
    inbox = Inbox(status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            inbox.posts.append(Post(self.path, self.headers.get("Content-Type", ""), body))
            self.send_response(inbox.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    inbox.port = server.server_address[1]
    with serving(server):
        yield inbox


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_inbox() -> Iterator[tuple[int, list[EmailMessage]]]:
    """An SMTP server on 127.0.0.1 (aiosmtpd): its port and the messages it received."""
    from aiosmtpd.controller import Controller

    received: list[EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            received.append(message)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def screenshot(path: Path, size: tuple[int, int] = (1280, 900), colour: str = "white") -> Path:
    """A PNG where a flow's final screenshot would be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


def record(recordings: Path, summary: RunSummary, shots: bool = True) -> RunSummary:
    """Write a run as the writer does (run.json, and a final.png per result if asked)."""
    folder = recordings / summary.run_id
    for result in summary.results:
        if shots:
            screenshot(folder / result.evidence / "final.png")
    write_atomic(folder / "run.json", json.dumps(summary.to_json()))
    return summary


def changed(flow: str, locale: str = "fr-FR", **fields: Any) -> FlowResult:
    """A confirmed change available → missing."""
    from helpers import flow_result

    values: dict[str, Any] = {"change": True, "changed_from": "available"}
    values.update(fields)
    return flow_result(flow, "missing", locale, **values)
