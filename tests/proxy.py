"""A forwarding HTTP proxy on 127.0.0.1 for the `--proxy` tests: plain requests with an
absolute URI, and CONNECT tunnels, optionally behind a Basic login. It forwards to loopback
addresses only and refuses every other host, so nothing reaches the real web."""

from __future__ import annotations

import base64
import select
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from helpers import serving

HOP_BY_HOP = {"connection", "proxy-connection", "proxy-authorization", "keep-alive", "host"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Proxy(ThreadingHTTPServer):
    """The proxy; `seen` lists (method, target, Proxy-Authorization) of every request."""

    daemon_threads = True

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.login = login
        self.seen: list[tuple[str, str, str | None]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def expected_authorization(self) -> str | None:
        if self.login is None:
            return None
        return "Basic " + base64.b64encode(":".join(self.login).encode()).decode()


class _Handler(BaseHTTPRequestHandler):
    server: Proxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _allowed(self, host: str | None) -> bool:
        got = self.headers.get("Proxy-Authorization")
        self.server.seen.append((self.command, self.path, got))
        if self.server.login is not None and got != self.server.expected_authorization():
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        if host not in LOOPBACK:
            self.send_error(403, "this test proxy only forwards to loopback")
            return False
        return True

    def do_GET(self) -> None:
        if not self._allowed(urlsplit(self.path).hostname):
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(self.path, data=body, headers=headers, method=self.command)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=60) as answer:
                status, received, data = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as exc:
            status, received, data = exc.code, exc.headers, exc.read()
        self.send_response(status)
        for key, value in received.items():
            if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_HEAD = do_POST = do_GET

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        if not self._allowed(host.strip("[]")):
            return
        upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=60)
        self.send_response(200)
        self.end_headers()
        ends = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(ends, [], [], 60)
                if not ready:
                    return
                for end in ready:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()


@contextmanager
def running_proxy(login: tuple[str, str] | None = None) -> Iterator[Proxy]:
    """A proxy serving in a thread for the duration of the block."""
    proxy = Proxy(login)
    with serving(proxy):
        yield proxy
