"""Meta's own wording in each EU/EEA language: the catalogue, kept as data.

One YAML file per language in `optout/flow/catalogue/` holds, for each kind of words (a
*key*: `unavailable`, `error`, `wall`, `consent_decline`, `email`...), Meta's strings as a
source shows them, each with its confidence and its source. Flows name a key (`words:
unavailable`) instead of spelling the words, so that one flow works in every language and
no regex is copied into nine flows.

Two rules keep the verdicts honest:

- a key that can make a verdict conclusive (`unavailable`) is looked for in the page's own
  language only, and only with entries of confidence C or L: `missing` never rests on a
  string in another language or on a guess;
- the keys that keep a page inconclusive (errors, walls, the "may need to log in" note) and
  the consent-dialog keys are looked for in every language at once: a failure in a language
  the run did not ask for must still not read as an absence.

Nothing here was translated by us; `docs/locales.md` shows the table, `optout list
--locales` prints it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from optout.flow.patterns import compile_pattern, normalise

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

Conf = Literal["C", "L", "U"]


@dataclass(frozen=True)
class Key:
    """One kind of words: what it means, and where it is looked for."""

    meaning: str
    everywhere: bool = False
    """Looked for in every language at once (only keys that never make a verdict conclusive)."""
    conclusive: bool = False
    """Can make a verdict `missing`: page language only, confidence C or L only."""


KEYS: dict[str, Key] = {
    "unavailable": Key("Meta's \"this content isn't available\" page", conclusive=True),
    "error": Key('Meta\'s error screens: "technical error, try reloading"', everywhere=True),
    "wall": Key("a login wall's own words", everywhere=True),
    "rate_limit": Key('the rate-limit page ("temporarily blocked")', everywhere=True),
    "checkpoint": Key("a checkpoint or captcha", everywhere=True),
    "needs_login": Key('"you may need to be logged in to see the forms"', everywhere=True),
    "consent_title": Key("the cookie dialog's title", everywhere=True),
    "consent_decline": Key("the cookie dialog's decline button", everywhere=True),
    "consent_accept": Key("the cookie dialog's accept button", everywhere=True),
    "email": Key("the e-mail field's label"),
    "phone": Key("the phone field's label"),
    "send": Key("the form's submit button"),
    "next": Key("the pre-form's Next button"),
    "preform": Key("the pre-form's question"),
    "object": Key("the right-to-object link"),
    "policy": Key("the privacy policy's title"),
    "ai": Key('"AI at Meta" and the AI notification'),
    "wa_article": Key("the WhatsApp article's title"),
    "contact": Key("the WhatsApp article's contact link"),
    "refresh": Key("the error screen's Refresh button (not looked for)"),
}
ALIASES = {"no": "nb", "nn": "nb"}
"""Language subtags Meta may write for a catalogue language (Norwegian)."""
TRAILING = ".?!:;… "


class Entry(BaseModel):
    """One of Meta's strings, as its source shows it, and what optout looks for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    match: tuple[str, ...] = Field(
        default=(), description="patterns looked for; each must match `text` (default: it)"
    )
    conf: Conf
    source: str = Field(min_length=3)
    note: str | None = None

    @model_validator(mode="after")
    def _matches_its_text(self) -> Entry:
        text = normalise(self.text)
        for pattern in self.patterns():
            try:
                compiled = compile_pattern(pattern)
            except re.error as exc:
                raise ValueError(f"invalid pattern {pattern!r}: {exc}") from None
            if not compiled.search(text):
                raise ValueError(f"pattern {pattern!r} does not match its text {self.text!r}")
        return self

    def patterns(self) -> tuple[str, ...]:
        """What is looked for: `match`, or the text itself without its final punctuation."""
        return self.match or (re.escape(self.text.rstrip(TRAILING)).replace("\\ ", " "),)


class Language(BaseModel):
    """The catalogue file of one language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field(pattern=r"^[a-z]{2,3}$")
    name: str
    native: str
    locale: str = Field(pattern=r"^[a-z]{2,3}-[A-Z]{2}$")
    words: dict[str, tuple[Entry, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_keys(self) -> Language:
        unknown = sorted(set(self.words) - set(KEYS))
        if unknown:
            raise ValueError(f"unknown keys {unknown} (known: {', '.join(KEYS)})")
        return self

    def entries(self, key: str) -> tuple[Entry, ...]:
        """The entries a verdict may rest on for `key` (C/L only for a conclusive key)."""
        entries = self.words.get(key, ())
        if KEYS[key].conclusive:
            return tuple(e for e in entries if e.conf in ("C", "L"))
        return entries


class CatalogueError(Exception):
    """A catalogue file that does not load: a bug in the package, not the user's input."""


