"""HTTP-level tests of the local Meta replica (no browser, no real web)."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.error
from collections.abc import Iterator

import pytest
from helpers import OFFSITE, fetch

from optout.replica import SCENARIOS, ReplicaServer
from optout.replica import server as server_module
from optout.replica.__main__ import listing
from optout.replica.scenarios import BEHAVIOURS, Incoming, route

AI_FORM = "6359191084165019"
FR_FORM = "712876720715583"
IG_FORM = "233964459562201"
IG_OTHER_FORM = "767264225370182"
GENERIC_FORM = "1994830130782319"
THIRD_PARTY_FORM = "1266025207620918"
FORM_PATH = f"/help/contact/{AI_FORM}"
UNAVAILABLE_MARKERS = ("isn't available", "n'est pas disponible")


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    """One replica server shared by the module's tests."""
    with ReplicaServer(port=0) as srv:
        yield srv


def _norm(text: str) -> str:
    return text.replace("’", "'").lower()


# (scenario, path, status, English text, French text)
CASES = [
    (
        "form-available",
        FORM_PATH,
        200,
        "Object to Your Information Being Used for AI at Meta",
        "Vous opposer à l’utilisation de vos informations pour l’IA chez Meta",
    ),
    ("form-available", f"/help/contact/{FR_FORM}?x=1", 200, "Send", "Envoyer"),
    (
        "form-available",
        f"/contact/{IG_FORM}",
        200,
        "Instagram Help Center",
        "Pages d’aide Instagram",
    ),
    ("form-available", "/privacy/policy/", 200, "right to object", "droit d’opposition"),
    (
        "form-available",
        "/privacy/genai",
        200,
        "How Meta uses information for generative AI models",
        "Comment Meta utilise les informations pour les modèles d’IA générative",
    ),
    ("form-available", "/", 200, "Facebook helps you connect", "Avec Facebook"),
    (
        "form-available",
        "/no/such/page",
        404,
        "This page isn't available",
        "Cette page n’est pas disponible",
    ),
    (
        "form-missing",
        FORM_PATH,
        200,
        "This content isn't available right now",
        "Ce contenu n’est pas disponible pour le moment",
    ),
    ("form-missing", "/privacy/policy", 200, "right to object", "droit d’opposition"),
    (
        "form-missing-404",
        FORM_PATH,
        404,
        "This content isn’t available right now",
        "Ce contenu n’est pas disponible pour le moment",
    ),
    ("login-wall", "/login/?next=x", 200, "Log into Facebook", "Connectez-vous à Facebook"),
    (
        "login-wall",
        "/login.php",
        200,
        "You must log in to continue.",
        "Vous devez vous connecter pour continuer.",
    ),
    ("checkpoint", "/checkpoint/", 200, "Security check", "Contrôle de sécurité"),
    (
        "checkpoint",
        "/checkpoint/?next=x",
        200,
        "Confirm you're human",
        "Confirmez que vous êtes un humain",
    ),
    (
        "cookie-dialog",
        FORM_PATH,
        200,
        "Allow the use of cookies from Facebook on this browser?",
        "Autoriser l’utilisation des cookies de Facebook sur ce navigateur ?",
    ),
    (
        "cookie-dialog-stuck",
        "/privacy/policy/",
        200,
        "Decline optional cookies",
        "Refuser les cookies optionnels",
    ),
    ("late-render", "/privacy/policy/", 200, "right to object", "droit d’opposition"),
    (
        "http-500",
        FORM_PATH,
        500,
        "Sorry, something went wrong.",
        "Désolé, une erreur s’est produite.",
    ),
    (
        "policy-no-link",
        "/privacy/policy/",
        200,
        "We're delaying our plans to use information for AI at Meta",
        "Nous reportons notre projet d’utilisation des informations pour l’IA chez Meta",
    ),
    ("policy-no-link", FORM_PATH, 200, "Send", "Envoyer"),
    ("redesigned", FORM_PATH, 200, "How to manage your information", "Gérer vos informations"),
    ("form-redirect", f"/help/contact/{FR_FORM}", 200, "Send", "Envoyer"),
    (
        "form-redirect",
        "/privacy/policy/?entry=redirect",
        200,
        "right to object",
        "droit d’opposition",
    ),
    (
        "transient-error",
        FORM_PATH,
        200,
        "This page isn't available at the moment",
        "Cette page n’est pas disponible pour le moment",
    ),
    (
        "transient-error",
        "/privacy/policy/",
        200,
        "technical error that we're working to fix",
        "erreur technique que nous nous efforçons de corriger",
    ),
    (
        "transient-error-form",
        f"/contact/{IG_FORM}",
        200,
        "An unexpected error has occurred. Try reloading the page or come back later.",
        "Une erreur s'est produite. Essayez d'actualiser la page ou revenez plus tard.",
    ),
    ("transient-error-form", "/privacy/policy/", 200, "right to object", "droit d’opposition"),
    (
        "rate-limit",
        FORM_PATH,
        200,
        "This feature is temporarily blocked",
        "Cette fonction est temporairement bloquée",
    ),
    ("login-in-place", FORM_PATH, 200, "Log in to Facebook", "Se connecter à Facebook"),
    (
        "cookie-dialog-2026",
        FORM_PATH,
        200,
        "Allow the use of cookies from Meta on this browser?",
        "Autoriser l’utilisation des cookies de Meta sur ce navigateur\u00a0?",
    ),
    (
        "form-available",
        "/1285115568956956/",
        200,
        "How can I object to the processing of my information?",
        "Comment puis-je m’opposer au traitement de mes informations\u00a0?",
    ),
    (
        "form-available",
        "/contact/forms/1534459096974129",
        200,
        "Phone number",
        "Numéro de téléphone",
    ),
    (
        "whatsapp-article-gone",
        "/1285115568956956/",
        404,
        "This page isn't available",
        "Cette page n’est pas disponible",
    ),
    (
        "whatsapp-form-unavailable",
        "/contact/forms/1534459096974129",
        200,
        "This form is no longer available",
        "Ce formulaire n’est plus disponible",
    ),
]


