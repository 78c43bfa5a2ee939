"""A changed verdict is confirmed by a re-run before it counts; inconclusive is never a change."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import FLOWS, invoke

from optout.check.run import AttemptPolicy
from optout.check.verdict import Verdict
from optout.replica.scenarios import Incoming, route
from optout.store.records import read_result

A, M, B, U = Verdict.AVAILABLE, Verdict.MISSING, Verdict.BLOCKED, Verdict.UNREACHABLE
FORM_FLOW = FLOWS / "facebook-form.yaml"


@pytest.mark.parametrize(
    ("retries", "confirm", "last", "verdicts", "actions"),
    [
        (0, 1, A, [A], [None]),
        (0, 1, A, [M, M], ["confirm", None]),
        (0, 2, A, [M, M, M], ["confirm", "confirm", None]),
        (0, 1, A, [M, A], ["confirm", None]),
        (1, 1, A, [M, U, A], ["confirm", "retry", None]),
        (1, 1, A, [U, U], ["retry", None]),
        (0, 1, None, [M], [None]),
        (0, 0, A, [M], [None]),
        (2, 1, A, [B, M, M], ["retry", "confirm", None]),
    ],
)
def test_attempt_policy(
    retries: int,
    confirm: int,
    last: Verdict | None,
    verdicts: list[Verdict],
    actions: list[str | None],
) -> None:
    """Inconclusive verdicts are retried, changes confirmed, and everything else stops."""
    policy = AttemptPolicy(retries=retries, confirm=confirm, last=last)
    assert [policy.after(v) for v in verdicts] == actions


def test_confirmed_change_exits_1_with_both_attempts(verify: Any, tmp_path: Path) -> None:
    """Available yesterday, missing twice today: a confirmed change, exit 1, two attempts kept."""
    recordings = tmp_path / "rec"
    verify(FORM_FLOW, "form-available", recordings=recordings)
    run = verify(FORM_FLOW, "form-missing", recordings=recordings)
    result = run.only()
    assert (result["verdict"], result["change"], result["changed_from"]) == (
        "missing",
        True,
        "available",
    )
    assert (result["attempts"], result["confirmations"], run.exit_code) == (2, 1, 1)
    first = read_result(run.run_dir / result["evidence"] / "attempt-1" / "result.json")
    assert first is not None and first.verdict is Verdict.MISSING


def test_inconclusive_is_never_a_change(verify: Any, tmp_path: Path) -> None:
    """A page that fails to load after an available day is not a change and is not re-run."""
    recordings = tmp_path / "rec"
    verify(FORM_FLOW, "form-available", recordings=recordings)
    run = verify(FORM_FLOW, "http-500", recordings=recordings)
    result = run.only()
    assert (result["change"], result["attempts"], run.exit_code) == (False, 1, 4)


@pytest.fixture
def flip_server() -> Iterator[str]:
    """A replica that shows the unavailable page to the first form request only."""
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            scenario = (
                "form-missing"
                if not served and "/help/contact/" in parts.path
                else ("form-available")
            )
            served.append(scenario)
            reply = route(
                Incoming(
                    "GET",
                    scenario,
                    parts.path,
                    parts.query,
                    self.headers.get("Accept-Language", ""),
                )
            )
            body = reply.body.encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_unconfirmed_change_does_not_count(
    verify: Any, tmp_path: Path, flip_server: str, webhook: tuple[str, list[Any]]
) -> None:
    """Missing once then available again: the change is not confirmed, exit 0, nothing alerts."""
    recordings = tmp_path / "rec"
    verify(FORM_FLOW, "form-available", recordings=recordings)
    out = tmp_path / "s.json"
    result = invoke(
        "verify",
        FORM_FLOW,
        "--locale",
        "en-GB",
        "--recordings",
        recordings,
        "--map-origin",
        f"https://www.facebook.com={flip_server}",
        "--json",
        out,
        "--timeout",
        "4",
        "--notify",
        webhook[0],
    )
    summary = json.loads(out.read_text())["results"][0]
    assert (summary["verdict"], summary["change"], summary["attempts"]) == ("available", False, 2)
    assert result.exit_code == 0
    assert webhook[1] == []  # nothing posted
