"""Builders shared by the tests: saved runs made from the real dataclasses, never by hand."""

from __future__ import annotations

import html
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from socketserver import BaseServer
from typing import Any

from optout.check.results import FlowResult, RunSummary, StepRecord, StepStatus
from optout.check.verdict import Verdict
from optout.store.runids import parse_run_id
from optout.store.writer import RESULT_JSON, RUN_JSON, evidence_dir

RUN_ID = "20261129T063000Z"
TOOL = {"name": "optout", "version": "0.1.0"}
BROWSER = {"name": "chromium", "version": "156.0"}
VERDICT_FIELDS = ("verdict", "expected", "changed_from")


def stamp(run_id: str) -> str:
    """The `started_at` of a run with this id: `2026-11-29T06:30:00Z`."""
    return parse_run_id(run_id).strftime("%Y-%m-%dT%H:%M:%SZ")


def flow_result(flow: str, verdict: str, locale: str = "fr-FR", **fields: Any) -> FlowResult:
    """A result as a run records it; verdict fields may be given as strings."""
    values: dict[str, Any] = {
        "flow": flow,
        "name": flow,
        "locale": locale,
        "verdict": verdict,
        "reason": f"{flow} is {verdict}",
        "rule": "test",
        "final_url": "https://www.facebook.com/",
        "attempt": 1,
        "started_at": stamp(RUN_ID),
        "duration_s": 1.0,
        "evidence": evidence_dir(flow, locale),
    }
    values.update(fields)
    for name in VERDICT_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = Verdict(values[name])
    return FlowResult(**values)


def step(index: int, description: str = "see the form", **fields: Any) -> StepRecord:
    """A step record that went well, unless told otherwise."""
    values: dict[str, Any] = {
        "index": index,
        "action": "see",
        "description": description,
        "status": StepStatus.OK,
        "duration_s": 0.1,
    }
    values.update(fields)
    return StepRecord(**values)


def run_summary(*results: FlowResult, run_id: str = RUN_ID, **fields: Any) -> RunSummary:
    """The summary of a run with these results, started at the time in its id."""
    values: dict[str, Any] = {
        "run_id": run_id,
        "started_at": stamp(run_id),
        "finished_at": stamp(run_id),
        "tool": dict(TOOL),
        "browser": dict(BROWSER),
        "results": list(results),
    }
    values.update(fields)
    return RunSummary(**values)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_run(
    recordings: Path, run_id: str, results: list[FlowResult], *, result_files: bool = False
) -> Path:
    """recordings/<run_id>/run.json as a run writes it (and each result.json if asked)."""
    folder = recordings / run_id
    folder.mkdir(parents=True)
    if result_files:
        for result in results:
            write_json(folder / result.evidence / RESULT_JSON, result.to_json())
    write_json(folder / RUN_JSON, run_summary(*results, run_id=run_id).to_json())
    return folder


def storage_state(path: Path, user: str = "100000000000001") -> Path:
    """A Playwright storage state with a logged-in-looking Facebook cookie `c_user=user`."""
    state = {
        "cookies": [
            {
                "name": "c_user",
                "value": user,
                "domain": ".facebook.com",
                "path": "/",
                "expires": -1,
                "httpOnly": False,
                "secure": True,
                "sameSite": "None",
            }
        ],
        "origins": [],
    }
    path.write_text(json.dumps(state))
    return path


# anything that would make the browser fetch a resource: a tag that loads one, a src that is
# not a data: URI (pictures drawn inline load nothing), a CSS import or url()
OFFSITE = r"<(link|iframe)\b|\bsrc=(?![\"']?data:)|@import|url\("


@dataclass
class Result:
    """A fetched response: status, headers and (HTML-unescaped) body text."""

    status: int
    headers: Message
    raw: str

    @property
    def text(self) -> str:
        return html.unescape(self.raw)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(
    url: str,
    lang: str = "en",
    method: str = "GET",
    cookie: str = "",
    timeout: float = 10,
) -> Result:
    """Fetch ``url`` without following redirects, with an Accept-Language for ``lang``."""
    headers = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8" if lang == "fr" else "en-US,en"}
    if cookie:
        headers["Cookie"] = cookie
    data = b"x=1" if method == "POST" else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Result(response.status, response.headers, response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        return Result(err.code, err.headers, err.read().decode("utf-8"))


@contextmanager
def serving(server: BaseServer) -> Iterator[None]:
    """Serve `server` in a daemon thread for the duration of the block, then close it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