@pytest.mark.parametrize(("scenario", "path", "status", "en", "fr"), CASES)
def test_scenario_status_and_texts(
    server: ReplicaServer, scenario: str, path: str, status: int, en: str, fr: str
) -> None:
    """Each scenario page answers the expected status and key text in English and French."""
    for lang, expected in (("en", en), ("fr", fr)):
        result = fetch(server.origin_for(scenario) + path, lang)
        assert result.status == status, (scenario, path, lang)
        assert expected in result.text, (scenario, path, lang)
        assert f'<html lang="{lang}"' in result.raw


def test_scenario_names_are_exact() -> None:
    """SCENARIOS holds exactly the forty-nine documented names with descriptions."""
    assert set(SCENARIOS) == {
        "form-available",
        "form-missing",
        "form-missing-404",
        "login-wall",
        "checkpoint",
        "cookie-dialog",
        "cookie-dialog-stuck",
        "late-render",
        "http-500",
        "hang",
        "policy-no-link",
        "redesigned",
        "form-redirect",
        "help-redirect",
        "demo",
        "notification-ai",
        "notification-none",
        "notification-no-link",
        "preform",
        "policy-generic-only",
        "form-missing-curly",
        "page-missing",
        "header-login",
        "policy-collapsed",
        "form-article",
        "transient-error",
        "transient-error-form",
        "rate-limit",
        "login-in-place",
        "cookie-dialog-2026",
        "whatsapp-no-link",
        "whatsapp-article-gone",
        "whatsapp-form-unavailable",
        "capture-policy-2024",
        "capture-login-wall",
        "capture-eu-2026",
        "session-expired",
        "stall",
        "redirect-loop",
        "js-dialogs",
        "popup-window",
        "download",
        "huge-page",
        "navigate-away",
        "overlay-cover",
        "infinite-scroll",
        "console-flood",
        "non-eu",
        "genai-login-note",
    }
    assert all(SCENARIOS.values())
    assert set(BEHAVIOURS) == set(SCENARIOS)


