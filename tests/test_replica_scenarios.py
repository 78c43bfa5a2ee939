"""HTTP-level tests of the replica's later scenarios: notifications, the 2024 pre-form, the
generic-form-only policy, more unavailable pages, a login form in the header, help.meta.com."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import OFFSITE, Result
from helpers import fetch as _fetch

from optout.replica import ReplicaServer
from optout.replica.__main__ import listing

AI_FORM = "6359191084165019"
FR_FORM = "712876720715583"
IG_FORM = "233964459562201"
GENERIC_FORM = "1994830130782319"
THIRD_PARTY_FORM = "1266025207620918"
PREFORM = "367438723733209"
AI_FORM_URL = f"https://www.facebook.com/help/contact/{AI_FORM}"
NOTIF_PAGE_URL = "https://www.facebook.com/privacy/genai/notification"
LOGGED_IN = "c_user=100004; xs=abc"
AI_NOTIF = {
    "en": "We're planning new AI features for you. Learn how we'll use your information as we "
    "improve AI at Meta.",
    "fr": "Nous planifions de nouvelles fonctionnalités d’IA pour vous. Découvrez comment nous "
    "utiliserons vos informations à mesure que nous améliorons l’IA chez Meta.",
}
NOTIF_PAGE_TITLE = {
    "en": "We're getting ready to expand AI at Meta experiences to your region",
    "fr": "Nous nous apprêtons à étendre nos expériences de l’IA de Meta dans votre région",
}
OBJECT_LINK = {"en": "right to object", "fr": "droit d’opposition"}
AI_FORM_TITLE = {
    "en": "Object to Your Information Being Used for AI at Meta",
    "fr": "Vous opposer à l’utilisation de vos informations pour l’IA chez Meta",
}
UNAVAILABLE_MARKERS = ("isn't available", "n'est pas disponible")
LOGIN_WALL_TEXTS = ("You must log in to continue", "Vous devez vous connecter pour continuer")


def fetch(url: str, lang: str = "en", cookie: str = "") -> Result:
    """GET ``url`` without following redirects (see helpers.fetch)."""
    return _fetch(url, lang, cookie=cookie)


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(port=0) as srv:
        yield srv


def _norm(text: str) -> str:
    return text.replace("’", "'").lower()


def _links(text: str) -> list[tuple[str, str]]:
    """(href, link text) for every <a> of a page."""
    return [
        (href, re.sub(r"<[^>]+>", "", inner).strip())
        for href, inner in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', text, re.S)
    ]


# --- notifications -------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario", ["form-available", "notification-ai", "notification-none", "cookie-dialog", "demo"]
)
@pytest.mark.parametrize("path", ["/notifications", "/notifications/"])
def test_notifications_need_c_user(server: ReplicaServer, scenario: str, path: str) -> None:
    """Without a c_user cookie /notifications redirects to the scenario's login page."""
    result = fetch(server.origin_for(scenario) + path, cookie="datr=x")
    assert result.status == 302
    assert result.headers["Location"] == (
        f"/{scenario}/login/?next=https%3A%2F%2Fwww.facebook.com%2Fnotifications"
    )
    assert fetch(server.origin_for(scenario) + "/login/?next=x").status == 200


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_notification_ai_lists_the_ai_item(server: ReplicaServer, lang: str) -> None:
    """notification-ai: the list has ordinary items and the AI item linking the genai page."""
    result = fetch(server.origin_for("notification-ai") + "/notifications", lang, LOGGED_IN)
    assert result.status == 200
    assert 'role="main"' in result.raw
    assert re.search(r"<h1[^>]*>Notifications</h1>", result.raw)
    links = _links(result.text)
    commented = "commented on your post" if lang == "en" else "a commenté votre publication"
    assert sum(commented in label for _, label in links) >= 2
    assert len(links) >= 6
    ai_links = [href for href, label in links if AI_NOTIF[lang] in label]
    assert ai_links == [NOTIF_PAGE_URL]
    assert 'name="pass"' not in result.raw


