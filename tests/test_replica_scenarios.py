"""HTTP-level tests of the replica's later scenarios: notifications, the 2024 pre-form, the
generic-form-only policy, more unavailable pages, a login form in the header, help.meta.com."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_replica import Result
from test_replica import fetch as _fetch

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
    """GET ``url`` without following redirects (see test_replica.fetch)."""
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
        assert not re.search(r"<(img|link|iframe)\b|\bsrc=|@import|url\(", raw), (scenario, path)


def test_listing_shows_new_scenarios_and_captures(tmp_path: Path) -> None:
    """The CLI listing names the new scenarios and, given a folder, one line per capture."""
    (tmp_path / "a_capture.html").write_text("<html><body>x</body></html>")
    text = "\n".join(listing(lambda name: f"http://127.0.0.1:1/{name}", tmp_path))
    for name in ("notification-ai", "preform", "policy-generic-only", "header-login"):
        assert f"--map-origin https://www.facebook.com=http://127.0.0.1:1/{name}" in text
    assert "capture/<file-stem>" in text and str(tmp_path) in text
    assert "--map-origin https://www.facebook.com=http://127.0.0.1:1/capture/a_capture" in text