def test_origin_for_and_url(server: ReplicaServer) -> None:
    """url and origin_for build local addresses on the bound port."""
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
    assert server.origin_for("form-available") == server.url + "/form-available"


def test_headers(server: ReplicaServer) -> None:
    """Pages are UTF-8 HTML and never cached."""
    result = fetch(server.origin_for("form-available") + FORM_PATH)
    assert result.headers["Content-Type"] == "text/html; charset=utf-8"
    assert result.headers["Cache-Control"] == "no-store"


def test_form_fields(server: ReplicaServer) -> None:
    """The form has labelled select, e-mail input, textarea and a submit that cannot post."""
    raw = fetch(server.origin_for("form-available") + FORM_PATH, "fr").raw
    for control in (
        r"<select id=\"([^\"]+)\"",
        r"<input type=\"email\" id=\"([^\"]+)\"",
        r"<textarea id=\"([^\"]+)\"",
    ):
        match = re.search(control, raw)
        assert match, control
        assert f'<label for="{match.group(1)}"' in raw
    assert 'action="#"' in raw
    assert 'onsubmit="return false;"' in raw
    assert re.search(r'<button type="submit"[^>]*>Envoyer</button>', raw)


def test_unavailable_apostrophes(server: ReplicaServer) -> None:
    """form-missing uses a straight apostrophe in English, form-missing-404 a curly one."""
    missing = fetch(server.origin_for("form-missing") + FORM_PATH).text
    missing_404 = fetch(server.origin_for("form-missing-404") + FORM_PATH).text
    assert "This content isn't available right now" in missing
    assert "This content isn’t available right now" in missing_404
    assert "Go to News Feed" in missing
    assert "it's usually because the owner only shared it" in missing


def test_policy_links(server: ReplicaServer) -> None:
    """The 2024 banner links the AI form with an absolute URL; legal bases link the generic form."""
    for lang, label in (("en", "right to object"), ("fr", "droit d’opposition")):
        text = fetch(server.origin_for("form-available") + "/privacy/policy/", lang).text
        assert f'href="https://www.facebook.com/help/contact/{AI_FORM}"' in text
        assert re.search(rf'help/contact/{AI_FORM}"[^>]*>{label}</a>', text)
        assert f"https://www.facebook.com/help/contact/{GENERIC_FORM}" in text
        assert "/privacy/genai" in text
    genai = fetch(server.origin_for("form-available") + "/privacy/genai", "fr").text
    assert re.search(rf'help/contact/{AI_FORM}"[^>]*>vous opposer</a>', genai)
    assert f"help/contact/{THIRD_PARTY_FORM}" in genai


def test_policy_no_link_has_no_ai_form(server: ReplicaServer) -> None:
    """policy-no-link keeps only the generic and third-party forms."""
    for lang in ("en", "fr"):
        policy = fetch(server.origin_for("policy-no-link") + "/privacy/policy/", lang).text
        genai = fetch(server.origin_for("policy-no-link") + "/privacy/genai", lang).text
        assert AI_FORM not in policy and AI_FORM not in genai
        assert GENERIC_FORM in policy
        assert THIRD_PARTY_FORM in genai


def test_redesigned_has_no_markers(server: ReplicaServer) -> None:
    """redesigned shows no form, no unavailable marker, no login and no objection links."""
    for lang in ("en", "fr"):
        page = fetch(server.origin_for("redesigned") + FORM_PATH, lang).text
        assert "<form" not in page
        assert not any(m in _norm(page) for m in UNAVAILABLE_MARKERS)
        assert 'name="pass"' not in page
        policy = fetch(server.origin_for("redesigned") + "/privacy/policy/", lang).text
        assert "help/contact" not in policy


def test_http_500_has_no_unavailable_markers(server: ReplicaServer) -> None:
    """The 500 error page must not look like the form-unavailable page."""
    for lang in ("en", "fr"):
        result = fetch(server.origin_for("http-500") + "/privacy/policy/", lang)
        assert result.status == 500
        assert not any(m in _norm(result.text) for m in UNAVAILABLE_MARKERS)