@pytest.mark.parametrize("scenario", ["notification-none", "form-available", "header-login"])
def test_notifications_without_ai_item(server: ReplicaServer, scenario: str) -> None:
    """Other scenarios list only ordinary notifications (and no login form when logged in)."""
    for lang in ("en", "fr"):
        result = fetch(server.origin_for(scenario) + "/notifications/", lang, LOGGED_IN)
        assert result.status == 200
        assert "Notifications" in result.text
        assert AI_NOTIF[lang] not in result.text and "genai" not in result.text
        assert 'name="pass"' not in result.raw


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_notification_page_links_the_form(server: ReplicaServer, lang: str) -> None:
    """The page the AI notification opens links the AI form in a new tab; the form renders."""
    origin = server.origin_for("notification-ai")
    page = fetch(origin + "/privacy/genai/notification", lang)
    assert page.status == 200
    assert NOTIF_PAGE_TITLE[lang] in page.text
    assert re.search(
        rf'<a href="{AI_FORM_URL}" target="_blank"[^>]*>{OBJECT_LINK[lang]}</a>', page.text
    )
    form = fetch(origin + f"/help/contact/{AI_FORM}", lang)
    assert form.status == 200 and AI_FORM_TITLE[lang] in form.text


def test_notification_no_link(server: ReplicaServer) -> None:
    """notification-no-link: the AI item is listed, but its page links no objection form."""
    origin = server.origin_for("notification-no-link")
    for lang in ("en", "fr"):
        listing_page = fetch(origin + "/notifications", lang, LOGGED_IN)
        assert AI_NOTIF[lang] in listing_page.text and NOTIF_PAGE_URL in listing_page.text
        page = fetch(origin + "/privacy/genai/notification/", lang)
        assert page.status == 200 and NOTIF_PAGE_TITLE[lang] in page.text
        assert "help/contact" not in page.text
        assert not any(OBJECT_LINK[lang] in label for _, label in _links(page.text))


def test_notification_page_absent_without_notification(server: ReplicaServer) -> None:
    """Where no AI notification was sent, its page is Meta's "page isn't available"."""
    result = fetch(server.origin_for("notification-none") + "/privacy/genai/notification")
    assert result.status == 404 and "This page isn't available" in result.text


# --- pre-form ------------------------------------------------------------------------

PREFORM_TEXTS = {
    "en": ("Is your request about AI at Meta?", "Yes", "No", "Next"),
    "fr": ("Votre demande concerne-t-elle l’IA chez Meta ?", "Oui", "Non", "Suivant"),
}


@pytest.mark.parametrize(
    "scenario", ["form-available", "form-missing", "cookie-dialog", "demo", "header-login"]
)
def test_preform_everywhere(server: ReplicaServer, scenario: str) -> None:
    """The pre-form: a yes/no radiogroup and a Next LINK to the AI form; nothing to submit."""
    for lang, (title, yes, no, next_label) in PREFORM_TEXTS.items():
        result = fetch(server.origin_for(scenario) + f"/help/contact/{PREFORM}", lang)
        assert result.status == 200
        text = result.text
        assert title in text
        group = re.search(r'<div role="radiogroup"[^>]*>(.*?)</div>', text, re.S)
        assert group
        radios = re.findall(r'<input type="radio"[^>]*>\s*([^<]+)</label>', group.group(1))
        assert [r.strip() for r in radios] == [yes, no]
        assert re.search(rf'<a role="button" href="{AI_FORM_URL}"[^>]*>{next_label}</a>', text)
        if scenario != "header-login":
            assert "<form" not in text


def test_preform_behind_gates(server: ReplicaServer) -> None:
    """Gates and errors still answer first."""
    assert fetch(server.origin_for("login-wall") + f"/help/contact/{PREFORM}").status == 302
    assert fetch(server.origin_for("http-500") + f"/help/contact/{PREFORM}").status == 500


