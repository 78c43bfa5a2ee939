"""Serve real captures of Meta pages (``/capture/<file-stem>/<any path>``) safely offline.

The captures are HTML files kept outside the project (``../shared/captures`` beside the
repository, or ``$OPTOUT_CAPTURES``); they are read at request time, never copied. Before
serving, Meta's scripts, inline event handlers and every external resource are removed
or neutralised, and a small script emulating Meta's cookie-dialog JavaScript is injected.
A Content-Security-Policy header keeps the browser off the network even if something
slipped through.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from optout.replica.messages import Reply
from optout.replica.pages import plain_page

CAPTURE_FAMILY: Final = "capture"
CAPTURES_ENV: Final = "OPTOUT_CAPTURES"
CAPTURE_CSP: Final = (
    "default-src 'self' data:; script-src 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'none'; frame-src 'none'; "
    "object-src 'none'; form-action 'none'; base-uri 'none'"
)

_STEM: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SCRIPT: Final = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.S | re.I)
_LINK: Final = re.compile(r"<link\b[^>]*>", re.I)
_BASE_OR_REFRESH: Final = re.compile(
    r"""<base\b[^>]*>|<meta\b[^>]*http-equiv\s*=\s*["']?refresh[^>]*>""", re.I
)
# src / srcset / poster / data (object) attributes pointing off-site -> data-replica-*
_EXTERNAL_ATTR: Final = re.compile(
    r"""(\s)(src|srcset|poster|data|background)(\s*=\s*)"""
    r"""("\s*(?:https?:)?//[^"]*"|'\s*(?:https?:)?//[^']*'|(?:https?:)?//[^\s>]+)""",
    re.I,
)
_CSS_URL: Final = re.compile(r"""url\(\s*(?:&quot;|["'])?\s*(?:https?:)?//[^)]*\)""", re.I)
_CSS_IMPORT: Final = re.compile(r"""@import\s+(?:&quot;|["'])\s*(?:https?:)?//[^;]*;""", re.I)
# inline event handlers (onclick=, onload=...) inside tags; they call Meta's removed code
_HANDLER: Final = re.compile(r"""(<[a-zA-Z][^<>]*?)\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*')""")

EMULATOR: Final = """<script data-replica="cookie-dialog-emulator">
(function () {
  var MANAGE = '[data-testid="cookie-policy-manage-dialog"]';
  var CONTAINERS = '[role="dialog"], ' + MANAGE;
  var BANNERS = '[role="alert"], #header-notices, .fbPageBanner, [data-nosnippet]';
  var TRIGGERS = '[data-cookiebanner], ' + MANAGE + ' button, ' + MANAGE + ' [role="button"]';
  function isOverlay(el) {
    if (!el || el === document.body || el === document.documentElement) { return false; }
    if (el.children.length !== 1) { return false; }
    var pos = getComputedStyle(el).position;
    if (pos !== "fixed" && pos !== "absolute") { return false; }
    var r = el.getBoundingClientRect();
    return r.width >= window.innerWidth * 0.9 && r.height >= window.innerHeight * 0.9;
  }
  function containerOf(el) {
    var c = el.closest(CONTAINERS) || el.closest(BANNERS);
    if (!c) { return null; }
    while (isOverlay(c.parentElement)) { c = c.parentElement; }
    return c;
  }
  function openManage() {
    var m = document.querySelector(MANAGE);
    if (!m || m.style.display !== "none") { return false; }
    m.style.cssText = "position:fixed;inset:0;z-index:2147483000;overflow:auto;background:#fff";
    return true;
  }
  function dismiss(el) {
    var c = containerOf(el);
    if (c) { c.remove(); }
    document.querySelectorAll(MANAGE).forEach(function (m) { m.remove(); });
    document.querySelectorAll("[data-cookiebanner]").forEach(function (b) {
      var other = containerOf(b);
      if (other) { other.remove(); }
    });
    document.querySelectorAll('[aria-hidden="true"]').forEach(function (n) {
      if (n.parentElement === document.body || /^mount_/.test(n.id || "") ||
          n.querySelector('[role="main"], main, h1, form')) {
        n.removeAttribute("aria-hidden");
      }
    });
    document.body.classList.remove("hasCookieBanner");
  }
  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target.closest(TRIGGERS) : null;
    if (!t) { return; }
    if (!t.hasAttribute("data-cookiebanner") &&
        (t.hasAttribute("aria-expanded") || t.getAttribute("title") === "expandable section")) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (t.getAttribute("data-cookiebanner") === "manage_button" && openManage()) { return; }
    dismiss(t);
  }, true);
  document.addEventListener("submit", function (e) { e.preventDefault(); }, true);
})();
</script>
"""


