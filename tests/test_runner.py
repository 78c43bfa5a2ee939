"""The runner on its own: one flow on one page served from memory, no CLI, no files.

pytest-playwright's `page` fixture is synchronous and the runner is async, so these tests
start the same browser (pytest-playwright's launch arguments) through the async API in one
event loop for the whole module, and serve each page's HTML by routing its real URL.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar, get_args

import pytest
import structlog
import yaml
from structlog.testing import capture_logs

from optout.check import target
from optout.check.events import Bus, RunStarted
from optout.check.results import FinalCapture, FlowResult, StepRecord
from optout.check.runner import FlowRunner, Timeouts
from optout.check.steps import HANDLERS
from optout.flow.model import STEP_ACTIONS, STEP_MODELS, Flow, RunnableStep
from optout.flow.verdicts import Verdict

T = TypeVar("T")
FORM_URL = "https://www.facebook.com/help/contact/6359191084165019"
POLICY_URL = "https://www.facebook.com/privacy/policy/"

FORM_FLOW = f"""
id: form
name: form
start: {FORM_URL}
target:
  url: "/help/contact/6359191084165019"
  present:
    - {{role: textbox, name: "e-mail|email"}}
    - {{role: button, name: "^(envoyer|send)$"}}
  missing_when:
    - text: "this page isn't available|this content isn't available|page n'est pas disponible"
      reason: unavailable page
blocked_when:
  - text: "this feature is temporarily blocked|cette fonction est temporairement bloquée"
    reason: rate-limited
"""

POLICY_FLOW = f"""
id: policy
name: policy
start: {POLICY_URL}
steps:
  - click: {{role: link, name: "right to object", href: "/help/contact/6359191084165019"}}
    absent: missing
target:
  url: "/help/contact/6359191084165019"
  present:
    - {{role: textbox, name: "e-mail|email"}}
"""

FORM_HTML = """<title>Object to Your Information Being Used for AI at Meta</title>
<main><h1>Object</h1><form><label>Email <input type=email name=email></label>
<textarea aria-label="Please tell us how this processing impacts you"></textarea>
<button type=submit>Send</button></form>
<p>If the code does not arrive, please try again later.</p></main>"""


class AsyncBrowser:
    """One async Playwright browser, driven from one event loop in its own thread."""

    def __init__(self, launch_args: dict[str, Any]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.launch_args = launch_args
        self.run(self._start())

    async def _start(self) -> None:
        from playwright.async_api import async_playwright

        self.pw = await async_playwright().start()
        self.browser = await self.pw.chromium.launch(**self.launch_args)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def close(self) -> None:
        async def stop() -> None:
            await self.browser.close()
            await self.pw.stop()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def abrowser(browser_type_launch_args: dict[str, Any]) -> Iterator[AsyncBrowser]:
    """The browser pytest-playwright would launch, through the async API."""
    driver = AsyncBrowser({**browser_type_launch_args, "headless": True})
    yield driver
    driver.close()


def check(
    abrowser: AsyncBrowser,
    flow_yaml: str,
    pages: dict[str, str],
    step_timeout: float = 2.0,
    shots: list[bytes] | None = None,
) -> tuple[FlowResult, FinalCapture]:
    """Run one flow once on pages served from memory (any other URL answers 404)."""
    flow = Flow.model_validate(yaml.safe_load(flow_yaml))

    def on_step(record: StepRecord, png: bytes | None) -> None:
        if shots is not None and png:
            shots.append(png)

    async def go() -> tuple[FlowResult, FinalCapture]:
        context = await abrowser.browser.new_context()

        async def serve(route: Any) -> None:
            url = route.request.url
            if url in pages:
                await route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=pages[url]
                )
            else:
                await route.fulfill(status=404, content_type="text/html", body="not here")

        await context.route("**/*", serve)
        page = await context.new_page()
        try:
            runner = FlowRunner(
                flow,
                "en-GB",
                page,
                timeouts=Timeouts(step=step_timeout, navigation=5.0),
                on_step=on_step,
            )
            return await runner.run()
        finally:
            await context.close()

    return abrowser.run(go())


def test_every_step_type_has_exactly_one_handler() -> None:
    """The handler table covers the runnable step union, and the action names come from it."""
    assert set(HANDLERS) == set(get_args(RunnableStep))
    assert tuple(m.ACTION for m in STEP_MODELS) == STEP_ACTIONS
    assert set(STEP_ACTIONS) == {m.ACTION for m in get_args(RunnableStep)} | {"use"}


def test_form_page_is_available_and_its_title_is_recorded(abrowser: AsyncBrowser) -> None:
    """A page with the form's fields is available, even if it says "try again" elsewhere."""
    result, final = check(abrowser, FORM_FLOW, {FORM_URL: FORM_HTML})
    assert result.verdict is Verdict.AVAILABLE, result.reason
    assert result.title == "Object to Your Information Being Used for AI at Meta"
    assert final.html and "Send" in final.html


