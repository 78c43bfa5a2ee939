"""Text patterns of flows and what a locator describes, without a browser.

Text patterns are case-insensitive regular expressions. Before use, a pattern
is made tolerant of typography: a straight or curly apostrophe matches either,
and a space matches any kind of space (Meta writes `n’est` and uses
non-breaking spaces before French punctuation).
"""

from __future__ import annotations

import functools
import re
from typing import Any

APOSTROPHES = "'’‘ʼ`"
# Letters written two ways: Romanian's cedilla (ş ţ, older builds) and comma below (ș ț).
TWINS = {c: group for group in ("şș", "ţț", "ŞȘ", "ŢȚ") for c in group}
SPACES = " \u00a0\u202f\u2009"


def tolerant(pattern: str) -> str:
    """Rewrite a regex so apostrophes, spaces and twin letters match their variants."""
    out: list[str] = []
    in_class = False
    escaped = False
    added = ""  # the apostrophes already in the class being read (each goes in once)
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
                out.append(ch)
            elif ch in APOSTROPHES:
                # once each: a class that lists the same quote twice breaks Playwright's
                # selector parser when the locator is chained (`>> nth=0`)
                out.append("".join(a for a in APOSTROPHES if a not in added))
                added += APOSTROPHES
            elif ch == " ":
                out.append(SPACES)
            else:
                out.append(TWINS.get(ch, ch))
            continue
        if ch == "[":
            in_class, added = True, ""
            out.append(ch)
        elif ch in APOSTROPHES:
            out.append(f"[{APOSTROPHES}]")
        elif ch == " ":
            out.append(f"[{SPACES}]")
        elif ch in TWINS:
            out.append(f"[{TWINS[ch]}]")
        else:
            out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a flow text pattern: tolerant of typography, case-insensitive (cached: the
    locators poll the page several times a second with the same few patterns)."""
    return re.compile(tolerant(pattern), re.IGNORECASE)


def normalise(text: str) -> str:
    """Fold typographic apostrophes and spaces to their plain forms."""
    table = {ord(c): "'" for c in APOSTROPHES} | {ord(c): " " for c in SPACES}
    return text.translate(table)


# The fields a locator may use to find elements, in the order a person would prefer them.
FINDERS = ("role", "label", "text", "placeholder", "alt", "title", "testid", "css", "words")


def describe(spec: dict[str, Any]) -> str:
    """A short human description of one locator, e.g. `link "droit d.opposition"`."""
    if spec.get("role"):
        text = f"{spec['role']}"
        if spec.get("name"):
            text += f' "{spec["name"]}"'
        elif spec.get("words"):
            text += f" ({spec['words']} words)"
    elif spec.get("words"):
        text = f"{spec['words']} words"
    elif spec.get("css"):
        text = f"css {spec['css']}"
    elif spec.get("testid"):
        text = f"test id {spec['testid']}"
    else:
        kind = next((k for k in FINDERS if spec.get(k)), "text")
        text = f'{kind} "{spec.get(kind, "")}"'
    if spec.get("href"):
        text += f" → {spec['href']}"
    return text
