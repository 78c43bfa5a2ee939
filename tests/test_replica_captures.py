"""The replica's ``capture/<file-stem>`` family: real Meta captures served offline.

The captures live outside the project (``../shared/captures``); tests that need them are
skipped when that folder is absent. The browser test runs Chromium in its own thread.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from optout.replica import ReplicaServer, captures

CAPTURES = Path(__file__).resolve().parents[2] / "shared" / "captures"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# the three 2022 captures with a cookie dialog -> (dialog title, visible consent buttons)
DIALOGS = {
    "2022-03-06_fb-privacy-explanation_fr_cookie-manage-dialog": (
        "Accepter les cookies de Facebook dans ce navigateur",
        {"accept_button"},  # accept_only_essential_button is in the hidden manage dialog
    ),
    "2022-03-30_fb-privacy-explanation_fr_cookie-dialog": (
        "Autoriser l’utilisation des cookies de Facebook sur ce navigateur",
        {"accept_button", "accept_only_essential_button"},
    ),
    "2022-02-26_ig-terms_fr_cookie-manage-dialog": (
        "Accepter les cookies d’Instagram sur ce navigateur",
        {"accept_button"},  # no essential-only button at all
    ),
}
needs_captures = pytest.mark.skipif(
    not CAPTURES.is_dir(), reason=f"real captures folder {CAPTURES} is absent"
)


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    if not CAPTURES.is_dir():
        pytest.skip(f"real captures folder {CAPTURES} is absent")
    with ReplicaServer(port=0, captures_dir=CAPTURES) as srv:
        yield srv


# --- without the real captures -----------------------------------------------------------

SYNTHETIC = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="https://static.xx.fbcdn.net/a.css">
<link href="https://static.xx.fbcdn.net/b.js" rel="preload" as="script">
<link rel="manifest" href="/data/manifest/">
<script src="https://static.xx.fbcdn.net/c.js"></script>
<script>window.evil = 1;</script>
<style>.x{background:url(https://static.xx.fbcdn.net/i.png)}</style>
</head><body class="hasCookieBanner">
<div id="mount_0_0_x" aria-hidden="true"><div role="main"><h1>Page</h1>
<img src="https://scontent.xx.fbcdn.net/p.jpg" alt="p"><img src="/local.png" alt="l">
<a href="https://www.facebook.com/help/" onclick="require('x')">help</a></div></div>
<div role="dialog" data-testid="cookie-policy-manage-dialog"><button
 data-cookiebanner="accept_button">OK</button></div>
<noscript><img src="https://www.facebook.com/tr?id=1"></noscript>
</body></html>"""


def test_sanitize_removes_scripts_and_external_resources() -> None:
    """Scripts, handlers and off-site resources go; links, local images and the dialog stay."""
    out = captures.sanitize(SYNTHETIC)
    assert "evil" not in out and "c.js" not in out and "onclick" not in out
    assert "<link" not in out
    assert not re.search(r"""\s(src|srcset)=["']?(https?:)?//""", out)
    assert "url(https" not in out
    assert 'href="https://www.facebook.com/help/"' in out
    assert '<img src="/local.png"' in out
    assert 'data-cookiebanner="accept_button"' in out and "<noscript>" in out
    assert out.count("<script") == 1 and 'data-replica="cookie-dialog-emulator"' in out
    assert out.index("cookie-dialog-emulator") < out.index("</body>")


def test_captures_dir_argument_and_missing_capture(tmp_path: Path) -> None:
    """ReplicaServer(captures_dir=...) serves that folder; a missing capture is a 404 page."""
    (tmp_path / "one.html").write_text(SYNTHETIC, encoding="utf-8")
    with ReplicaServer(port=0, captures_dir=tmp_path) as srv:
        assert srv.captures_dir == tmp_path
        status, headers, body = get(srv.origin_for("capture/one") + "/privacy/genai?x=1")
        assert status == 200 and "<h1>Page</h1>" in body
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        for missing in ("/capture/two/", "/capture/..%2Fone/", "/capture/"):
            status, _, body = get(srv.url + missing)
            assert status == 404 and "capture/one" in body
        (tmp_path / "one.html").write_text("<html><body>changed</body></html>")
        assert "changed" in get(srv.origin_for("capture/one") + "/")[2]  # read per request