@pytest.mark.parametrize(
    ("body", "quoted"),
    [
        (
            "<h1>This page isn't available at the moment</h1><p>This may be because of a "
            "technical error that we're working to fix. Please try reloading this page.</p>",
            "This may be because of a technical error that we're working to fix.",
        ),
        (
            "<h1>This page isn’t available</h1><p>An unexpected error has occurred. Try "
            "reloading the page or come back later.</p>",
            "An unexpected error has occurred. Try reloading the page or come back later.",
        ),
        (
            "<h1>Cette page n’est pas disponible</h1><p>Une erreur s’est produite. Veuillez "
            "réessayer plus tard.</p>",
            "Une erreur s’est produite. Veuillez réessayer plus tard.",
        ),
    ],
)
def test_a_transient_error_beats_an_unavailable_heading(
    abrowser: AsyncBrowser, body: str, quoted: str
) -> None:
    """A page that says "unavailable" and "try again" is unreachable, quoting the failure."""
    result, _ = check(abrowser, FORM_FLOW, {FORM_URL: body})
    assert result.verdict is Verdict.UNREACHABLE, result.reason
    assert result.rule == "transient error"
    assert quoted in result.reason


def test_an_unavailable_page_quotes_what_it_showed(abrowser: AsyncBrowser) -> None:
    """A removed page without failure words is missing, and the reason quotes its heading."""
    body = (
        "<h1>This page isn't available</h1><p>The link you followed may be broken, or the "
        "page may have been removed.</p>"
    )
    result, _ = check(abrowser, FORM_FLOW, {FORM_URL: body})
    assert result.verdict is Verdict.MISSING, result.reason
    assert result.reason == f'unavailable page: "This page isn\'t available" at {FORM_URL}'


def test_a_wall_reason_says_which_wall_and_quotes_it(abrowser: AsyncBrowser) -> None:
    """A blocked marker's reason names what it means and quotes the page's words."""
    body = (
        "<div role=main><h2>Cette fonction est temporairement bloquée</h2><p>Il semble que "
        "vous ayez abusé de cette fonctionnalité en l’utilisant trop vite.</p></div>"
    )
    result, _ = check(abrowser, FORM_FLOW, {FORM_URL: body})
    assert result.verdict is Verdict.BLOCKED
    assert result.reason.startswith('rate-limited: "Cette fonction est temporairement bloquée"')


def test_a_declared_absence_on_a_failing_page_is_not_missing(abrowser: AsyncBrowser) -> None:
    """A policy page that failed ("something went wrong") without the link is unreachable."""
    body = "<h1>Sorry, something went wrong.</h1><p>We're working on it.</p>"
    result, _ = check(abrowser, POLICY_FLOW, {POLICY_URL: body})
    assert result.verdict is Verdict.UNREACHABLE, result.reason
    assert "Sorry, something went wrong." in result.reason


def test_a_declared_absence_on_a_loaded_page_is_missing(abrowser: AsyncBrowser) -> None:
    """A loaded policy page without the link is missing, through the declared absence."""
    body = "<h1>Privacy Policy</h1><p>We use your information to provide our Products.</p>"
    result, _ = check(abrowser, POLICY_FLOW, {POLICY_URL: body})
    assert result.verdict is Verdict.MISSING, result.reason
    assert result.rule == "declared absence"


