"""Small pure pieces: origin maps, text patterns, atomic writes, run folders."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from optout.browser.origins import MappingError, OriginMap, _stub
from optout.flow.patterns import compile_pattern, normalise, tolerant
from optout.store.writer import (
    create_run_folder,
    run_folders,
    step_file,
    write_atomic,
    write_json,
)

MAP = OriginMap.parse("https://www.facebook.com=http://127.0.0.1:8765/scenario/form-missing")


@pytest.mark.parametrize(
    ("url", "mapped"),
    [
        (
            "https://www.facebook.com/help/contact/123?x=1",
            "http://127.0.0.1:8765/scenario/form-missing/help/contact/123?x=1",
        ),
        ("https://www.facebook.com", "http://127.0.0.1:8765/scenario/form-missing/"),
        ("https://WWW.facebook.com/a", "http://127.0.0.1:8765/scenario/form-missing/a"),
        ("https://fr-fr.facebook.com/a", None),
        ("http://www.facebook.com/a", None),
    ],
)
def test_origin_map_forward(url: str, mapped: str | None) -> None:
    """FROM URLs keep their path and query under TO's prefix; other origins are not mapped."""
    assert MAP.forward(url) == mapped


@pytest.mark.parametrize(
    ("url", "back"),
    [
        (
            "http://127.0.0.1:8765/scenario/form-missing/login/?next=x",
            "https://www.facebook.com/login/?next=x",
        ),
        ("http://127.0.0.1:8765/scenario/form-missing", "https://www.facebook.com/"),
        ("http://127.0.0.1:8765/scenario/other/login/", None),
        ("http://127.0.0.1:9999/scenario/form-missing/a", None),
    ],
)
def test_origin_map_back(url: str, back: str | None) -> None:
    """Redirects into TO map back to FROM; anything outside TO's prefix does not."""
    assert MAP.back(url) == back


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("https://www.facebook.com", "expected FROM=TO"),
        ("www.facebook.com=http://x", "FROM must be an http(s) origin"),
        ("https://www.facebook.com=ftp://x", "TO must be an http(s) origin"),
        ("https://www.facebook.com/path=http://x", "FROM must be an origin without a path"),
        ("https://www.facebook.com=http://x/?q=1", "TO cannot have a query or fragment"),
    ],
)
def test_origin_map_parse_errors(text: str, error: str) -> None:
    """Malformed --map-origin values are refused with a message that says why."""
    with pytest.raises(MappingError, match=re.escape(error)):
        OriginMap.parse(text)


def test_redirect_stub_cannot_be_broken_out_of() -> None:
    """The redirect page embeds the target as a JSON string; markup in it cannot escape."""
    page = _stub("https://www.facebook.com/x?a=</script><script>alert(1)</script>")
    assert "</script><script>alert(1)" not in page
    assert page.count("<script>") == 1


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("ce contenu n'est pas disponible", "Ce contenu n’est pas disponible pour le moment"),
        ("this content isn’t available", "This content isn't available right now"),
        ("droit d.opposition", "droit d’opposition"),
        ("refuser les cookies", "Refuser\u00a0les cookies optionnels"),
        ("[’ ]x", "' x"),
    ],
)
def test_patterns_fold_typography(pattern: str, text: str) -> None:
    """Patterns match curly and straight apostrophes and any kind of space, case-insensitively."""
    assert compile_pattern(pattern).search(text)


def test_tolerant_keeps_escapes_and_classes() -> None:
    """Escaped characters and character classes survive the rewrite."""
    assert re.fullmatch(tolerant(r"a\'b"), "a'b")
    assert re.fullmatch(tolerant("[a']"), "’")
    assert normalise("n’est\u00a0pas") == "n'est pas"


def test_write_atomic_keeps_old_content_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way leaves the previous file whole and no temporary file."""
    target = tmp_path / "run.json"
    write_json(target, {"old": True})

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, '{"new": tru')
    assert json.loads(target.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_run_folders_get_a_suffix_when_taken(tmp_path: Path) -> None:
    """Two runs in the same second get `-2`; only complete runs (with run.json) are listed."""
    first = create_run_folder(tmp_path, "20261129T063000Z")
    second = create_run_folder(tmp_path, "20261129T063000Z")
    assert (first.name, second.name) == ("20261129T063000Z", "20261129T063000Z-2")
    write_json(second / "run.json", {})
    assert run_folders(tmp_path) == [second]


def test_step_file_names() -> None:
    """Screenshots are numbered and named after the step's action."""
    assert step_file(1, "open-start") == "01-open-start.png"
    assert step_file(12, "check-form") == "12-check-form.png"


def test_default_workers_follow_cores_and_memory() -> None:
    """--workers defaults to 3 per core, fewer when memory is short, never more than 8."""
    from optout.check.workers import default_workers

    gib = 2**30
    assert default_workers(cores=2, memory=24 * gib) == 6
    assert default_workers(cores=1, memory=24 * gib) == 3
    assert default_workers(cores=16, memory=64 * gib) == 8
    assert default_workers(cores=8, memory=1 * gib) == 2
    assert default_workers(cores=4, memory=100 * 2**20) == 1


class _FakeRequest:
    """Just enough of a Playwright request for MainDocument's event handlers."""

    def __init__(self, url: str, frame: object, failure: str | None = None) -> None:
        self.url, self.frame, self.failure = url, frame, failure
        self.redirected_from = self.redirected_to = None

    def is_navigation_request(self) -> bool:
        return True


class _FakePage:
    def __init__(self) -> None:
        self.main_frame = object()
        self.handlers: dict[str, object] = {}

    def on(self, event: str, handler: object) -> None:
        self.handlers[event] = handler


def test_an_answered_document_cut_short_by_the_next_navigation_is_no_failure() -> None:
    """A page whose response arrived and whose body the next navigation aborted (a stub
    redirect's page, under load) is not recorded as a failed navigation after the next page's
    answer; a navigation aborted before any answer still is."""
    from types import SimpleNamespace

    from optout.check.navigation import MainDocument
    from optout.check.verdict import Signals

    page = _FakePage()
    doc = MainDocument(page, None, Signals())  # type: ignore[arg-type]
    answered = _FakeRequest("https://a.example/", page.main_frame)
    doc._on_request(answered)  # type: ignore[arg-type]
    doc._on_response(SimpleNamespace(request=answered, url=answered.url, status=200))  # type: ignore[arg-type]
    answered.failure = "net::ERR_ABORTED"
    doc._on_request_failed(answered)  # type: ignore[arg-type]
    never = _FakeRequest("https://b.example/", page.main_frame, "net::ERR_ABORTED")
    doc._on_request(never)  # type: ignore[arg-type]
    doc._on_request_failed(never)  # type: ignore[arg-type]
    assert [(n.url, n.status, n.error) for n in doc.navigations] == [
        ("https://a.example/", 200, None),
        ("https://b.example/", None, "net::ERR_ABORTED"),
    ]
    assert not doc.pending and not doc.in_flight
