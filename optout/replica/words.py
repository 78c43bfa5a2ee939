"""The replica's pages in every language of the wording catalogue.

English and French are written out in `optout.replica.texts`; every other language's page is
the English one with each string optout looks for replaced by Meta's own words from the
catalogue (`optout/flow/catalogue`), so the replica and the checker read the same source.
"""

from __future__ import annotations

import functools
from typing import Final

from optout.flow import wording
from optout.replica.texts import EN, FR, WA_EN, WA_FR, Texts

# The replica's strings that optout looks for, and the catalogue's words for them: in a
# language other than English and French, a page shows Meta's own words from the catalogue
# (optout/flow/catalogue), its first entry of that kind; where the catalogue has none, a
# visible placeholder ("⟨de: send⟩") stands in, never a string of ours passed off as Meta's.
# The prose around them stays English.
FROM_CATALOGUE: Final[dict[str, tuple[str, int]]] = {
    "unavailable_title": ("unavailable", 0),
    "not_found_title": ("unavailable", 1),
    "transient_a_title": ("error", 0),
    "transient_a_body": ("error", 2),
    "transient_b_title": ("error", 1),
    "transient_b_body": ("error", 3),
    "error_title": ("error", 3),
    "cookie_title": ("consent_title", 0),
    "cookie2026_title": ("consent_title", 0),
    "cookie_decline": ("consent_decline", 0),
    "cookie_accept": ("consent_accept", 0),
    "email_label": ("email", 0),
    "send": ("send", 0),
    "preform_next": ("next", 0),
    "wall_title": ("wall", 0),
    "wall_title_ig": ("wall", 0),
    "login_title": ("wall", 0),
    "login_notice": ("wall", 1),
    "rate_title": ("rate_limit", 0),
    "rate_body": ("rate_limit", 1),
    "notif_ai": ("ai", 0),
    "notif_page_title": ("ai", 0),
    "policy_title": ("policy", 0),
    "object_link": ("object", 0),
    "object_verb": ("object", 0),
    "ai_at_meta": ("ai", 0),
    "needs_login": ("needs_login", 0),
}
# Prose the English pages carry that would say, in English, what the page must say in its own
# language: left out of the other languages' pages.
ENGLISH_ONLY: Final = ("not_found_body", "unavailable_body", "rate_body", "login_notice")


def word(lang: str, key: str, index: int = 0) -> str:
    """Meta's words of kind `key` in `lang` from the catalogue (the entry `index`, or the
    last one), or a visible placeholder when the catalogue has none."""
    language = wording.catalogue().get(lang)
    entries = [e for e in language.words.get(key, ())] if language else []
    if not entries:
        return f"⟨{lang}: {key}⟩"
    text = entries[min(index, len(entries) - 1)].text
    return text if key == "error" else text.rstrip(".")


@functools.cache
def texts_for(lang: str) -> Texts:
    """Return the string table for ``lang``: English or French as written, or English with
    every string optout looks for taken from the wording catalogue."""
    if lang == "fr":
        return FR | {"needs_login": word("fr", "needs_login")}
    if lang == "en" or lang not in wording.catalogue():
        return EN
    out = dict(EN)
    for name, (key, index) in FROM_CATALOGUE.items():
        out[name] = word(lang, key, index)
    for name in ENGLISH_ONLY:
        out[name] = ""
    return out


def wa_texts_for(lang: str) -> Texts:
    """Return WhatsApp's string table for ``lang`` (English with the catalogue's words for
    what optout looks for, as `texts_for`)."""
    if lang == "fr":
        return WA_FR
    if lang == "en" or lang not in wording.catalogue():
        return WA_EN
    out = dict(WA_EN)
    out.update(
        article_title=word(lang, "wa_article"),
        article_link=word(lang, "contact"),
        phone_label=word(lang, "phone"),
        email_label=word(lang, "email"),
        send=word(lang, "send"),
        gone_title=word(lang, "unavailable", 1),
        gone_body="",
        form_gone_title=word(lang, "unavailable", 0),
        form_gone_body="",
        cookie_title=word(lang, "consent_title"),
        cookie_reject=word(lang, "consent_decline"),
        cookie_accept=word(lang, "consent_accept"),
    )
    return out