def default_captures_dir() -> Path | None:
    """``../shared/captures`` beside the repository if it exists, else ``$OPTOUT_CAPTURES``."""
    beside = Path(__file__).resolve().parents[2].parent / "shared" / "captures"
    if beside.is_dir():
        return beside
    env = os.environ.get(CAPTURES_ENV)
    return Path(env) if env else None


def available(captures_dir: Path | None) -> list[str]:
    """The file stems that ``/capture/<stem>/`` can serve, sorted."""
    if captures_dir is None or not captures_dir.is_dir():
        return []
    return sorted(p.stem for p in captures_dir.glob("*.html") if _STEM.match(p.stem))


def capture_file(captures_dir: Path | None, stem: str) -> Path | None:
    """The capture file for ``stem``, or None (unknown stem, bad name, no directory)."""
    if captures_dir is None or not _STEM.match(stem):
        return None
    path = captures_dir / f"{stem}.html"
    return path if path.is_file() else None


def _strip_handlers(html: str) -> str:
    previous = None
    while previous != html:  # a tag can carry several handlers
        previous, html = html, _HANDLER.sub(r"\1", html)
    return html


def sanitize(html: str) -> str:
    """Remove scripts and handlers, neutralise external resources, add the emulator."""
    html = _SCRIPT.sub("", html)
    html = _LINK.sub("", html)  # no <link> fetches anything, or points anywhere
    html = _BASE_OR_REFRESH.sub("", html)
    html = _EXTERNAL_ATTR.sub(r"\1data-replica-\2\3\4", html)
    html = _CSS_IMPORT.sub("", html)
    html = _CSS_URL.sub('url("data:,")', html)
    html = _strip_handlers(html)
    cut = html.lower().rfind("</body>")
    if cut < 0:
        return html + EMULATOR
    return html[:cut] + EMULATOR + html[cut:]


def load(captures_dir: Path | None, stem: str) -> str | None:
    """The sanitised capture ``stem``, read now from ``captures_dir``; None when missing."""
    path = capture_file(captures_dir, stem)
    if path is None:
        return None
    return sanitize(path.read_text(encoding="utf-8", errors="replace"))


def page_reply(stem: str, captures_dir: Path | None) -> Reply:
    """A real capture answering one page of a scenario; a 404 plain page without it."""
    body = load(captures_dir, stem)
    if body is None:
        where = str(captures_dir) if captures_dir else "no captures directory configured"
        text = f"This scenario needs the real capture {stem!r}, not found in {where}."
        return Reply(404, plain_page("404 Missing capture", text))
    return Reply(200, body, {"Content-Security-Policy": CAPTURE_CSP})


def reply(rest: str, captures_dir: Path | None) -> Reply:
    """``/capture/<stem>/<any path>``: the sanitised capture, or a 404 plain page."""
    stem = rest.strip("/").partition("/")[0]
    body = load(captures_dir, stem) if stem else None
    if body is not None:
        return Reply(200, body, {"Content-Security-Policy": CAPTURE_CSP})
    names = available(captures_dir)
    known = {f"{CAPTURE_FAMILY}/{name}": "real capture" for name in names}
    where = str(captures_dir) if captures_dir else "no captures directory configured"
    text = f"No capture named {stem!r} in {where}." + (" Available:" if known else "")
    return Reply(404, plain_page("404 Unknown capture", text, known))