def test_login_wall_redirect(server: ReplicaServer) -> None:
    """login-wall redirects with a scenario-relative Location carrying the real URL in next."""
    result = fetch(server.origin_for("login-wall") + FORM_PATH + "?x=1")
    assert result.status == 302
    assert result.headers["Location"] == (
        "/login-wall/login/?next=https%3A%2F%2Fwww.facebook.com%2Fhelp%2Fcontact%2F"
        f"{AI_FORM}%3Fx%3D1"
    )
    login = fetch(server.origin_for("login-wall") + "/login/?next=abc").raw
    assert 'name="email"' in login and 'name="pass"' in login


def test_checkpoint_redirect(server: ReplicaServer) -> None:
    """checkpoint redirects every other path to /checkpoint/?next=..."""
    result = fetch(server.origin_for("checkpoint") + "/privacy/policy/")
    assert result.status == 302
    assert result.headers["Location"] == (
        "/checkpoint/checkpoint/?next=https%3A%2F%2Fwww.facebook.com%2Fprivacy%2Fpolicy%2F"
    )
    page = fetch(server.origin_for("checkpoint") + "/checkpoint/").raw
    assert 'id="checkpointSubmitButton"' in page


def test_form_redirect_locations(server: ReplicaServer) -> None:
    """form-redirect: 301 to the May-2025 form id, 302 for the policy page."""
    form = fetch(server.origin_for("form-redirect") + FORM_PATH)
    assert form.status == 301
    assert form.headers["Location"] == f"/form-redirect/help/contact/{FR_FORM}"
    policy = fetch(server.origin_for("form-redirect") + "/privacy/policy/")
    assert policy.status == 302
    assert policy.headers["Location"] == "/form-redirect/privacy/policy/?entry=redirect"


def test_help_redirect_location(server: ReplicaServer) -> None:
    """help-redirect sends form ids to help.meta.com, an origin the replica does not serve."""
    for path in (FORM_PATH, f"/contact/{IG_FORM}"):
        result = fetch(server.origin_for("help-redirect") + path)
        assert result.status == 302
        assert result.headers["Location"] == "https://help.meta.com/support/privacy"


def test_cookie_dialog_markup_and_consent(server: ReplicaServer) -> None:
    """The dialog hides the content; a consent cookie removes it, except when stuck."""
    url = server.origin_for("cookie-dialog") + FORM_PATH
    raw = fetch(url, "fr").raw
    assert 'role="dialog" aria-modal="true" data-testid="cookie-policy-manage-dialog"' in raw
    assert re.search(r'<div role="button" tabindex="0"[^>]*accept_only_essential_button', raw)
    assert re.search(r'<button[^>]*data-cookiebanner="accept_button"', raw)
    assert 'id="mount_0_0_Rq" aria-hidden="true"' in raw
    assert 'document.cookie = "cookie_consent="' in raw
    consented = fetch(url, "fr", cookie="cookie_consent=essential").raw
    assert "cookie-policy-manage-dialog" not in consented
    assert 'id="mount_0_0_Rq" aria-hidden' not in consented
    stuck = fetch(server.origin_for("cookie-dialog-stuck") + FORM_PATH, cookie="cookie_consent=all")
    assert "cookie-policy-manage-dialog" in stuck.raw
    assert "document.cookie" not in stuck.raw
    plain = fetch(server.origin_for("form-available") + FORM_PATH).raw
    assert "cookie-policy-manage-dialog" not in plain


def test_late_render_skeleton(server: ReplicaServer) -> None:
    """late-render serves a marker-free skeleton whose script inserts the form after a delay."""
    url = server.origin_for("late-render") + f"/help/contact/{AI_FORM}"
    for lang, marker in (("en", "Send"), ("fr", "Envoyer")):
        result = fetch(url, lang)
        assert result.status == 200
        assert marker not in result.text and "<form" not in result.raw
        assert 'role="progressbar"' in result.raw
        assert "var delay = 1500;" in result.raw
    assert "var delay = 250;" in fetch(url + "?delay_ms=250").raw


