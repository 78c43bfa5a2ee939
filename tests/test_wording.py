"""Wording, by meaning and in every language: the text patterns of the shipped flows.

A declared absence (`absent: missing`) and an "unavailable" marker are conclusive claims; a
transient-error marker or a wall is what keeps a failed page from becoming one. None of them
may hang on a phrasing the flow did not foresee, nor work in one language only. For every
shipped flow and every locale it declares, this checks each such pattern against

- a table of phrases per meaning and language: Meta's real wording (shared/meta-reference.md,
  the captures) and variants nobody wrote into the flows ("We're developing AI tools for
  you"), each also with the other apostrophe, non-breaking spaces and other letter cases;
- the text of the replica's pages in that language;

and checks that the markers that keep a page inconclusive do not fire on pages that are
conclusive (a removed form, a policy, an article), nor on a top bar with a login form.
No browser: patterns are compiled as the checker compiles them (`compile_pattern`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from conftest import FLOWS

from optout.flow import wording
from optout.flow.loader import load_flow
from optout.flow.locators import BUILTIN_BLOCKED, BUILTIN_TRANSIENT, Locator
from optout.flow.model import Absent, ClickStep, Flow, SeeStep
from optout.flow.patterns import compile_pattern
from optout.replica.captures import default_captures_dir
from optout.replica.scenarios import Incoming, route

SHIPPED = sorted(FLOWS.glob("*.yaml"))
TABLED = ("fr", "en")
"""The languages the phrase tables below are written in (the catalogue's own entries are
checked against their sources in every language by tests/test_locales.py)."""

# meaning -> language -> phrases a page in that language may show for it
PHRASES: dict[str, dict[str, list[str]]] = {
    "ai notification": {
        "fr": [
            "Nous planifions de nouvelles fonctionnalités d’IA pour vous",  # May 2024
            "Nous développons des outils d’IA pour vous",
            "Découvrez comment nous utiliserons vos informations à mesure que nous "
            "améliorons l’IA de Meta",  # April 2025 e-mail subject
            "Mise à jour sur l’IA chez Meta",
            "Vos informations et l’intelligence artificielle",
            "IA générative : ce qui change",
        ],
        "en": [
            "We're planning new AI features for you",
            "We're developing AI tools for you",
            "Learn how we'll use your information as we improve AI at Meta",
            "An update on AI at Meta",
            "Your information and artificial intelligence",
            "Meta AI is coming to your region",
            "Generative AI: what's changing",
        ],
    },
    "objection link": {
        "fr": [
            "droit d’opposition",  # 2024 banner
            "opposer",  # autumn 2024 banner
            "vous opposer",  # Privacy Center 2025
            "s’opposer",
            "formulaire d’opposition",
            "Opposez-vous à l’utilisation de vos informations",
            "Vous opposer à l’utilisation de vos informations pour l’IA chez Meta",
        ],
        "en": [
            "right to object",
            "object",
            "Object to your information being used for AI at Meta",
            "objection form",
            "opt out",
            "Opt-out of AI training",
        ],
    },
    "policy page": {
        "fr": ["Politique de confidentialité", "Politique de confidentialité de Meta"],
        "en": ["Privacy Policy", "Meta Privacy Policy"],
    },
    "privacy center page": {
        "fr": [
            "Comment Meta utilise les informations pour les modèles d’IA générative",
            "L’IA chez Meta",
            "L’intelligence artificielle chez Meta",
        ],
        "en": [
            "How Meta uses information for generative AI models",
            "AI at Meta",
            "Privacy and generative AI",
        ],
    },
    "notification page": {
        "fr": [
            "Nous nous apprêtons à étendre nos expériences de l’IA de Meta dans votre région",
            "L’IA chez Meta est notre ensemble de fonctionnalités et d’expériences d’IA générative",
        ],
        "en": [
            "We're getting ready to expand AI at Meta experiences to your region",
            "AI at Meta is our collection of generative AI features and experiences",
        ],
    },
    "notifications list": {"fr": ["Notifications"], "en": ["Notifications"]},
    "unavailable": {
        "fr": [
            "Ce contenu n’est pas disponible pour le moment",
            "Ce contenu n’est plus disponible",
            "Cette page n’est pas disponible",
            "Le lien que vous avez suivi est peut-être rompu, ou la page a peut-être été "
            "supprimée.",
        ],
        "en": [
            "This content isn't available right now",
            "This content isn’t available at the moment",
            "This page isn't available",
            "This page is no longer available",
            "The link you followed may be broken, or the page may have been removed.",
        ],
    },
    "whatsapp unavailable": {
        "fr": ["Ce formulaire n’est plus disponible", "Cet article n’est pas disponible"],
        "en": ["This form is no longer available", "This article isn't available"],
    },
    "transient error": {
        "fr": [
            "Cela peut être dû à une erreur technique que nous nous efforçons de corriger.",
            "Une erreur s’est produite.",
            "Une erreur inattendue s’est produite. Veuillez réessayer.",
            "Une erreur est survenue",
            "Un problème est survenu",
            "Veuillez réessayer plus tard.",
            "Essayez d’actualiser la page",
            "Veuillez actualiser cette page",
            "Revenez plus tard",
            "Vous pouvez revenir plus tard",
        ],
        "en": [
            "This may be because of a technical error that we're working to fix. "
            "Please try reloading this page.",
            "An unexpected error has occurred. Try reloading the page or come back later.",
            "Sorry, something went wrong.",
            "An error occurred",
            "Please try again later.",
            "Refresh the page",
        ],
    },
    "in-place login wall": {
        "fr": ["Se connecter à Facebook", "Connectez-vous à Facebook", "Se connecter à Instagram"],
        "en": ["Log in to Facebook", "Log into Facebook", "Log into Instagram"],
    },
    "rate limit": {
        "fr": [
            "Cette fonction est temporairement bloquée",
            "Il semble que vous ayez abusé de cette fonctionnalité en l’utilisant trop vite. "
            "Vous n’êtes plus autorisé à l’utiliser.",
            "Vous êtes temporairement bloqué",
        ],
        "en": [
            "This feature is temporarily blocked",
            "You're temporarily blocked",
            "You’re Temporarily Blocked",
            "It looks like you were misusing this feature by going too fast.",
        ],
    },
    "whatsapp contact link": {
        "fr": ["nous contacter", "Contactez-nous", "Contacter WhatsApp", "écrivez-nous"],
        "en": ["contact us", "Contact WhatsApp", "Contact support", "write to us"],
    },
    "whatsapp article": {
        "fr": [
            "Comment puis-je m’opposer au traitement de mes informations ?",
            "Comment m’opposer au traitement de mes informations",
            "Opposition au traitement de vos informations",
        ],
        "en": [
            "How can I object to the processing of my information?",
            "How to object to processing of your information",
            "Objecting to the processing of your information",
        ],
    },
}

# what must NOT match: pages and words about something else
NOT_ABOUT_AI = {
    "fr": [
        "Marie Dupont a commenté une photo où j’ai été identifiée",
        "Thomas Martin a réagi à votre photo.",
        "Julia a partagé un souvenir avec vous.",
        "J'ai aimé votre publication",
    ],
    "en": [
        "Marie Dupont commented on your post: “Lovely photo!”",
        "Lucas Petit shared a memory with you.",
        "Aidan accepted your friend request.",
    ],
}


# (flow id, step label) -> (meaning of what it clicks, meaning of its on_page proof); every
# step of a shipped flow that says `absent: missing` must be listed here
ABSENCE_STEPS: dict[tuple[str, str], tuple[str, str]] = {
    ("facebook-policy", "follow the right-to-object link to an AI objection form"): (
        "objection link",
        "policy page",
    ),
    ("facebook-privacy-center", 'follow the "object" link to an AI objection form'): (
        "objection link",
        "privacy center page",
    ),
    ("facebook-notification", "open the notification about AI at Meta"): (
        "ai notification",
        "notifications list",
    ),
    (
        "facebook-notification",
        "follow the right-to-object link on the page the notification opens",
    ): ("objection link", "notification page"),
    ("whatsapp-objection", "follow the article's contact link to the Contact WhatsApp form"): (
        "whatsapp contact link",
        "whatsapp article",
    ),
}


def variants(phrase: str) -> Iterator[str]:
    """The phrase as written, with the other apostrophe, with no-break spaces, in capitals."""
    yield phrase
    yield phrase.replace("’", "'") if "’" in phrase else phrase.replace("'", "’")
    yield phrase.replace(" ", "\u00a0")
    yield phrase.replace(" ?", "\u202f?").replace(" :", "\u00a0:")
    yield phrase.upper()
    yield phrase.lower()


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return compile_pattern(pattern)


def matches(pattern: str, text: str) -> bool:
    return bool(compiled(pattern).search(text))


def name_patterns(locators: Sequence[Locator], lang: str) -> list[str]:
    """The text-like patterns of locators (role names, texts, labels...), not hrefs or CSS,
    with their `words` resolved for a page in `lang` as the checker resolves them."""
    out = []
    for loc in locators:
        spec = wording.resolve(loc.spec(), lang)
        if spec is None or spec.get("exact"):
            continue
        keys = ("name", "text", "label", "placeholder", "alt", "title")
        out += [spec[k] for k in keys if spec.get(k)]
    return out


@dataclass(frozen=True)
class Absence:
    flow: Flow
    label: str
    found: list[Locator]
    proof: list[Locator]

    def names(self, lang: str) -> list[str]:
        return name_patterns(self.found, lang)

    def proofs(self, lang: str) -> list[str]:
        return name_patterns(self.proof, lang)


def absence_steps(flow: Flow) -> list[Absence]:
    out = []
    for step in flow.runnable_steps():
        if isinstance(step, ClickStep | SeeStep) and step.absent is Absent.MISSING:
            found = list(step.click if isinstance(step, ClickStep) else step.see)
            proof = [*(step.on_page or []), *([step.when] if step.when is not None else [])]
            out.append(Absence(flow, step.label or step.describe(), found, proof))
    return out


def langs_of(flow: Flow, only: Sequence[str] | None = None) -> list[str]:
    """The catalogue languages of a flow's locales (those of `only`, if given)."""
    langs = dict.fromkeys(wording.language_of(loc) for loc in flow.locales)
    return [lg for lg in langs if lg is not None and (only is None or lg in only)]