def test_the_link_is_followed_to_the_form(abrowser: AsyncBrowser) -> None:
    """A click step follows the link it found and the target check sees the form."""
    policy = f'<h1>Privacy Policy</h1><a href="{FORM_URL}">right to object</a>'
    result, _ = check(abrowser, POLICY_FLOW, {POLICY_URL: policy, FORM_URL: FORM_HTML})
    assert result.verdict is Verdict.AVAILABLE, result.reason
    assert [s.status for s in result.steps] == ["ok", "ok", "ok"]


def test_a_failing_listener_is_logged_and_the_run_goes_on() -> None:
    """A progress or log listener that raises is logged; the other listeners still hear."""
    heard: list[object] = []

    def broken(event: object) -> None:
        raise RuntimeError("terminal gone")

    bus = Bus(critical=[heard.append], listeners=[broken, heard.append])
    with capture_logs() as logs:
        bus.emit(RunStarted("r", "t", []))
    assert len(heard) == 2
    assert logs[0]["event"] == "listener.failed"
    assert "terminal gone" in logs[0]["error"]


def test_a_failing_critical_listener_stops_the_run() -> None:
    """The evidence writer's failure propagates: a run never goes on without its evidence."""

    def writer(event: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        Bus(critical=[writer]).emit(RunStarted("r", "t", []))
    structlog.reset_defaults()


NAME = "Zoë Unique-Name-7731"
EMAIL = "zoe.unique.7731@example.org"
PRIVATE_FORM = f"""<title>Object</title>
<style>body {{ margin: 0 }} #profile {{ position: absolute; left: 900px; top: 8px;
  width: 240px; height: 40px; background: #fff; color: #050505 }}</style>
<div id=profile aria-label="Your profile, {NAME}"><img alt="{NAME}" width=32 height=32
  src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"><span>{NAME}</span></div>
<script>window.__user = {{"name": "{NAME}", "email": "{EMAIL}"}};</script>
<main style="margin-top: 80px"><h1>Object</h1>
<form><label>Email <input type=email name=email value="{EMAIL}"></label>
<input type=hidden name=fb_dtsg value="token-secret-7731">
<button type=submit>Send</button></form></main>"""

SESSION_FLOW = FORM_FLOW + """session: facebook
mask:
  - {css: "#profile"}
"""


def test_masked_areas_are_painted_and_personal_data_is_scrubbed(abrowser: AsyncBrowser) -> None:
    """Under a saved login, masked areas are one colour and the saved DOM holds no account data."""
    from io import BytesIO

    from PIL import Image

    shots: list[bytes] = []
    result, final = check(abrowser, SESSION_FLOW, {FORM_URL: PRIVATE_FORM}, shots=shots)
    assert result.verdict is Verdict.AVAILABLE, result.reason
    assert result.session == "facebook"
    assert final.png is not None and shots
    for png in [*shots, final.png]:
        image = Image.open(BytesIO(png)).convert("RGB")
        colours = {c for _, c in image.crop((900, 8, 1140, 48)).getcolors(1 << 16) or []}
        assert colours == {(255, 0, 255)}, colours
    assert final.html is not None and final.aria is not None
    for secret in (NAME, "Unique-Name-7731", EMAIL, "token-secret-7731"):
        assert secret not in final.html
        assert secret not in final.aria
    assert "[masked]" in final.html


def test_a_wall_under_a_saved_login_says_the_session_expired(abrowser: AsyncBrowser) -> None:
    """A flow with a session that meets a wall is blocked as an expired session, not missing."""
    wall = "<title>Log in to Facebook</title><div role=main><div>Log in to Facebook</div></div>"
    flow = FORM_FLOW + """  - {text: "^log in to facebook$", reason: login wall, logged_out: true}
session: facebook
"""
    result, _ = check(abrowser, flow, {FORM_URL: wall})
    assert result.verdict is Verdict.BLOCKED
    assert result.rule == "session expired"
    assert result.reason.startswith(
        "session 'facebook' expired or was logged out (run: optout login facebook); "
        'the page showed login wall: "Log in to Facebook"'
    )


def test_a_rate_limit_under_a_saved_login_is_not_an_expired_session(
    abrowser: AsyncBrowser,
) -> None:
    """Only walls marked logged_out mean the session expired; a rate limit says rate-limited."""
    body = "<div role=main><h2>This feature is temporarily blocked</h2></div>"
    result, _ = check(abrowser, FORM_FLOW + "session: facebook\n", {FORM_URL: body})
    assert result.verdict is Verdict.BLOCKED
    assert result.rule == "blocked marker"
    assert result.reason.startswith('rate-limited: "This feature is temporarily blocked"')


OVERLAY = (
    '<div id=layer style="position:fixed;inset:0;background:#fff;z-index:9">'
    "<h2>Profitez pleinement de Facebook</h2><p>Ouvrez l’application.</p></div>"
)
COVERED = {
    "an opaque layer with words": (
        OVERLAY,
        '"Profitez pleinement de Facebook Ouvrez l’application."',
    ),
    "a layer without words": (
        '<div id=blank style="position:fixed;inset:0;background:#333;z-index:9"></div>',
        "<div#blank>",
    ),
    "a layer added by a script once the page has loaded": (
        f"<script>addEventListener('load', () => document.body.insertAdjacentHTML('beforeend', "
        f"{OVERLAY!r}))</script>",
        "Profitez pleinement de Facebook",
    ),
    "a layer over a form below the fold": (
        OVERLAY + '<script>document.body.prepend(Object.assign(document.createElement("div"), '
        '{style: "height:3000px"}))</script>',
        "Profitez pleinement de Facebook",
    ),
}


@pytest.mark.parametrize("extra", list(COVERED), ids=list(COVERED))
def test_a_form_under_a_layer_is_blocked_and_names_the_layer(
    abrowser: AsyncBrowser, extra: str
) -> None:
    """A form whose fields something else covers is not there for a person: `blocked`, with
    the covering layer quoted, after waiting the step's time for the layer to go."""
    html, quoted = COVERED[extra]
    result, final = check(abrowser, FORM_FLOW, {FORM_URL: FORM_HTML + html}, step_timeout=1.5)
    assert result.verdict is Verdict.BLOCKED, result.reason
    assert result.rule == "form covered"
    assert "is covered by " in result.reason
    assert quoted in result.reason
    assert final.png


NOT_COVERED = {
    "a layer that goes away (a loading veil)": (
        '<div id=veil style="position:fixed;inset:0;background:#fff;z-index:9">Loading…</div>'
        "<script>setTimeout(() => document.getElementById('veil').remove(), 400)</script>"
    ),
    "a form below the fold under a sticky bar": (
        '<div style="position:fixed;top:0;left:0;right:0;height:60px;background:#eee">'
        "Facebook</div>"
        '<script>document.body.prepend(Object.assign(document.createElement("div"), '
        '{style: "height:3000px"}))</script>'
    ),
    "a floating label drawn on the field": (
        "<style>form{position:relative}</style>"
        '<label for=mail2 style="position:absolute;left:0;top:0;width:400px;height:40px;'
        'z-index:2;background:#fff">E-mail</label>'
        '<input id=mail2 style="position:absolute;left:0;top:0;width:400px;height:40px">'
    ),
    "a hint that lets clicks through": (
        '<div style="position:fixed;inset:0;z-index:9;pointer-events:none">Hint</div>'
    ),
}


@pytest.mark.parametrize("extra", list(NOT_COVERED), ids=list(NOT_COVERED))
def test_a_form_a_person_can_reach_is_available(abrowser: AsyncBrowser, extra: str) -> None:
    """Layers that go away, sticky bars, labels and click-through hints do not hide a form."""
    html = NOT_COVERED[extra]
    result, _ = check(abrowser, FORM_FLOW, {FORM_URL: FORM_HTML + html}, step_timeout=3)
    assert result.verdict is Verdict.AVAILABLE, result.reason


def test_a_form_in_a_shadow_root_is_available(abrowser: AsyncBrowser) -> None:
    """Elements found inside a shadow root are hit-tested in their own root."""
    html = (
        "<div id=host></div><script>document.getElementById('host').attachShadow({mode:'open'})"
        ".innerHTML = '<label>Email <input type=email></label><button>Send</button>'</script>"
    )
    result, _ = check(abrowser, FORM_FLOW, {FORM_URL: html})
    assert result.verdict is Verdict.AVAILABLE, result.reason


LATER = {
    "a layer drawn over it": (
        f"<script>setTimeout(() => document.body.insertAdjacentHTML('beforeend', "
        f"{OVERLAY!r}), 2000)</script>",
        Verdict.BLOCKED,
        "form covered",
        "is covered by",
    ),
    "an unavailable message instead": (
        "<script>setTimeout(() => { document.body.innerHTML = "
        "'<h1>This content isn\\'t available right now</h1>'; }, 2000)</script>",
        Verdict.BROKEN,
        "step failed",
        "the form showed, then the page said unavailable page",
    ),
    "another page": (
        "<script>setTimeout(() => location.assign('/'), 2000)</script>",
        Verdict.BROKEN,
        "wrong page at target",
        "ended at https://www.facebook.com/, which does not match",
    ),
}


@pytest.mark.parametrize("then", list(LATER), ids=list(LATER))
def test_a_form_that_shows_then_goes_is_not_available(
    abrowser: AsyncBrowser, then: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form is looked at again a moment after it was found, once the evidence is taken:
    a page that showed it and then covered, replaced or left it ends on what it shows then,
    recorded as a step of its own, and never `missing`. (The page changes 2 s after it
    loads; the second look comes 4 s after the first, so that a slow machine still sees the
    form first.)"""
    monkeypatch.setattr(target, "CONFIRM_S", 4.0)
    html, verdict, rule, reason = LATER[then]
    pages = {FORM_URL: FORM_HTML + html, "https://www.facebook.com/": "<h1>Facebook</h1>"}
    result, final = check(abrowser, FORM_FLOW, pages, step_timeout=1.5)
    assert result.verdict is verdict, result.reason
    assert result.rule == rule
    assert reason in result.reason
    assert [s.description for s in result.steps][-2:] == ["check the form", "check the form again"]
    assert result.steps[-2].status.value == "ok"
    assert final.png


def test_a_form_that_stays_is_looked_at_twice_a_second_apart(abrowser: AsyncBrowser) -> None:
    """A form that stays is available, with no extra step, and not before a second passed."""
    result, _ = check(abrowser, FORM_FLOW, {FORM_URL: FORM_HTML})
    assert result.verdict is Verdict.AVAILABLE
    assert [s.description for s in result.steps][-1] == "check the form"
    assert result.duration_s >= 1.0


NEW_TAB_LINK = (
    '<h1>Privacy Policy</h1><a href="/help/contact/6359191084165019" target="_blank">'
    "right to object</a>"
)


def test_a_new_tab_link_is_followed_in_the_same_page(abrowser: AsyncBrowser) -> None:
    """A link that opens a new tab is checked as clickable and its address opened here."""
    pages = {POLICY_URL: NEW_TAB_LINK, FORM_URL: FORM_HTML}
    result, _ = check(abrowser, POLICY_FLOW, pages)
    assert result.verdict is Verdict.AVAILABLE, result.reason
    assert result.steps[1].detail.endswith("(opens a new tab: followed in this one)")
    assert result.final_url == FORM_URL


def test_a_new_tab_link_under_a_layer_is_not_followed(abrowser: AsyncBrowser) -> None:
    """A new-tab link nobody could click (a layer on top) is not opened: the step fails."""
    pages = {POLICY_URL: NEW_TAB_LINK + OVERLAY, FORM_URL: FORM_HTML}
    result, _ = check(abrowser, POLICY_FLOW, pages, step_timeout=1.5)
    assert result.verdict is Verdict.BROKEN, result.reason
    assert "could not click" in result.reason
    assert result.final_url == POLICY_URL