def test_head_request(server: ReplicaServer) -> None:
    """HEAD answers like GET without a body."""
    result = fetch(server.origin_for("form-available") + FORM_PATH, method="HEAD")
    assert result.status == 200 and result.raw == ""


def test_post_is_refused_and_recorded(server: ReplicaServer) -> None:
    """Any POST gets 405 and is still recorded in server.requests."""
    path = f"/form-available/help/contact/{AI_FORM}?submit=1"
    result = fetch(server.url + path, method="POST")
    assert result.status == 405
    assert ("POST", path) in server.requests
    assert fetch(server.origin_for("login-wall") + "/login/", method="POST").status == 405


def test_requests_recorded(server: ReplicaServer) -> None:
    """GET requests are recorded as (method, raw path with query)."""
    fetch(server.origin_for("form-missing") + "/privacy/genai/?a=b")
    assert ("GET", "/form-missing/privacy/genai/?a=b") in server.requests


def test_unknown_scenario(server: ReplicaServer) -> None:
    """An unknown scenario answers 404 with the list of scenarios."""
    result = fetch(server.url + "/no-such-scenario/help/contact/1")
    assert result.status == 404
    assert all(name in result.text for name in SCENARIOS)


def test_no_external_resources(server: ReplicaServer) -> None:
    """Pages load nothing from the network: no images, external scripts or stylesheets."""
    for scenario in ("form-available", "cookie-dialog", "late-render", "login-wall"):
        for path in (FORM_PATH, "/privacy/policy/", "/login/"):
            raw = fetch(server.origin_for(scenario) + path).raw
            assert not re.search(OFFSITE, raw)


def test_hang_times_out() -> None:
    """A hang request never answers: a 1 s client timeout expires."""
    with ReplicaServer(port=0) as srv:
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            fetch(srv.origin_for("hang") + FORM_PATH, timeout=1)
        assert ("GET", "/hang" + FORM_PATH) in srv.requests


def test_stop_is_prompt_during_hang() -> None:
    """stop() returns within 2 s while a hang request is in progress."""
    srv = ReplicaServer(port=0).start()
    errors: list[BaseException] = []

    def client() -> None:
        try:
            fetch(srv.origin_for("hang") + "/privacy/policy/", timeout=30)
        except Exception as exc:  # the connection is closed without an answer
            errors.append(exc)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not srv.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.requests, "hang request never arrived"
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 2
    thread.join(timeout=3)
    assert not thread.is_alive()
    assert errors


# --- demo: one scenario, a different page state per form id ---------------------------


def test_demo_overrides_name_plain_scenarios() -> None:
    """Every demo override names a known scenario that has no overrides of its own."""
    overrides = BEHAVIOURS["demo"].overrides
    assert overrides
    assert all(not BEHAVIOURS[target].overrides for target in overrides.values())


def test_demo_ai_form_behind_cookie_dialog(server: ReplicaServer) -> None:
    """The AI form renders behind the closable cookie dialog, which consent removes."""
    url = server.origin_for("demo") + FORM_PATH
    result = fetch(url)
    assert result.status == 200
    assert "Object to Your Information Being Used for AI at Meta" in result.text
    assert "cookie-policy-manage-dialog" in result.raw and "document.cookie" in result.raw
    consented = fetch(url, cookie="cookie_consent=essential")
    assert "cookie-policy-manage-dialog" not in consented.raw and "Send" in consented.text


def test_demo_fr_form_unavailable(server: ReplicaServer) -> None:
    """The May-2025 form id shows the unavailable page with status 200."""
    result = fetch(server.origin_for("demo") + f"/help/contact/{FR_FORM}")
    assert result.status == 200
    assert "This content isn't available right now" in result.text


def test_demo_third_party_form_login_wall(server: ReplicaServer) -> None:
    """The third-party form redirects to the demo login page, which renders."""
    result = fetch(server.origin_for("demo") + f"/help/contact/{THIRD_PARTY_FORM}")
    assert result.status == 302
    assert result.headers["Location"] == (
        f"/demo/login/?next=https%3A%2F%2Fwww.facebook.com%2Fhelp%2Fcontact%2F{THIRD_PARTY_FORM}"
    )
    login = fetch(server.origin_for("demo") + "/login/?next=abc")
    assert login.status == 200
    assert "Log into Facebook" in login.text and 'name="pass"' in login.raw