@cache
def flows() -> list[Flow]:
    return [load_flow(path) for path in SHIPPED]


def flow_ids() -> list[str]:
    return [path.stem for path in SHIPPED]


def flow_named(flow_id: str) -> Flow:
    return next(f for f in flows() if f.id == flow_id)


# --- the replica's pages, as text -----------------------------------------------------------

REPLICA_PAGES = [  # (scenario, path): the pages the flows meet, in every state that matters
    ("form-available", "/privacy/policy/"),
    ("form-available", "/privacy/genai"),
    ("form-available", "/privacy/genai/notification"),
    ("notification-ai", "/notifications"),
    ("notification-ai", "/privacy/genai/notification"),
    ("form-available", "/help/contact/6359191084165019"),
    ("form-missing", "/help/contact/6359191084165019"),
    ("page-missing", "/help/contact/6359191084165019"),
    ("transient-error", "/help/contact/6359191084165019"),
    ("transient-error-form", "/help/contact/6359191084165019"),
    ("rate-limit", "/privacy/policy/"),
    ("login-in-place", "/help/contact/6359191084165019"),
    ("form-available", "/1285115568956956/"),
    ("whatsapp-article-gone", "/1285115568956956/"),
    ("whatsapp-form-unavailable", "/contact/forms/1534459096974129"),
]
CONCLUSIVE_PAGES = [  # pages that give `available` or `missing`: no transient words, no wall
    ("form-available", "/privacy/policy/"),
    ("policy-no-link", "/privacy/policy/"),
    ("policy-generic-only", "/privacy/policy/"),
    ("form-available", "/privacy/genai"),
    ("policy-no-link", "/privacy/genai"),
    ("form-available", "/privacy/genai/notification"),
    ("notification-no-link", "/privacy/genai/notification"),
    ("form-available", "/help/contact/6359191084165019"),
    ("form-available", "/contact/233964459562201"),
    ("header-login", "/help/contact/6359191084165019"),
    ("header-login", "/privacy/policy/"),
    ("form-missing", "/help/contact/6359191084165019"),
    ("form-missing-404", "/contact/233964459562201"),
    ("page-missing", "/help/contact/712876720715583"),
    ("form-available", "/1285115568956956/"),
    ("whatsapp-no-link", "/1285115568956956/"),
    ("whatsapp-article-gone", "/1285115568956956/"),
    ("form-available", "/contact/forms/1534459096974129"),
    ("whatsapp-form-unavailable", "/contact/forms/1534459096974129"),
]
CONCLUSIVE_CAPTURES = [  # real pages on which a flow is conclusive, or a top bar is no wall
    "2026_fb-privacy-genai_mbasic_en",
    "2026-08-22_fb-privacy-policy-printable_mbasic_en",
    "2024-05-21_fb-privacy-policy-printable_ai-objection-banner_mbasic_en",
    "2026-08-22_fb-legal-eu-ai-terms_www_en",
]