def load_language(path: Path) -> Language:
    """Load one catalogue file; raise CatalogueError naming the file and the problem."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        language = Language.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    if language.language != path.stem:
        raise CatalogueError(f"{path}: language {language.language!r} in a file named {path.stem}")
    return language


@functools.cache
def catalogue() -> dict[str, Language]:
    """Every language of the catalogue, by language code, in alphabetical order."""
    return {p.stem: load_language(p) for p in sorted(CATALOGUE_DIR.glob("*.yaml"))}


def language_of(tag: str | None) -> str | None:
    """The catalogue language of a locale or `<html lang>` ("de-DE", "de_AT", "DE"), if any."""
    if not tag:
        return None
    sub = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    sub = ALIASES.get(sub, sub)
    return sub if sub in catalogue() else None


def locales() -> list[str]:
    """One locale per catalogue language: what the shipped flows run in."""
    return [lang.locale for lang in catalogue().values()]


def knows(key: str, lang: str | None) -> bool:
    """Whether the catalogue has words for `key` in `lang` that a verdict may rest on."""
    return bool(lang and lang in catalogue() and catalogue()[lang].entries(key))


@functools.cache
def pattern(key: str, lang: str | None) -> str | None:
    """The pattern for `key` on a page in `lang`: that language's words, or every language's
    for a key looked for everywhere. None when there is nothing to look for."""
    if key not in KEYS:
        raise KeyError(f"no words {key!r} (known: {', '.join(KEYS)})")
    if KEYS[key].everywhere:
        langs = list(catalogue().values())
    elif lang in catalogue():
        langs = [catalogue()[lang]]
    else:
        langs = []
    parts = list(dict.fromkeys(p for lg in langs for e in lg.entries(key) for p in e.patterns()))
    return "|".join(f"(?:{p})" for p in parts) if parts else None


def resolve(spec: dict[str, Any], lang: str | None) -> dict[str, Any] | None:
    """A locator spec with its `words` made into a pattern for a page in `lang`: the name of
    its role, or its text. None when the catalogue has nothing to look for."""
    key = spec.get("words")
    if key is None:
        return spec
    found = pattern(key, lang)
    if found is None:
        return None
    out = {k: v for k, v in spec.items() if k != "words"}
    out["name" if "role" in spec else "text"] = found
    return out


def unknown_note(keys: list[str], lang: str | None) -> str:
    """The reason's note for words the catalogue does not have in the page's language."""
    where = (
        f"in {catalogue()[lang].name} ({lang})"
        if lang in catalogue()
        else (f"in this page's language ({lang})" if lang else "for this page's language")
    )
    what = ", ".join(f'"{KEYS[k].meaning}"' for k in dict.fromkeys(keys))
    return f"optout knows no Meta wording {where} for {what}"


# --- the table of what is known (`optout list --locales`, docs/locales.md) ----------------

GROUPS: dict[str, tuple[str, ...]] = {
    "unavailable": ("unavailable",),
    "error": ("error",),
    "wall": ("wall", "rate_limit", "checkpoint", "needs_login"),
    "consent": ("consent_title", "consent_decline", "consent_accept"),
    "form": ("email", "phone", "send", "next", "preform"),
    "links": ("object", "policy", "ai", "wa_article", "contact"),
}
"""The columns of the table: what kinds of words each stands for."""


def cell(lang: Language, keys: tuple[str, ...]) -> str:
    """How much the catalogue knows of `keys` in `lang`: "3 (C)", "1 (U)", or "—"."""
    entries = [e for k in keys for e in lang.words.get(k, ())]
    if not entries:
        return "—"
    best = min(e.conf for e in entries)  # "C" < "L" < "U"
    return f"{len(entries)} ({best})"


def summary_rows() -> list[list[str]]:
    """One row per language: locale, language, then one cell per group."""
    return [
        [lang.locale, f"{lang.name} ({lang.language})", *(cell(lang, g) for g in GROUPS.values())]
        for lang in catalogue().values()
    ]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def locales_markdown() -> str:
    """docs/locales.md: the summary table, what a verdict may rest on, and every entry with
    its source (the same data as `optout list --locales`)."""
    head = ["locale", "language", *GROUPS]
    lines = [
        "# Languages and Meta's wording",
        "",
        "<!-- Written by `optout list --locales --markdown`; a test keeps it equal. -->",
        "",
        "Every shipped flow runs in one locale per language below (`locales: all`). Each cell",
        "counts the strings of Meta's own that optout knows for that kind of page, with the best",
        "confidence among them: **C** confirmed (a Meta capture or app code, or two sources),",
        "**L** likely (one good source), **U** uncertain. Nothing here was translated by us.",
        "",
        "- `unavailable` can make a verdict `missing`: it is looked for in the page's own",
        "  language only (`<html lang>`), and only with C and L strings. Where it is `—`, a form",
        "  page can be `available` (by its address and structure) but never `missing` from",
        "  words; a declared absence of a link matched by its address still is.",
        '- `error`, `wall` (with the rate limit, the checkpoint and the "may need to log in"',
        "  note) and `consent` keep a page inconclusive or close the cookie dialog: they are",
        "  looked for in every language at once.",
        "- `form` and `links` only choose among elements; the form is known by its address and",
        "  its structure (an e-mail field, a free-text field and a submit control in one form",
        "  without a password field), whatever the language.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(row) + " |" for row in summary_rows()),
        "",
        "Not in the catalogue: Irish (ga-IE) and Maltese (mt-MT), for which no Meta string was",
        "found; Icelandic (is-IS) has only app strings of uncertain context. Their pages are",
        "looked at with the language-independent signals only.",
        "",
    ]
    for lang in catalogue().values():
        lines += [f"## {lang.name} ({lang.language}, {lang.locale})", ""]
        lines += ["| key | Meta's string | conf. | source |", "|---|---|---|---|"]
        for key in KEYS:
            for e in lang.words.get(key, ()):
                text = _md_escape(e.text) + (f" *({_md_escape(e.note)})*" if e.note else "")
                lines.append(f"| {key} | {text} | {e.conf} | {_md_escape(e.source)} |")
        lines.append("")
    return "\n".join(lines)