def test_demo_instagram_form_http_500(server: ReplicaServer) -> None:
    """The Instagram AI form answers status 500 with Meta's error page."""
    result = fetch(server.origin_for("demo") + f"/contact/{IG_FORM}")
    assert result.status == 500
    assert "Sorry, something went wrong." in result.text


def test_demo_other_instagram_form_is_article(server: ReplicaServer) -> None:
    """The other Instagram form id shows the unrelated help article, without a form."""
    result = fetch(server.origin_for("demo") + f"/contact/{IG_OTHER_FORM}")
    assert result.status == 200
    assert "How to manage your information" in result.text and "<form" not in result.raw


def test_demo_policy_links_ai_form(server: ReplicaServer) -> None:
    """The policy is the 2024 one whose objection banner links the AI form."""
    result = fetch(server.origin_for("demo") + "/privacy/policy/")
    assert result.status == 200
    assert re.search(rf'help/contact/{AI_FORM}"[^>]*>right to object</a>', result.text)


def test_demo_genai_without_ai_link(server: ReplicaServer) -> None:
    """The genai page links only the third-party form, not the AI objection form."""
    result = fetch(server.origin_for("demo") + "/privacy/genai")
    assert result.status == 200
    assert "How Meta uses information for generative AI models" in result.text
    assert AI_FORM not in result.text and f"help/contact/{THIRD_PARTY_FORM}" in result.text


def test_demo_everything_else_form_available(server: ReplicaServer) -> None:
    """Other form ids and pages answer as in form-available, without a cookie dialog."""
    result = fetch(server.origin_for("demo") + f"/help/contact/{GENERIC_FORM}", "fr")
    assert result.status == 200
    assert "Envoyer" in result.text and "cookie-policy-manage-dialog" not in result.raw
    assert fetch(server.origin_for("demo") + "/").status == 200
    assert fetch(server.origin_for("demo") + "/no/such/page").status == 404


def test_listing_shows_demo_overrides() -> None:
    """The ``python -m optout.replica`` listing names each demo override and its scenario."""
    text = "\n".join(listing(lambda name: f"http://127.0.0.1:1/{name}"))
    assert "a mix of states, one per form id, for `optout demo`" in text
    assert re.search(rf"{THIRD_PARTY_FORM} +as login-wall", text)
    assert re.search(r"genai +as policy-no-link", text)
    assert "--map-origin https://www.facebook.com=http://127.0.0.1:1/demo" in text


# --- hostile pages: answers that stall, loop, download or never end -----------------------


def raw_get(server: ReplicaServer, path: str, timeout: float = 10) -> socket.socket:
    """A client socket that has sent ``GET <scenario path> HTTP/1.0`` and reads nothing yet."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\nAccept-Language: en\r\n\r\n".encode())
    return sock


def read_until(sock: socket.socket, marker: bytes, limit: int = 1_000_000) -> bytes:
    """Read from ``sock`` until ``marker`` has arrived (or the peer closes)."""
    data = b""
    while marker not in data and len(data) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def wait_idle(server: ReplicaServer, within: float) -> bool:
    """Whether the server has no request in flight within ``within`` seconds."""
    deadline = time.monotonic() + within
    while server.in_flight and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.in_flight == 0


def test_stall_sends_the_page_start_then_nothing_and_ends_when_the_client_leaves() -> None:
    """A stalled form page sends its start, no form, then nothing until its client leaves."""
    with ReplicaServer(port=0) as srv:
        sock = raw_get(srv, f"/stall{FORM_PATH}")
        data = read_until(sock, b"Object to Your Information")
        head = data.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1.0 200") and b"content-length" not in head
        assert b"Object to Your Information Being Used for AI at Meta" in data
        assert b"<form" not in data
        sock.settimeout(1.5)
        with pytest.raises(TimeoutError):
            sock.recv(65536)
        assert srv.in_flight == 1
        sock.close()
        assert wait_idle(srv, 3), "the stalled answer outlived its client"


def test_stall_and_hang_end_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stalled or hanging answer whose client stays is closed by the server at its cap."""
    monkeypatch.setattr(server_module, "HANG_CAP_SECONDS", 1.0)
    with ReplicaServer(port=0) as srv:
        for path in (f"/stall{FORM_PATH}", f"/hang{FORM_PATH}"):
            sock = raw_get(srv, path)
            started = time.monotonic()
            read_until(sock, b"\0")  # everything, until the server closes
            assert time.monotonic() - started < 5, path
            sock.close()
        assert wait_idle(srv, 3)


