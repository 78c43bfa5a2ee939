"""Chat notifications: which messages a run produces, their text, and posting them."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import RUN_ID, run_summary, write_run
from helpers import flow_result as result

from optout.outputs.notify import Message, messages, post
from optout.store.history import inconclusive_streak


def test_a_change_gives_one_message_with_readable_text() -> None:
    """A result with `change` true becomes a message whose text reads as is in a chat."""
    data = run_summary(
        result("facebook-form", "missing", change=True, changed_from="available", reason="gone"),
        result("facebook-policy", "available"),
    )
    (message,) = messages(data, {}, None)
    assert (message.kind, message.from_, message.to) == ("change", "available", "missing")
    assert message.text == (
        "optout: facebook-form fr-FR changed available → missing: gone "
        f"(run {RUN_ID}, evidence facebook-form/fr-FR)"
    )


def test_to_json_has_text_and_fields() -> None:
    """The JSON body carries `text` for the chat and the plain fields for scripts."""
    data = run_summary(result("facebook-form", "missing", change=True, changed_from="available"))
    body = messages(data, {}, None)[0].to_json()
    assert json.loads(json.dumps(body)) == body
    assert body["text"].startswith("optout: facebook-form fr-FR changed available → missing")
    assert {k: body[k] for k in ("kind", "flow", "locale", "from", "to", "run_id", "streak")} == {
        "kind": "change",
        "flow": "facebook-form",
        "locale": "fr-FR",
        "from": "available",
        "to": "missing",
        "run_id": RUN_ID,
        "streak": None,
    }
    assert body["evidence"] == "facebook-form/fr-FR"


def test_stale_fires_exactly_at_the_threshold() -> None:
    """An inconclusive streak equal to `stale_after` gives one message; below or above, none."""
    data = run_summary(result("instagram-form", "unreachable"))
    key = ("instagram-form", "fr-FR")
    assert messages(data, {key: 2}, 3) == []
    (message,) = messages(data, {key: 3}, 3)
    assert (message.kind, message.to, message.streak, message.from_) == (
        "stale",
        "unreachable",
        3,
        None,
    )
    assert message.text == (
        "optout: instagram-form fr-FR inconclusive for 3 runs (unreachable): "
        f"instagram-form is unreachable (run {RUN_ID}, evidence instagram-form/fr-FR)"
    )
    assert messages(data, {key: 4}, 3) == []


def test_stale_is_off_without_a_threshold_and_for_conclusive_results() -> None:
    """No `stale_after`, a threshold below 1, or a conclusive verdict: no stale message."""
    data = run_summary(result("instagram-form", "blocked"), result("facebook-form", "available"))
    stale = {("instagram-form", "fr-FR"): 1, ("facebook-form", "fr-FR"): 1}
    assert messages(data, stale, None) == []
    assert messages(data, {("instagram-form", "fr-FR"): 0}, 0) == []
    assert [m.flow for m in messages(data, stale, 1)] == ["instagram-form"]


def test_a_run_without_changes_or_stale_flows_gives_no_messages() -> None:
    """No results, or only results neither changed nor stale: nothing to tell."""
    assert messages(run_summary(), {}, 1) == []
    assert messages(run_summary(result("f", "available"), result("g", "missing")), {}, 1) == []


def test_stale_from_recorded_runs_fires_once(tmp_path: Path) -> None:
    """With the streak read from recordings, a stale message comes on day 2 only, not day 3."""
    sent = []
    for day, verdict in enumerate(["available", "blocked", "blocked", "blocked"], start=20):
        run_id = f"202605{day}T063000Z"
        write_run(tmp_path, run_id, [result("facebook-form", verdict)])
        run = run_summary(result("facebook-form", verdict), run_id=run_id)
        sent += [m.run_id for m in messages(run, inconclusive_streak(tmp_path), 2)]
    assert sent == ["20260522T063000Z"]


class Hook:
    """A local webhook that records what it was sent and answers with a fixed status."""

    def __init__(self, status: int) -> None:
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                hook.requests.append((self.path, self.headers["Content-Type"], body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/SECRET"


@pytest.fixture
def hook(request: pytest.FixtureRequest) -> Iterator[Hook]:
    """A webhook on 127.0.0.1 (status 200, or the test's `status` parameter)."""
    server = Hook(getattr(request, "param", 200))
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)


def two_messages() -> list[Message]:
    """A change and a stale message."""
    data = run_summary(
        result("facebook-form", "missing", change=True, changed_from="available"),
        result("instagram-form", "broken"),
    )
    found = messages(data, {("instagram-form", "fr-FR"): 5}, 5)
    assert len(found) == 2
    return found


def test_post_sends_each_message_as_json(hook: Hook) -> None:
    """Each message is one POST with a JSON body and Content-Type application/json."""
    sent = two_messages()
    assert post(hook.url, sent, timeout=5) == []
    assert [(path, ctype) for path, ctype, _ in hook.requests] == [
        ("/hooks/SECRET", "application/json"),
        ("/hooks/SECRET", "application/json"),
    ]
    assert [body for _, _, body in hook.requests] == [m.to_json() for m in sent]


@pytest.mark.parametrize("hook", [500], indirect=True)
def test_post_returns_http_errors_without_the_secret_path(hook: Hook) -> None:
    """A 500 answer becomes an error string per message, naming only scheme and host."""
    errors = post(hook.url, two_messages(), timeout=5)
    assert len(errors) == 2 and len(hook.requests) == 2
    assert all("HTTP 500" in e and "127.0.0.1" in e and "SECRET" not in e for e in errors)
    assert "change facebook-form fr-FR" in errors[0]


def test_post_to_a_closed_port_returns_errors() -> None:
    """A refused connection is reported, not raised."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    errors = post(f"http://127.0.0.1:{port}/hook", two_messages(), timeout=5)
    assert len(errors) == 2
    assert all("refused" in e.lower() for e in errors)


def test_post_rejects_non_http_urls_and_sends_nothing_for_no_messages(tmp_path: Path) -> None:
    """A file: or malformed URL is an error (never read), and no messages means no request."""
    (tmp_path / "x").write_text("{}", "utf-8")
    assert post((tmp_path / "x").as_uri(), two_messages()) == [
        "notify: not an http(s) URL: file://"
    ]
    assert post("not a url", two_messages()) != []
    assert post("http://127.0.0.1:1/never", []) == []