def test_preform_scenario_sends_people_through_the_question(server: ReplicaServer) -> None:
    """preform: the AI form redirects to the pre-form, whose Next link reaches the form."""
    origin = server.origin_for("preform")
    first = fetch(origin + f"/help/contact/{AI_FORM}")
    assert first.status == 302
    assert first.headers["Location"] == f"/preform/help/contact/{PREFORM}"
    question = fetch(origin + f"/help/contact/{PREFORM}", "fr")
    next_href = f"{AI_FORM_URL}?from=preform"
    assert re.search(
        rf'<a role="button" href="{re.escape(next_href)}"[^>]*>Suivant</a>', question.raw
    )
    for query in ("?from=preform", "?x=1&from=preform"):
        form = fetch(origin + f"/help/contact/{AI_FORM}{query}", "fr")
        assert form.status == 200 and AI_FORM_TITLE["fr"] in form.text
    assert fetch(origin + f"/help/contact/{FR_FORM}").status == 200


# --- the generic GDPR form only ----------------------------------------------------------


def test_policy_generic_only(server: ReplicaServer) -> None:
    """No banner; every objection link of the policy goes to the generic GDPR form."""
    origin = server.origin_for("policy-generic-only")
    labels = {"right to object", "object", "droit d’opposition", "vous opposer"}
    for lang in ("en", "fr"):
        policy = fetch(origin + "/privacy/policy/", lang)
        assert policy.status == 200
        assert "privacy-policy-update-banner" not in policy.raw and AI_FORM not in policy.text
        objection = [href for href, label in _links(policy.text) if label in labels]
        assert OBJECT_LINK[lang] in [label for _, label in _links(policy.text)]
        assert len(objection) >= 2
        assert set(objection) == {f"https://www.facebook.com/help/contact/{GENERIC_FORM}"}
        genai = fetch(origin + "/privacy/genai", lang).text
        assert AI_FORM not in genai
        assert re.findall(r"help/contact/(\d+)", genai) == [THIRD_PARTY_FORM]


def test_generic_form_is_not_the_ai_form(server: ReplicaServer) -> None:
    """1994830130782319 renders "Object to processing of your information" (e-mail, Send)."""
    titles = {
        "en": ("Object to processing of your information", "Send"),
        "fr": ("Vous opposer au traitement de vos informations", "Envoyer"),
    }
    for lang, (title, send) in titles.items():
        result = fetch(
            server.origin_for("policy-generic-only") + f"/help/contact/{GENERIC_FORM}", lang
        )
        assert result.status == 200
        assert title in result.text and AI_FORM_TITLE[lang] not in result.text
        assert '<input type="email"' in result.raw
        assert re.search(rf'<button type="submit"[^>]*>{send}</button>', result.text)
        assert 'onsubmit="return false;"' in result.raw
    # elsewhere the same id still renders as before
    other = fetch(server.origin_for("form-available") + f"/help/contact/{GENERIC_FORM}")
    assert AI_FORM_TITLE["en"] in other.text


# --- unavailable pages -----------------------------------------------------------------


def test_form_missing_curly(server: ReplicaServer) -> None:
    """form-missing-curly: ’ in English, ' in French, status 200."""
    url = server.origin_for("form-missing-curly") + f"/help/contact/{AI_FORM}"
    en, fr = fetch(url, "en"), fetch(url, "fr")
    assert en.status == fr.status == 200
    assert "This content isn’t available right now" in en.text
    assert "Ce contenu n'est pas disponible pour le moment" in fr.text
    assert "Lorsque cela se produit, c'est généralement" in fr.text


def test_both_apostrophes_in_both_languages(server: ReplicaServer) -> None:
    """Together, form-missing and form-missing-curly show ' and ’ in English and French."""
    seen: dict[str, set[str]] = {"en": set(), "fr": set()}
    heading = {"en": "This content isn{}t available", "fr": "Ce contenu n{}est pas disponible"}
    for scenario in ("form-missing", "form-missing-curly"):
        for lang in ("en", "fr"):
            text = fetch(server.origin_for(scenario) + f"/help/contact/{AI_FORM}", lang).text
            seen[lang] |= {mark for mark in "'’" if heading[lang].format(mark) in text}
    assert seen == {"en": {"'", "’"}, "fr": {"'", "’"}}