def test_huge_page_streams_50_mb_without_holding_it(server: ReplicaServer) -> None:
    """The huge page is 50 MB sent as it is generated: the reply holds a stream, not the page."""
    reply = route(Incoming("GET", "huge-page", FORM_PATH, ""))
    assert len(reply.body) < 100_000 and isinstance(reply.stream, Iterator)
    sock = raw_get(server, f"/huge-page{FORM_PATH}", timeout=30)
    first = read_until(sock, b'data-sjs>{"require":[')
    total, tail = len(first), b""
    while chunk := sock.recv(1 << 20):
        total, tail = total + len(chunk), (tail + chunk)[-200:]
    sock.close()
    head = first.split(b"\r\n\r\n", 1)[0].lower()
    assert b"content-length" not in head
    assert b'<input type="email"' in first  # the form comes first, the 50 MB after it
    assert total >= 50 * 1024 * 1024
    assert tail.rstrip().endswith(b"</html>")


def test_redirect_loop_sends_each_form_id_to_the_other(server: ReplicaServer) -> None:
    """In redirect-loop the two form ids redirect (302) to each other."""
    first = fetch(server.origin_for("redirect-loop") + FORM_PATH)
    second = fetch(server.origin_for("redirect-loop") + f"/help/contact/{FR_FORM}")
    assert (first.status, first.headers["Location"]) == (
        302,
        f"/redirect-loop/help/contact/{FR_FORM}",
    )
    assert (second.status, second.headers["Location"]) == (302, f"/redirect-loop{FORM_PATH}")


def test_download_answers_an_attachment(server: ReplicaServer) -> None:
    """In download the form page is a PDF attachment, with one Content-Type."""
    result = fetch(server.origin_for("download") + FORM_PATH)
    assert result.status == 200
    assert result.headers.get_all("Content-Type") == ["application/pdf"]
    assert result.headers["Content-Disposition"] == 'attachment; filename="objection-form.pdf"'
    assert result.raw.startswith("%PDF-")


@pytest.mark.parametrize(
    ("scenario", "script"),
    [
        ("js-dialogs", "beforeunload"),
        ("popup-window", "window.open("),
        ("navigate-away", "location.assign("),
        ("overlay-cover", "replica_overlay"),
        ("infinite-scroll", "IntersectionObserver"),
        ("console-flood", "console.log("),
    ],
)
def test_scripted_hostile_pages_hold_the_form_and_their_script(
    server: ReplicaServer, scenario: str, script: str
) -> None:
    """Each scripted hostile page is the whole form plus its script, loading nothing offsite."""
    result = fetch(server.origin_for(scenario) + FORM_PATH)
    assert result.status == 200
    assert "Object to Your Information Being Used for AI at Meta" in result.text
    assert '<input type="email"' in result.raw and ">Send</button>" in result.raw
    assert script in result.raw
    assert not re.search(OFFSITE, result.raw)


@pytest.mark.parametrize("scenario", ["stall", "redirect-loop", "download", "huge-page"])
def test_hostile_scenarios_answer_other_pages_as_usual(
    server: ReplicaServer, scenario: str
) -> None:
    """Outside the form ids, a hostile scenario answers as form-available."""
    result = fetch(server.origin_for(scenario) + "/privacy/policy/")
    assert result.status == 200 and "right to object" in result.text
    assert result.headers["Content-Length"] == str(len(result.raw.encode()))
