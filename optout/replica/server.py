"""The replica's HTTP server: a ThreadingHTTPServer in a daemon thread."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Final
from urllib.parse import urlsplit

from optout.replica.captures import default_captures_dir
from optout.replica.messages import Incoming, Reply
from optout.replica.scenarios import route

# No response lasts longer than this: a hanging or stalled one is closed after it, or as soon
# as the client goes away or the server stops, whichever comes first.
HANG_CAP_SECONDS: Final = 60.0
HANG_POLL_SECONDS: Final = 0.1
# A streamed body waits at most this long for a client that stops reading.
WRITE_TIMEOUT_SECONDS: Final = 20.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: ReplicaServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "proxygen-bolt"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests and the CLI do not want one line per request."""

    def _handle(self) -> None:
        owner = self.server.owner
        owner.record(self.command, self.path)
        with owner.answering():
            self._answer(owner)

    def _answer(self, owner: ReplicaServer) -> None:
        split = urlsplit(self.path)
        scenario, _, rest = split.path.lstrip("/").partition("/")
        incoming = Incoming(
            method=self.command,
            scenario=scenario,
            rest="/" + rest,
            query=split.query,
            accept_language=self.headers.get("Accept-Language", ""),
            cookie_header=self.headers.get("Cookie", ""),
        )
        reply = route(incoming, owner.captures_dir)
        if reply.hang:
            owner.wait_while_connected(self.connection, HANG_CAP_SECONDS)
            self.close_connection = True
            return
        try:
            self._send(reply)
        except OSError:  # the client went away (or stopped reading) mid-answer
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        data = reply.body.encode("utf-8")
        open_ended = reply.stream is not None or reply.stall
        self.send_response(reply.status)
        if not any(name.lower() == "content-type" for name in reply.headers):
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        if open_ended:  # HTTP/1.0 without a length: the body ends when the connection closes
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        self.wfile.write(data)
        if not open_ended:
            return
        owner = self.server.owner
        deadline = time.monotonic() + HANG_CAP_SECONDS
        self.connection.settimeout(WRITE_TIMEOUT_SECONDS)
        for chunk in reply.stream or ():
            if owner.stopping or time.monotonic() > deadline:
                return
            self.wfile.write(chunk)
        if reply.stall:
            owner.wait_while_connected(self.connection, deadline - time.monotonic())

    do_GET = _handle
    do_HEAD = _handle
    do_POST = _handle
    do_PUT = _handle
    do_DELETE = _handle
    do_PATCH = _handle
    do_OPTIONS = _handle


class ReplicaServer:
    """A local replica of Meta's pages, one URL prefix per scenario.

    Use as a context manager (or call :meth:`start` / :meth:`stop`)::

        with ReplicaServer(port=0) as server:
            server.origin_for("form-available")  # "http://127.0.0.1:PORT/form-available"

    ``captures_dir`` holds real captures served as ``/capture/<file-stem>/...``; when None,
    ``../shared/captures`` beside the repository is used if it exists, else the
    ``OPTOUT_CAPTURES`` environment variable (see :mod:`optout.replica.captures`).
    """

    def __init__(
        self, port: int = 0, host: str = "127.0.0.1", captures_dir: Path | None = None
    ) -> None:
        self.host = host
        self.captures_dir = captures_dir if captures_dir is not None else default_captures_dir()
        self._requested_port = port
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> ReplicaServer:
        """Bind and start serving in a daemon thread (idempotent)."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"optout-replica-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes up hanging requests so this returns promptly."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (the real one when constructed with port=0)."""
        if self._httpd is None:
            raise RuntimeError("ReplicaServer is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:8765"."""
        return f"http://{self.host}:{self.port}"

    def origin_for(self, scenario: str) -> str:
        """URL that stands in for https://www.facebook.com in ``scenario``."""
        return f"{self.url}/{scenario}"

    # bookkeeping used by the handler ---------------------------------------------------
    def record(self, method: str, path: str) -> None:
        """Remember one received request as (method, raw path with query)."""
        with self._lock:
            self.requests.append((method, path))

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Count one request as in flight while it is answered."""
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        """How many requests are being answered now (a stalled one counts until it ends)."""
        return self._in_flight

    @property
    def stopping(self) -> bool:
        """Whether stop() was called: long answers end early."""
        return self._stopping.is_set()

    def wait_while_connected(self, sock: socket.socket, cap_seconds: float) -> None:
        """Block (for a hanging or stalled answer) until the client closes the connection,
        stop() is called or the cap elapses."""
        deadline = time.monotonic() + cap_seconds
        while not self._stopping.is_set() and time.monotonic() < deadline:
            try:
                readable, _, _ = select.select([sock], [], [], HANG_POLL_SECONDS)
                if readable and not sock.recv(1, socket.MSG_PEEK):
                    return  # the client closed its end
            except OSError:
                return  # reset, or already closed
            if readable:  # the client sent more bytes; nothing to answer, keep waiting
                self._stopping.wait(HANG_POLL_SECONDS)