def test_page_missing(server: ReplicaServer) -> None:
    """page-missing: form ids answer 404 "This page isn't available" with Meta's text."""
    texts = {
        "en": ("This page isn't available", "The link you followed may be broken"),
        "fr": ("Cette page n’est pas disponible", "Le lien que vous avez suivi"),
    }
    for path in (f"/help/contact/{AI_FORM}", f"/contact/{IG_FORM}"):
        for lang, (title, body) in texts.items():
            result = fetch(server.origin_for("page-missing") + path, lang)
            assert result.status == 404
            assert title in result.text and body in result.text
            assert "<form" not in result.raw
    assert fetch(server.origin_for("page-missing") + "/privacy/policy/").status == 200


# --- a login form in the header is not a login wall ------------------------------------


def test_header_login(server: ReplicaServer) -> None:
    """header-login: the form renders under a top bar with a login form; no login wall text."""
    labels = {
        "en": ("Email or phone", "Password", "Log in", "Forgotten account?"),
        "fr": (
            "Adresse e-mail ou téléphone",
            "Mot de passe",
            "Se connecter",
            "Informations de compte oubliées ?",
        ),
    }
    origin = server.origin_for("header-login")
    for lang, (email, password, button, forgot) in labels.items():
        form = fetch(origin + f"/help/contact/{AI_FORM}", lang)
        assert form.status == 200 and "Location" not in form.headers
        assert AI_FORM_TITLE[lang] in form.text
        for path in (f"/help/contact/{AI_FORM}", "/privacy/policy/", "/privacy/genai"):
            text = fetch(origin + path, lang).text
            assert re.search(rf'name="email"[^>]*placeholder="{email}" aria-label="{email}"', text)
            assert re.search(
                rf'name="pass"[^>]*placeholder="{password}" aria-label="{password}"', text
            )
            assert re.search(rf"<button [^>]*>{button}</button>", text)
            assert re.search(rf"<a [^>]*>{re.escape(forgot)}</a>", text)
            assert not any(wall in text for wall in LOGIN_WALL_TEXTS)
    plain = fetch(server.origin_for("form-available") + f"/help/contact/{AI_FORM}").raw
    assert 'name="pass"' not in plain


# --- help.meta.com ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["help-redirect", "form-available", "login-wall", "demo"])
def test_help_meta_privacy(server: ReplicaServer, scenario: str) -> None:
    """/support/privacy: Meta Help Center's privacy page, no form, no unavailable marker."""
    for lang, (center, privacy) in {
        "en": ("Meta Help Center", "Privacy"),
        "fr": ("Pages d’aide Meta", "Confidentialité"),
    }.items():
        for path in ("/support/privacy", "/support/privacy/"):
            result = fetch(server.origin_for(scenario) + path, lang)
            assert result.status == 200
            assert re.search(rf"<h1[^>]*>{center}</h1>", result.text)
            assert re.search(rf"<h2[^>]*>{privacy}</h2>", result.text)
            assert "<form" not in result.raw
            assert not any(m in _norm(result.text) for m in UNAVAILABLE_MARKERS)


def test_help_redirect_lands_on_help_meta(server: ReplicaServer) -> None:
    """Following help-redirect's Location with help.meta.com mapped to the same scenario."""
    location = fetch(server.origin_for("help-redirect") + f"/help/contact/{AI_FORM}").headers[
        "Location"
    ]
    mapped = location.replace("https://help.meta.com", server.origin_for("help-redirect"))
    assert fetch(mapped).status == 200


# --- all new pages: offline, listed ------------------------------------------------------