def text_nodes(raw: str) -> list[str]:
    """The texts of a page's elements, roughly as a text locator sees them: the text between
    tags, and each block's whole text (for a sentence split by a link)."""
    body = re.sub(r"<(script|style|title|noscript)\b.*?</\1\s*>", " ", raw, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    nodes = [" ".join(html.unescape(t).split()) for t in re.split(r"<[^>]+>", body)]
    blocks = re.split(r"</?(?:p|div|h\d|li|span role|td|section|button)\b[^>]*>", body)
    nodes += [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in blocks]
    return [n for n in nodes if n]


@cache
def replica_texts(scenario: str, path: str, lang: str) -> tuple[str, ...]:
    rest, _, query = path.partition("?")
    locale = wording.catalogue()[lang].locale
    reply = route(Incoming("GET", scenario, rest, query, locale, "c_user=1"), None)
    assert reply.status in (200, 404), (scenario, path, reply.status)
    return tuple(text_nodes(reply.body))


def corpus(lang: str) -> list[str]:
    """Every phrase of the tables in `lang`, with variants, and the replica's page texts."""
    out = [v for table in PHRASES.values() for p in table.get(lang, ()) for v in variants(p)]
    for scenario, path in REPLICA_PAGES:
        out += replica_texts(scenario, path, lang)
    return out


# --- the checks -----------------------------------------------------------------------------


def test_every_declared_absence_is_in_the_table() -> None:
    """Each `absent: missing` step of a shipped flow has its meanings listed here, so a new
    one cannot ship without its phrases being checked in every language."""
    seen = {(a.flow.id, a.label) for f in flows() for a in absence_steps(f)}
    assert seen == set(ABSENCE_STEPS)


@pytest.mark.parametrize("flow_id", flow_ids())
def test_declared_absences_know_every_phrasing(flow_id: str) -> None:
    """Every phrase of the step's meaning, in every locale of the flow and in every
    typographic variant, is found by the step's patterns: an absence never comes from a
    wording the flow did not foresee. Its proof of being on the right page is too."""
    flow = flow_named(flow_id)
    for absence in absence_steps(flow):
        meaning, proof = ABSENCE_STEPS[(flow.id, absence.label)]
        for lang in langs_of(flow, TABLED):
            for phrase in PHRASES[meaning][lang]:
                for text in variants(phrase):
                    assert any(matches(p, text) for p in absence.names(lang)), (
                        f"{flow.id} {lang}: step {absence.label!r} does not find {text!r}"
                    )
            for phrase in PHRASES[proof][lang]:
                for text in variants(phrase):
                    assert any(matches(p, text) for p in absence.proofs(lang)), (
                        f"{flow.id} {lang}: proof of {absence.label!r} misses {text!r}"
                    )


@pytest.mark.parametrize("flow_id", flow_ids())
def test_every_pattern_matches_a_page_in_each_locale(flow_id: str) -> None:
    """Each pattern a conclusive verdict (or its prevention) depends on — declared-absence
    names and proofs, "unavailable" markers, transient-error markers — matches some phrase in
    a page written in each of the flow's languages (the tables' phrases in English and
    French; in every language, the replica's pages, built from Meta's words)."""
    flow = flow_named(flow_id)
    assert flow.transient_when, f"{flow.id} does not use meta-errors"
    for lang in langs_of(flow):
        patterns = [
            *(p for a in absence_steps(flow) for p in [*a.names(lang), *a.proofs(lang)]),
            *name_patterns(list(flow.target.missing_when), lang),
        ]
        texts = corpus(lang)
        for pattern in patterns:
            assert any(matches(pattern, t) for t in texts), (
                f"{flow.id} {lang}: {pattern!r} matches nothing written in {lang}"
            )


@pytest.mark.parametrize("flow_id", flow_ids())
def test_unavailable_and_transient_markers_know_every_phrasing(flow_id: str) -> None:
    """Meta's "unavailable" pages and its "technical error, try again" pages, in every
    phrasing of the tables and every locale of the flow, are recognised by the flow's own
    markers and the engine's failure words."""
    flow = flow_named(flow_id)
    meanings = ["unavailable"] + (["whatsapp unavailable"] if flow.service == "whatsapp" else [])
    for lang in langs_of(flow, TABLED):
        missing = name_patterns(list(flow.target.missing_when), lang)
        transient = name_patterns([*flow.transient_when, *BUILTIN_TRANSIENT], lang)
        for meaning in meanings:
            for text in (v for p in PHRASES[meaning][lang] for v in variants(p)):
                assert any(matches(p, text) for p in missing), f"{flow.id} {lang}: {text!r}"
        for text in (v for p in PHRASES["transient error"][lang] for v in variants(p)):
            assert any(matches(p, text) for p in transient), f"{flow.id} {lang}: {text!r}"


def test_walls_know_every_phrasing() -> None:
    """The walls every shipped flow uses recognise the rate-limit page and the in-place login
    wall in both languages, with the meaning in the reason (the flow's own walls first, then
    the engine's, in the order the checker tries them)."""
    for flow in flows():
        for meaning, reason in (("rate limit", "rate-limited"), ("in-place login wall", None)):
            for lang in TABLED:
                walls = [
                    (m.reason, p)
                    for m in [*flow.blocked_when, *BUILTIN_BLOCKED]
                    for p in name_patterns([m], lang)
                ]
                for text in (v for p in PHRASES[meaning][lang] for v in variants(p)):
                    hits = [why for why, p in walls if matches(p, text)]
                    assert hits, f"{flow.id}: no wall for {text!r}"
                    if reason:
                        assert hits[0] == reason, (flow.id, text, hits[0])


def test_ai_notification_pattern_is_about_ai() -> None:
    """The notification link's pattern takes neither ordinary notifications nor « j’ai »."""
    step = absence_steps(flow_named("facebook-notification"))[0]
    for lang, texts in NOT_ABOUT_AI.items():
        for text in (v for t in texts for v in variants(t)):
            assert not any(matches(p, text) for p in step.names(lang)), (lang, text)


@cache
def guards(lang: str) -> dict[str, str]:
    """Every transient-error and wall pattern of the shipped flows and of the engine, as
    looked for on a page in `lang` -> a flow that uses it."""
    out: dict[str, str] = {}
    for flow in flows():
        markers = [*flow.transient_when, *BUILTIN_TRANSIENT, *flow.blocked_when, *BUILTIN_BLOCKED]
        for pattern in name_patterns(markers, lang):
            out.setdefault(pattern, flow.id)
    return out


@pytest.mark.parametrize(("scenario", "path"), CONCLUSIVE_PAGES)
def test_conclusive_pages_show_no_failure_and_no_wall(scenario: str, path: str) -> None:
    """The replica's pages that give `available` or `missing` match no transient-error marker
    and no wall of any shipped flow, in any language of the catalogue: those markers only fire
    on failing pages and walls (and one language's failure words never on another's page)."""
    for lang in wording.catalogue():
        texts = replica_texts(scenario, path, lang)
        for pattern, flow_id in guards(lang).items():
            hits = [t for t in texts if matches(pattern, t)]
            assert not hits, f"{flow_id}: {pattern!r} fires on {scenario}{path} ({lang}): {hits}"


@pytest.mark.parametrize("stem", CONCLUSIVE_CAPTURES)
def test_real_conclusive_pages_show_no_failure_and_no_wall(stem: str) -> None:
    """The same on Meta's real pages: the 2026 Privacy Center and printable policy, the 2024
    banner, and a logged-out page with a login form in its top bar."""
    folder = default_captures_dir()
    path = folder / f"{stem}.html" if folder else Path("/nonexistent")
    if not path.is_file():
        pytest.skip(f"no capture {stem}")
    texts = text_nodes(path.read_text(encoding="utf-8"))
    for pattern, flow_id in guards("en").items():
        hits = [t[:80] for t in texts if matches(pattern, t)]
        assert not hits, f"{flow_id}: {pattern!r} fires on {stem}: {hits}"