def test_default_captures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """../shared/captures beside the repository wins; else $OPTOUT_CAPTURES; else None."""
    fake_module = tmp_path / "repo" / "optout" / "replica" / "captures.py"
    monkeypatch.setattr(captures, "__file__", str(fake_module))
    monkeypatch.delenv("OPTOUT_CAPTURES", raising=False)
    assert captures.default_captures_dir() is None
    monkeypatch.setenv("OPTOUT_CAPTURES", str(tmp_path / "elsewhere"))
    assert captures.default_captures_dir() == tmp_path / "elsewhere"
    beside = tmp_path / "shared" / "captures"
    beside.mkdir(parents=True)
    assert captures.default_captures_dir() == beside
    assert ReplicaServer(port=0).captures_dir == beside


# --- with the real captures ---------------------------------------------------------------


@needs_captures
def test_real_captures_are_served_without_scripts(server: ReplicaServer) -> None:
    """Every capture answers with Meta's scripts and off-site resources removed."""
    stems = captures.available(CAPTURES)
    assert set(DIALOGS) <= set(stems)
    for stem in stems:
        status, _, body = get(server.origin_for(f"capture/{stem}") + "/privacy/genai")
        assert status == 200, stem
        assert body.count("<script") == 1 and "cookie-dialog-emulator" in body, stem
        assert not re.search(r"<link\b", body), stem
        assert not re.search(r"""\s(src|srcset|poster)\s*=\s*["']?\s*(https?:)?//""", body), stem


@needs_captures
def test_real_dialog_markup_present(server: ReplicaServer) -> None:
    """The 2022 dialog captures keep their consent buttons and manage dialog markup."""
    for stem, (title, visible) in DIALOGS.items():
        body = get(server.origin_for(f"capture/{stem}") + "/")[2]
        assert title in body.replace("&nbsp;", " "), stem
        for kind in visible:
            assert f'data-cookiebanner="{kind}"' in body, stem
    manage = 'data-testid="cookie-policy-manage-dialog" data-store-id'
    assert manage in get(server.origin_for(f"capture/{next(iter(DIALOGS))}") + "/")[2]


def _browser_check(base: str) -> dict[str, Any]:
    """In Chromium: which consent buttons are visible, and does one click close the dialog?"""
    from playwright.sync_api import sync_playwright

    report: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for stem, (title, _) in DIALOGS.items():
                page = browser.new_page()
                offsite: list[str] = []
                page.on(
                    "request",
                    lambda r, o=offsite: None if r.url.startswith(base) else o.append(r.url),
                )
                page.goto(f"{base}/capture/{stem}/privacy/policy/")
                visible = set()
                for kind in ("accept_only_essential_button", "accept_button", "manage_button"):
                    buttons = page.locator(f'[data-cookiebanner="{kind}"]')
                    if any(buttons.nth(i).is_visible() for i in range(buttons.count())):
                        visible.add(kind)
                before = title in page.inner_text("body").replace("\xa0", " ")
                kind = next(
                    k for k in ("accept_only_essential_button", "accept_button") if k in visible
                )
                page.locator(f'[data-cookiebanner="{kind}"]').locator("visible=true").first.click()
                report[stem] = {
                    "visible": visible - {"manage_button"},
                    "title_before": before,
                    "title_after": title in page.inner_text("body").replace("\xa0", " "),
                    "buttons_after": page.locator("[data-cookiebanner]").count(),
                    "offsite": offsite,
                    "url": page.url,
                }
                page.close()
        finally:
            browser.close()
    return report


@needs_captures
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_cookie_dialog_emulation_in_chromium(server: ReplicaServer) -> None:
    """Clicking the visible essential-only button (else accept) removes each 2022 dialog."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # keep clear of any running event loop
        report = pool.submit(_browser_check, server.url).result(timeout=90)
    for stem, (_, visible) in DIALOGS.items():
        seen = report[stem]
        assert seen["visible"] == visible, stem
        assert seen["title_before"] and not seen["title_after"], stem
        assert seen["buttons_after"] == 0, stem
        assert seen["offsite"] == [], stem
        assert seen["url"].endswith(f"/capture/{stem}/privacy/policy/"), stem