def test_new_pages_load_nothing(server: ReplicaServer) -> None:
    """No images, external scripts or stylesheets on the new pages."""
    pages = [
        ("notification-ai", "/notifications"),
        ("notification-ai", "/privacy/genai/notification"),
        ("preform", f"/help/contact/{PREFORM}"),
        ("policy-generic-only", f"/help/contact/{GENERIC_FORM}"),
        ("header-login", f"/help/contact/{AI_FORM}"),
        ("form-available", "/support/privacy"),
    ]
    for scenario, path in pages:
        raw = fetch(server.origin_for(scenario) + path, cookie=LOGGED_IN).raw
        assert not re.search(OFFSITE, raw), (scenario, path)


def test_listing_shows_new_scenarios_and_captures(tmp_path: Path) -> None:
    """The CLI listing names the new scenarios and, given a folder, one line per capture."""
    (tmp_path / "a_capture.html").write_text("<html><body>x</body></html>")
    text = "\n".join(listing(lambda name: f"http://127.0.0.1:1/{name}", tmp_path))
    for name in ("notification-ai", "preform", "policy-generic-only", "header-login"):
        assert f"--map-origin https://www.facebook.com=http://127.0.0.1:1/{name}" in text
    assert "capture/<file-stem>" in text and str(tmp_path) in text
    assert "--map-origin https://www.facebook.com=http://127.0.0.1:1/capture/a_capture" in text


# --- issue 11: transient errors, rate limit, in-place wall, 2026 dialog, WhatsApp --------

WA_ARTICLE = "/1285115568956956/"
WA_FORM = "/contact/forms/1534459096974129"
WA_FORM_URL = f"https://www.whatsapp.com{WA_FORM}"
START_AND_FORM_PAGES = [
    f"/help/contact/{AI_FORM}",
    f"/help/contact/{FR_FORM}",
    f"/help/contact/{THIRD_PARTY_FORM}",
    f"/contact/{IG_FORM}",
    "/contact/767264225370182",
    "/privacy/policy/",
    "/privacy/genai",
    WA_ARTICLE,
    WA_FORM,
]
TRANSIENT = {  # wording -> lang -> (heading, sentence)
    "technical": {
        "en": (
            "This page isn't available at the moment",
            "This may be because of a technical error that we're working to fix. "
            "Please try reloading this page.",
        ),
        "fr": (
            "Cette page n’est pas disponible pour le moment",
            "Cela peut être dû à une erreur technique que nous nous efforçons de corriger. "
            "Veuillez essayer d’actualiser cette page.",
        ),
    },
    "unexpected": {
        "en": (
            "This page isn’t available",
            "An unexpected error has occurred. Try reloading the page or come back later.",
        ),
        "fr": (
            "Cette page n'est pas disponible",
            "Une erreur s'est produite. Essayez d'actualiser la page ou revenez plus tard.",
        ),
    },
}


