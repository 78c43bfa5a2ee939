"""The form check: is the form there, at its address, uncovered, and still there a moment later?

`check_target` races the form's `present` elements against its `missing_when` markers,
the walls and the failure words; `confirm` looks again `CONFIRM_S` after the form was first
seen (the runner calls it once the evidence is captured), because a page can show the form
and then replace or cover it: an "open the app" layer, a script that goes elsewhere, a
client-side "unavailable" drawn over a server-rendered shell.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from optout.check.locate import covered_by, form_elements, forms_seen
from optout.check.results import StepStatus
from optout.check.steps import POLL_S, Outcome
from optout.flow.patterns import compile_pattern

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator

    from optout.check.runner import FlowRunner

WRONG_URL_GRACE_S = 2.0
ERROR_PAGE_GRACE_S = 1.0
CONFIRM_S = 1.0
"""A form found is looked at again this much later, after the evidence is captured."""
QUOTE_CHARS = 120


async def check_target(r: FlowRunner, seen_at: float | None = None) -> Outcome:
    """Look for the form until it is found, ruled out, or the step's time is up.

    `seen_at`: the form was already found then (a second look): a missing marker now is not
    `missing` but a page that changed under the check, which proves nothing either way.
    """
    target = r.flow.target
    r.signals.reached_target = True
    r.signals.target_url_pattern = target.url
    url_re = compile_pattern(target.url) if target.url else None
    start = time.monotonic()
    deadline = start + (r.timeouts.step if r.timeouts.forced else r.flow.timeout or r.timeouts.step)
    wrong_url_since: float | None = None
    while True:
        if await r.check_blocked() or r.signals.network_error:
            return Outcome(StepStatus.BLOCKED if r.signals.blocked_marker else StepStatus.FAILED)
        missing = await r.first_seen(target.missing_when)
        if missing is not None:
            if await r.check_transient():  # "unavailable" + "try again": a failure
                return Outcome(StepStatus.FAILED, r.signals.transient_marker)
            if seen_at is not None:  # the form, then "unavailable": which one is true?
                r.signals.failed_step = f"the form showed, then the page said {missing}"
                return Outcome(StepStatus.FAILED, r.signals.failed_step)
            await r.note_needs_login()
            r.signals.missing_marker = missing
            return Outcome(StepStatus.ABSENT, missing)
        found, not_found, elements = await _look_for_the_form(r)
        r.signals.present_found, r.signals.present_not_found = found, not_found
        url_ok = url_re is None or bool(url_re.search(r.page.url))
        r.signals.target_url_ok = None if url_re is None else url_ok
        r.signals.covered_by = await covered(elements) if url_ok and not not_found else None
        if url_ok and not not_found and r.signals.covered_by is None:
            r.seen_at = seen_at or time.monotonic()
            return Outcome(StepStatus.OK, "found " + ", ".join(found))
        now = time.monotonic()
        if not_found and now >= start + ERROR_PAGE_GRACE_S and r.forms.password_in_content:
            r.signals.login_form = LOGIN_FORM  # a password field in the page's content
            return Outcome(StepStatus.BLOCKED, LOGIN_FORM)
        on_form = r.signals.covered_by is not None  # the form page itself: no failure words
        if not on_form and now >= start + ERROR_PAGE_GRACE_S and await r.check_transient():
            return Outcome(StepStatus.FAILED, r.signals.transient_marker)
        if not url_ok and not r.doc.pending:
            wrong_url_since = wrong_url_since or now
            if now - wrong_url_since >= WRONG_URL_GRACE_S:
                break
        if now >= min(deadline, r.error_page_deadline(start)):
            break
        await asyncio.sleep(POLL_S)
    if r.signals.covered_by is not None:
        return Outcome(StepStatus.BLOCKED, f"the form is covered by {r.signals.covered_by}")
    if r.forms.password_in_content:  # not a top bar's login form: Meta's logged-out pages
        r.signals.login_form = LOGIN_FORM  # all have one
        return Outcome(StepStatus.BLOCKED, LOGIN_FORM)
    return Outcome(StepStatus.FAILED, "not found: " + ", ".join(not_found or ["the form URL"]))


LOGIN_FORM = "a login form (a password field) is shown"


async def _look_for_the_form(r: FlowRunner) -> tuple[list[str], list[str], list[PWLocator]]:
    """The form's structure (`target.form`) and `present` elements: what was found, what was
    not, and the elements found (for the check that nothing covers them).

    A `present` requirement whose words the catalogue lacks in the page's language cannot be
    looked for: it is passed over (the reason says so), and the structure and the address
    decide. A form with a password field is a login form, never the objection form.
    """
    target = r.flow.target
    found: list[str] = []
    not_found: list[str] = []
    elements: list[PWLocator] = []
    if target.form:
        r.forms = await forms_seen(r.page, list(target.form))
        if r.forms.index is None:
            not_found.append(f"a form with {', '.join(target.form)} and no password field")
        else:
            found.append("a form with " + ", ".join(f"{k} {v}" for k, v in r.forms.parts.items()))
            elements += form_elements(r.page, r.forms.index, list(target.form))
    else:
        r.forms = await forms_seen(r.page, ["email"])
    for requirement in target.present:
        if not await r.lookable(requirement):
            continue
        hit = await r.find(requirement)
        (found if hit else not_found).append((hit.locator if hit else requirement[0]).describe())
        elements += [hit.element] if hit else []
    if not target.form and r.forms.login and not not_found:
        not_found.append("a form without a password field")  # what matched is a login form
    return found, not_found, elements


async def confirm(r: FlowRunner, seen_at: float) -> Outcome:
    """The form check again, no sooner than `CONFIRM_S` after the form was seen at `seen_at`."""
    await asyncio.sleep(max(0.0, seen_at + CONFIRM_S - time.monotonic()))
    return await check_target(r, seen_at=seen_at)


async def covered(elements: Sequence[PWLocator]) -> str | None:
    """What covers one of the form's elements (quoted), if anything: a form under an
    opaque layer is found by its elements but is not there for a person."""
    for element in elements:
        layer = await covered_by(element, QUOTE_CHARS)
        if layer is not None:
            return f'"{layer}"' if not layer.startswith("<") else layer
    return None
