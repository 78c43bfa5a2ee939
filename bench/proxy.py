"""A loopback TCP forwarder that adds latency in front of the replica.

Every chunk a client sends is held for `latency` seconds before it reaches the upstream
server, so each HTTP request (the replica answers one request per connection) is answered
`latency` later, as over a slow network. Replies pass through at once. It listens on
127.0.0.1 only and forwards to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from types import TracebackType

LOOPBACK = "127.0.0.1"


class DelayProxy:
    """`with DelayProxy(upstream_port, 0.3) as proxy:` serves on `proxy.port` in a thread."""

    def __init__(self, upstream_port: int, latency: float) -> None:
        self.upstream_port = upstream_port
        self.latency = latency
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    def origin(self, prefix: str = "") -> str:
        """`http://127.0.0.1:PORT/prefix`: the replica's address through the proxy."""
        return f"http://{LOOPBACK}:{self.port}" + (f"/{prefix.strip('/')}" if prefix else "")

    def __enter__(self) -> DelayProxy:
        self._thread = threading.Thread(target=self._serve, name="delay-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the delaying proxy did not start")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._client, LOOPBACK, 0)
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(LOOPBACK, self.upstream_port)
        except OSError:
            writer.close()
            return
        upstream = asyncio.create_task(self._delayed(reader, up_writer))
        with contextlib.suppress(OSError, RuntimeError):
            await self._direct(up_reader, writer)  # the upstream closed: the exchange is over
        upstream.cancel()
        with contextlib.suppress(asyncio.CancelledError, OSError, RuntimeError):
            await upstream
        for w in (writer, up_writer):
            with contextlib.suppress(OSError, RuntimeError):
                w.close()

    async def _delayed(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Client → upstream: each chunk leaves `latency` after it arrived, in order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                arrived, data = await queue.get()
                if not data:
                    with contextlib.suppress(OSError, RuntimeError):
                        writer.write_eof()
                    return
                await asyncio.sleep(max(0.0, arrived + self.latency - time.monotonic()))
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(send())
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((time.monotonic(), data))
                if not data:
                    break
            await sender
        finally:
            sender.cancel()

    async def _direct(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Upstream → client, as it comes."""
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()
