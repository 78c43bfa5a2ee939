"""Meta-looking generated class names and the small inline stylesheet that uses them.

Meta's pages carry long lists of generated "atomic" class names (``x9f619 x1n2onr6 ...``).
The replica mimics that: :func:`cx` maps a semantic key (``"card"``) to a stable,
generated-looking class list, and :data:`CSS` styles the first class of each list.
"""

from __future__ import annotations

import hashlib
from typing import Final

# Real Meta atomic names that appear on almost every element; harmless here (box-sizing).
_COMMON: Final = "x9f619 x1n2onr6 x1ja2u2z"

_RULES: Final[dict[str, str]] = {
    "body": (
        "margin:0;background:#f0f2f5;color:#1c1e21;"
        "font-family:Helvetica,Arial,'Segoe UI',sans-serif;font-size:15px;line-height:1.34"
    ),
    "topbar": (
        "position:sticky;top:0;z-index:5;display:flex;align-items:center;height:56px;"
        "padding:0 16px;background:#1877f2;box-shadow:0 2px 4px rgba(0,0,0,.2)"
    ),
    "wordmark": (
        "color:#fff;font-size:30px;font-weight:700;letter-spacing:-1.2px;text-decoration:none;"
        "font-family:Helvetica,Arial,sans-serif"
    ),
    "subbrand": "color:#fff;font-size:17px;font-weight:600;margin-left:14px;opacity:.92",
    "topnav": "margin-left:auto;display:flex;gap:18px",
    "navlink": "color:#fff;font-size:14px;font-weight:600;text-decoration:none",
    "topform": "display:flex;align-items:center;gap:8px;margin:0",
    "toplabel": "display:inline-flex",
    "topinput": (
        "border:1px solid #ccd0d5;border-radius:6px;padding:6px 10px;font-size:14px;width:150px;"
        "font-family:inherit;background:#fff;color:#1c1e21"
    ),
    "toplogin": (
        "background:#42b72a;color:#fff;border:0;border-radius:6px;padding:7px 14px;"
        "font-size:14px;font-weight:700;cursor:pointer;font-family:inherit"
    ),
    "sronly": (
        "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
        "white-space:nowrap"
    ),
    "main": "max-width:760px;margin:24px auto;padding:0 16px",
    "wide": "max-width:980px;margin:24px auto;padding:0 16px",
    "card": (
        "background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.2);"
        "padding:20px 24px;margin-bottom:16px"
    ),
    "center": "text-align:center",
    "h1": "font-size:28px;line-height:34px;font-weight:700;margin:4px 0 12px",
    "h2": "font-size:22px;line-height:28px;font-weight:700;margin:8px 0 10px",
    "h3": "font-size:17px;line-height:22px;font-weight:600;margin:18px 0 6px",
    "text": "font-size:15px;line-height:20px;margin:8px 0",
    "muted": "color:#65676b;font-size:14px",
    "link": "color:#216fdb;text-decoration:none;font-weight:600",
    "banner": (
        "background:#e7f3ff;border:1px solid #b9d6fb;border-left:4px solid #1877f2;"
        "border-radius:8px;padding:14px 18px;margin-bottom:16px"
    ),
    "field": "display:flex;flex-direction:column;margin:0 0 16px",
    "label": "font-weight:600;font-size:15px;margin-bottom:6px",
    "input": (
        "border:1px solid #ccd0d5;border-radius:6px;padding:10px 12px;font-size:15px;"
        "font-family:inherit;background:#fff;color:#1c1e21"
    ),
    "textarea": "min-height:96px;resize:vertical",
    "actions": "display:flex;justify-content:flex-end;gap:8px;margin-top:8px",
    "actionsleft": "display:flex;gap:8px;margin-top:12px;flex-wrap:wrap",
    "primary": (
        "display:inline-block;background:#1877f2;color:#fff;border:0;border-radius:6px;"
        "padding:9px 24px;font-size:15px;font-weight:600;cursor:pointer;text-align:center;"
        "text-decoration:none;font-family:inherit"
    ),
    "secondary": (
        "display:inline-block;background:#e4e6eb;color:#050505;border:0;border-radius:6px;"
        "padding:9px 24px;font-size:15px;font-weight:600;cursor:pointer;text-align:center;"
        "text-decoration:none;font-family:inherit"
    ),
    "block": "display:block;width:100%;box-sizing:border-box",
    "icon": (
        "width:112px;height:112px;margin:16px auto;border-radius:50%;background:#e4e6eb;"
        "display:flex;align-items:center;justify-content:center;color:#8a8d91;"
        "font-size:56px;font-weight:700"
    ),
    "overlay": (
        "position:fixed;inset:0;z-index:100;background:rgba(244,244,244,.82);display:flex;"
        "align-items:center;justify-content:center"
    ),
    "dialog": (
        "background:#fff;border-radius:8px;width:560px;max-width:92vw;max-height:82vh;"
        "overflow:auto;box-shadow:0 12px 28px rgba(0,0,0,.2),0 2px 4px rgba(0,0,0,.1);"
        "padding:20px 24px"
    ),
    "dialogbuttons": "display:flex;flex-direction:column;gap:8px;margin-top:16px",
    "spinner": (
        "width:40px;height:40px;margin:120px auto;border:4px solid #e4e6eb;"
        "border-top-color:#1877f2;border-radius:50%;animation:rspin 0.9s linear infinite"
    ),
    "toc": "columns:2;margin:8px 0 0;padding-left:18px",
    "footer": "max-width:760px;margin:24px auto 40px;padding:0 16px;color:#8a8d91;font-size:12px",
    "login": "max-width:396px;margin:40px auto;padding:0 16px",
    "sep": "border:0;border-top:1px solid #dadde1;margin:20px 0",
    "tile": (
        "display:block;background:#f7f8fa;border-radius:8px;padding:14px 16px;margin:8px 0;"
        "color:#1c2b33;text-decoration:none"
    ),
    # WhatsApp's Help Center and contact form
    "wa_topbar": (
        "position:sticky;top:0;z-index:5;display:flex;align-items:center;height:60px;"
        "padding:0 24px;background:#fff;border-bottom:1px solid #e9edef"
    ),
    "wa_wordmark": "color:#25d366;font-size:26px;font-weight:700;text-decoration:none",
    "wa_navlink": "color:#111b21;font-size:15px;font-weight:500;text-decoration:none",
    "wa_primary": (
        "display:inline-block;background:#25d366;color:#111b21;border:0;border-radius:24px;"
        "padding:10px 28px;font-size:15px;font-weight:600;cursor:pointer;font-family:inherit"
    ),
    "wa_banner": (
        "position:fixed;left:0;right:0;bottom:0;z-index:100;background:#fff;padding:20px 24px;"
        "box-shadow:0 -2px 12px rgba(0,0,0,.15)"
    ),
    # Meta's 2026 cookie dialog: the disabled copies of its buttons look greyed out
    "disabled": "opacity:.45;cursor:default",
}


def _name(key: str, salt: str = "") -> str:
    digest = hashlib.sha1(f"{salt}{key}".encode()).hexdigest()
    return "x" + format(int(digest[:10], 16), "x")[:7].lstrip("0")


_NAMES: Final[dict[str, str]] = {key: _name(key) for key in _RULES}


def cx(*keys: str) -> str:
    """Return a Meta-style class attribute value for the semantic ``keys``."""
    classes = [_COMMON]
    for key in keys:
        classes.append(_NAMES[key])
        classes.append(_name(key, "a"))
    return " ".join(classes)


def _stylesheet() -> str:
    parts = [f".{_NAMES[key]}{{{rule}}}" for key, rule in _RULES.items() if key != "body"]
    parts.insert(0, f"body{{{_RULES['body']}}}")
    parts.append(".x9f619{box-sizing:border-box}")
    parts.append("@keyframes rspin{to{transform:rotate(360deg)}}")
    parts.append("a:hover{text-decoration:underline}")
    return "\n".join(parts)


CSS: Final[str] = _stylesheet()
