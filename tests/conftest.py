"""Shared fixtures: the replica server, the browser, and a way to run `optout` in-process."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from click.testing import CliRunner, Result

from optout.browser.launch import SYSTEM_CHROMIUMS
from optout.cli import main
from optout.replica import ReplicaServer

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
TEST_FLOWS = Path(__file__).resolve().parent / "flows"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never read the user's own saved sessions: XDG_CONFIG_HOME points to a temp dir."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    """One replica of Meta's pages on 127.0.0.1 for the whole session."""
    with ReplicaServer() as server:
        yield server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches the same browser optout would find, with the same flags."""
    from playwright.sync_api import sync_playwright

    from optout.browser.launch import LAUNCH_ARGS

    args = {**browser_type_launch_args, "args": list(LAUNCH_ARGS)}
    with sync_playwright() as pw:
        downloaded = Path(pw.chromium.executable_path)
    if not downloaded.exists():
        system = next(
            (c for c in (*SYSTEM_CHROMIUMS, shutil.which("chromium")) if c and Path(c).exists()),
            None,
        )
        if system:
            args["executable_path"] = system
    return args


@dataclass
class Verified:
    """What one `optout verify` invocation produced."""

    result: Result
    summary: dict[str, Any]
    recordings: Path

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def run_dir(self) -> Path:
        return self.recordings / self.summary["run_id"]

    def verdicts(self) -> dict[tuple[str, str], str]:
        return {(r["flow"], r["locale"]): r["verdict"] for r in self.summary["results"]}

    def only(self) -> dict[str, Any]:
        """The single result of a one-flow, one-locale run."""
        assert len(self.summary["results"]) == 1, self.summary["results"]
        result: dict[str, Any] = self.summary["results"][0]
        return result


def in_thread(func: Callable[[], T]) -> T:
    """Run `func` in a fresh thread: pytest-playwright's sync API keeps an event loop
    running in the main thread, and optout's async core needs its own."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # re-raised in the calling thread
            box["error"] = exc

    # A daemon thread, joined without an executor: when pytest-timeout interrupts the test,
    # the test fails at once instead of waiting for the thread on the way out.
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a fresh thread (see `in_thread`)."""
    return in_thread(lambda: asyncio.run(coro))


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Run the optout CLI in-process (in its own thread)."""
    return in_thread(
        lambda: CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    )


PAIR = ["fr-FR", "en-GB"]
"""The two locales whose replica pages are written out in full."""


@pytest.fixture
def verify(replica: ReplicaServer, tmp_path: Path) -> Any:
    """Run `optout verify FLOW --map-origin <Meta origins>=<replica scenario>` and read the JSON."""

    def run(
        flow: str | Path | list[Path],
        scenario: str,
        *extra: str,
        locale: str | list[str] | None = "en-GB",
        recordings: Path | None = None,
        timeout: float = 4,
        origin: str | None = None,
        page_timeout: float | None = None,
    ) -> Verified:
        recordings = recordings or tmp_path / "recordings"
        out = tmp_path / f"summary-{len(list(tmp_path.glob('summary-*')))}.json"
        origin = origin or replica.origin_for(scenario)
        flows = flow if isinstance(flow, list) else [flow]
        args: list[str | Path] = [
            "verify",
            *flows,
            "--recordings",
            recordings,
            "--json",
            out,
            "--timeout",
            str(timeout),
            "--log-format",
            "json",
        ]
        for source in (
            "https://www.facebook.com",
            "https://fr-fr.facebook.com",
            "https://help.instagram.com",
            "https://faq.whatsapp.com",
            "https://www.whatsapp.com",
        ):
            args += ["--map-origin", f"{source}={origin}"]
        # the shipped flows run in every catalogue language: PAIR runs the two whose replica
        # pages are written out in full (the language matrix has its own tests); None, all
        for loc in [locale] if isinstance(locale, str) else locale or []:
            args += ["--locale", loc]
        if page_timeout is not None:
            args += ["--page-timeout", str(page_timeout)]
        if "--workers" not in extra:
            # The default is 3 per core; two pytest workers each running that many pages on
            # this 2-core machine would make the short timeouts of the tests flaky.
            args += ["--workers", "2"]
        before = len(replica.requests)
        result = invoke(*args, *extra)
        sent = [r for r in replica.requests[before:] if r[0] not in ("GET", "HEAD")]
        assert not sent, f"the checker sent something to the site: {sent}"
        assert out.exists(), f"no summary written (exit {result.exit_code}): {result.output}"
        return Verified(result, json.loads(out.read_text()), recordings)

    return run


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local incoming-webhook server that records the JSON bodies POSTed to it."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/secret", received
    server.shutdown()
    server.server_close()