def _visible_text(raw: str) -> str:
    """The page's text without tags, scripts and styles (HTML entities decoded)."""
    import html as _html

    body = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", raw, flags=re.S | re.I)
    return " ".join(_html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize("path", START_AND_FORM_PAGES)
def test_transient_error_on_every_start_and_form_page(server: ReplicaServer, path: str) -> None:
    """transient-error: every start page and form answers 200 with the "isn't available"
    heading AND the technical-error sentence; no form, no link to a form."""
    for lang in ("en", "fr"):
        result = fetch(server.origin_for("transient-error") + path, lang)
        heading, sentence = TRANSIENT["technical"][lang]
        assert result.status == 200 and "Location" not in result.headers
        assert re.search(rf"<h[12][^>]*>{re.escape(heading)}</h[12]>", result.text)
        assert sentence in result.text
        assert "<form" not in result.raw and "help/contact/" not in result.raw


def test_transient_error_form_only_on_forms(server: ReplicaServer) -> None:
    """transient-error-form: forms show wording B; the policy, Privacy Center and WhatsApp
    article are as usual, so a flow meets the error only after following a link."""
    origin = server.origin_for("transient-error-form")
    for path in (f"/help/contact/{AI_FORM}", f"/contact/{IG_FORM}", WA_FORM):
        for lang in ("en", "fr"):
            heading, sentence = TRANSIENT["unexpected"][lang]
            text = fetch(origin + path, lang).text
            assert heading in text and sentence in text, (path, lang)
    assert AI_FORM in fetch(origin + "/privacy/policy/").text
    assert WA_FORM_URL in fetch(origin + WA_ARTICLE).text


@pytest.mark.parametrize(
    ("modifier", "apostrophe", "other"), [("straight", "'", "’"), ("curly", "’", "'")]
)
def test_apostrophe_modifiers(
    server: ReplicaServer, modifier: str, apostrophe: str, other: str
) -> None:
    """+straight and +curly write every apostrophe of the text one way, in both languages;
    attributes and scripts are left alone."""
    for scenario in ("transient-error", "transient-error-form", "form-missing", "rate-limit"):
        for lang in ("en", "fr"):
            page = fetch(server.origin_for(f"{scenario}+{modifier}") + f"/contact/{IG_FORM}", lang)
            text = _visible_text(page.raw)
            assert apostrophe in text and other not in text, (scenario, lang, text)
    raw = fetch(server.origin_for("cookie-dialog+straight") + f"/help/contact/{AI_FORM}", "fr")
    assert 'aria-label="Autoriser l’utilisation' in raw.raw  # attribute untouched
    assert "Autoriser l'utilisation des cookies de Facebook" in raw.text


def test_unknown_modifier_is_an_unknown_scenario(server: ReplicaServer) -> None:
    """A modifier that does not exist answers 404 like an unknown scenario."""
    assert fetch(server.origin_for("form-available+nope") + "/").status == 404
    assert fetch(server.origin_for("form-available+straight+curly") + "/").status == 200


@pytest.mark.parametrize("path", [f"/help/contact/{AI_FORM}", "/privacy/policy/", "/privacy/genai"])
def test_rate_limit_page(server: ReplicaServer, path: str) -> None:
    """rate-limit: HTTP 200, the message in role=main, a login form in the top bar (the
    real 2022 page's shape); no login-wall text; WhatsApp pages are not affected."""
    texts = {
        "en": ("This feature is temporarily blocked", "misusing this feature by going too fast"),
        "fr": (
            "Cette fonction est temporairement bloquée",
            "Il semble que vous ayez abusé de cette fonctionnalité en l’utilisant trop vite.",
        ),
    }
    for lang, (heading, body) in texts.items():
        result = fetch(server.origin_for("rate-limit") + path, lang)
        assert result.status == 200 and "Location" not in result.headers
        main = result.text.split('<div role="main">', 1)
        assert len(main) == 2 and heading in main[1] and body in main[1]
        banner = main[0]
        assert 'id="login_form"' in banner and 'name="pass"' in banner
        assert not any(wall in result.text for wall in LOGIN_WALL_TEXTS)
        assert "Se connecter à Facebook" not in result.text
    assert "Phone number" in fetch(server.origin_for("rate-limit") + WA_FORM).text


def test_login_wall_in_place(server: ReplicaServer) -> None:
    """login-in-place: the form URLs answer 200 (no redirect) with the wall: title and a
    header div « Se connecter à Facebook » (not a heading), form#login_form as the content,
    no "you must log in"; the policy is untouched."""
    origin = server.origin_for("login-in-place")
    walls = {
        f"/help/contact/{AI_FORM}": {"en": "Log in to Facebook", "fr": "Se connecter à Facebook"},
        f"/contact/{IG_FORM}": {"en": "Log into Instagram", "fr": "Se connecter à Instagram"},
    }
    for path, titles in walls.items():
        for lang, title in titles.items():
            result = fetch(origin + path, lang)
            assert result.status == 200 and "Location" not in result.headers
            assert f"<title>{title}</title>" in result.text
            assert re.search(rf"<div class=\"_9axz\">{title}</div>", result.text)
            assert not re.search(rf"<h\d[^>]*>{title}", result.text)
            for marker in ('id="login_form"', 'id="email"', 'id="pass"', 'id="loginbutton"'):
                assert marker in result.raw
            assert not any(wall in result.text for wall in LOGIN_WALL_TEXTS)
            assert 'role="alert"' not in result.raw
    assert "droit d’opposition" in fetch(origin + "/privacy/policy/", "fr").text


def test_cookie_dialog_2026_markup(server: ReplicaServer) -> None:
    """Meta's 2026 dialog: div[role=dialog] labelled by its question, div[role=button] controls
    and inert aria-disabled copies drawn first, no data-cookiebanner or data-testid hooks;
    a consent cookie removes it; +cookies-2026 puts it on any scenario."""
    labels = {
        "en": ("Allow the use of cookies from Meta on this browser?", "Decline optional cookies"),
        "fr": ("Autoriser l’utilisation des cookies de Meta sur ce navigateur\u00a0?", None),
    }
    for lang, (title, _) in labels.items():
        raw = fetch(server.origin_for("cookie-dialog-2026") + f"/help/contact/{AI_FORM}", lang)
        assert f'<div role="dialog" aria-modal="true" aria-label="{title}"' in raw.text
        assert "data-cookiebanner" not in raw.raw and "cookie-policy-manage" not in raw.raw
        decline = "Decline optional cookies" if lang == "en" else "Refuser les cookies optionnels"
        accept = "Allow all cookies" if lang == "en" else "Autoriser tous les cookies"
        buttons = re.findall(r'<div role="button" tabindex="(-1|0)"([^>]*)>', raw.text)
        assert len(buttons) == 4
        assert [b[0] for b in buttons] == ["-1", "-1", "0", "0"]
        assert all('aria-disabled="true"' in b[1] for b in buttons[:2])
        assert [re.search(r'aria-label="([^"]*)"', b[1]).group(1) for b in buttons] == [  # type: ignore[union-attr]
            decline,
            accept,
            decline,
            accept,
        ]
    consented = fetch(
        server.origin_for("cookie-dialog-2026") + "/privacy/policy/", cookie="cookie_consent=all"
    )
    assert 'role="dialog"' not in consented.raw
    on_top = fetch(server.origin_for("form-missing+cookies-2026") + f"/help/contact/{AI_FORM}")
    assert "Allow the use of cookies from Meta" in on_top.text
    assert "This content isn't available right now" in on_top.text
    wa = fetch(server.origin_for("cookie-dialog-2026") + WA_ARTICLE, "fr").text
    assert '<div id="wa_cookie_banner" role="dialog" aria-label="Les cookies sur WhatsApp"' in wa
    assert "Refuser les cookies facultatifs" in wa


def test_whatsapp_article(server: ReplicaServer) -> None:
    """The WhatsApp article links the Contact WhatsApp form in the article (« nous
    contacter » / "contact us"); its footer links only the general contact page. Its
    language follows ?locale= first, then Accept-Language."""
    origin = server.origin_for("form-available")
    for lang, (title, link) in {
        "en": ("How can I object to the processing of my information?", "contact us"),
        "fr": (
            "Comment puis-je m’opposer au traitement de mes informations\u00a0?",
            "nous contacter",
        ),
    }.items():
        page = fetch(origin + WA_ARTICLE, lang)
        assert page.status == 200
        assert re.search(rf"<h1[^>]*>{re.escape(title)}</h1>", page.text)
        assert (WA_FORM_URL, link) in _links(page.text)
        assert ("https://www.whatsapp.com/contact/", "Contact") in _links(page.text)
    assert "m’opposer" in fetch(origin + WA_ARTICLE + "?locale=fr_FR", "en").text
    assert "How can I object" in fetch(origin + WA_ARTICLE + "?locale=en_GB", "fr").text


def test_whatsapp_states(server: ReplicaServer) -> None:
    """no-link: the article is there without a contact form link; article-gone: 404 "This page
    isn't available"; form-unavailable: the form's address says it is no longer available."""
    for lang in ("en", "fr"):
        no_link = fetch(server.origin_for("whatsapp-no-link") + WA_ARTICLE, lang)
        assert no_link.status == 200 and "/contact/forms/" not in no_link.text
        assert "opposer au traitement" in no_link.text or "object to the processing" in (
            no_link.text
        )
        gone = fetch(server.origin_for("whatsapp-article-gone") + WA_ARTICLE, lang)
        assert gone.status == 404 and "/contact/forms/" not in gone.text
        assert ("This page isn't available" if lang == "en" else "Cette page n’est pas") in (
            gone.text
        )
        form = fetch(server.origin_for("whatsapp-form-unavailable") + WA_FORM, lang)
        assert form.status == 200 and "<form" not in form.raw
        article = fetch(server.origin_for("whatsapp-form-unavailable") + WA_ARTICLE, lang)
        assert WA_FORM_URL in article.text


def test_whatsapp_form(server: ReplicaServer) -> None:
    """The Contact WhatsApp form: labelled phone, e-mail and message fields, a Send button
    that cannot post; www.whatsapp.com/contact is a page without a form."""
    for lang, labels in {
        "en": ("Phone number", "Email address", "How can we help?", "Send"),
        "fr": (
            "Numéro de téléphone",
            "Adresse e-mail",
            "Comment pouvons-nous vous aider\u00a0?",
            "Envoyer",
        ),
    }.items():
        result = fetch(server.origin_for("form-available") + WA_FORM, lang)
        assert result.status == 200
        for control, label in zip(("wa_phone", "wa_email", "wa_message"), labels, strict=False):
            assert f'<label for="{control}" class="' in result.raw
            assert f">{label}</label>" in result.text
        assert re.search(rf'<button type="submit"[^>]*>{labels[3]}</button>', result.text)
        assert 'onsubmit="return false;"' in result.raw
        contact = fetch(server.origin_for("form-available") + "/contact/", lang)
        assert contact.status == 200 and "<form" not in contact.raw


@pytest.mark.parametrize(
    ("scenario", "path"),
    [
        ("transient-error", WA_ARTICLE),
        ("rate-limit", "/privacy/policy/"),
        ("login-in-place", f"/help/contact/{AI_FORM}"),
        ("cookie-dialog-2026", f"/help/contact/{AI_FORM}"),
        ("form-available", WA_ARTICLE),
        ("form-available", WA_FORM),
    ],
)
def test_issue_11_pages_load_nothing(server: ReplicaServer, scenario: str, path: str) -> None:
    """No images, external scripts or stylesheets on the new pages either."""
    raw = fetch(server.origin_for(scenario) + path).raw
    assert not re.search(OFFSITE, raw)


def test_demo_origins_cover_every_shipped_flow() -> None:
    """Every host a shipped flow starts at or is sent to is one of DEMO_ORIGINS."""
    from urllib.parse import urlsplit

    from conftest import FLOWS

    from optout.flow.loader import load_flow
    from optout.replica import DEMO_ORIGINS

    hosts = {f"https://{urlsplit(load_flow(p).start).netloc}" for p in FLOWS.glob("*.yaml")}
    hosts |= {"https://www.whatsapp.com"}  # the WhatsApp form the article links
    assert hosts <= set(DEMO_ORIGINS)
    assert all(re.fullmatch(r"https://[a-z.-]+", origin) for origin in DEMO_ORIGINS)


def test_listing_shows_modifiers() -> None:
    """The listing documents the modifiers and the WhatsApp pages."""
    text = "\n".join(listing(lambda name: f"http://127.0.0.1:1/{name}"))
    for modifier in ("+cookies-2026", "+straight", "+curly"):
        assert modifier in text
    assert "faq.whatsapp.com" in text and "transient-error-form" in text
