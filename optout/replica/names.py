"""The replica's scenarios and modifiers by name, with what each one serves (what
`python -m optout.replica` lists); `optout.replica.scenarios` says how each is answered."""

from __future__ import annotations

from typing import Final

SCENARIOS: Final[dict[str, str]] = {
    "form-available": "objection forms render; policy has the 2024 banner linking the AI form",
    "form-missing": "form ids render Meta's unavailable-content page (status 200)",
    "form-missing-404": "same unavailable page but status 404 and a curly apostrophe in EN",
    "login-wall": "every path redirects (302) to the login page with ?next=...",
    "checkpoint": "every path redirects (302) to /checkpoint/?next=... (CAPTCHA-style page)",
    "cookie-dialog": "like form-available, behind Meta's EU cookie dialog (closable)",
    "cookie-dialog-stuck": "same cookie dialog, but its buttons do nothing",
    "late-render": "form pages serve a spinner; the form appears after 1.5 s (?delay_ms=N)",
    "http-500": "every path answers status 500 with Meta's error page",
    "hang": "every path: the connection is accepted but never answered",
    "policy-no-link": "policy banner says AI plans are delayed; no AI objection link anywhere",
    "redesigned": "form ids show an unrelated help article; policy redesigned without links",
    "form-redirect": "6359191084165019 -> 301 -> 712876720715583; policy -> 302 -> ?entry=redirect",
    "help-redirect": "form ids redirect (302) to https://help.meta.com/support/privacy",
    "demo": "a mix of states, one per form id, for `optout demo`",
    "notification-ai": "/notifications (cookie c_user) lists the May-2024 AI notification",
    "notification-none": "/notifications (cookie c_user) lists ordinary items only",
    "notification-no-link": "AI notification listed, but its page has no objection link",
    "session-expired": "/notifications answers the login page even with a c_user cookie "
    "(Meta logged the saved session out)",
    "preform": "6359191084165019 -> 302 -> the 367438723733209 yes/no pre-form first",
    "policy-generic-only": "no banner; policy links only the generic GDPR form 1994830130782319",
    "policy-collapsed": "the 2024 banner's objection link sits in a closed (collapsed) section",
    "form-article": "form ids show an unrelated help article; policy and genai link them as usual",
    "form-missing-curly": "unavailable page (200) with ’ in EN and ' in FR",
    "page-missing": 'form ids render "This page isn\'t available" with status 404',
    "header-login": "forms available, under a logged-out top bar with a login form",
    "transient-error": 'every page: "This page isn\'t available at the moment" + "technical '
    'error ... try reloading" (200)',
    "transient-error-form": 'form pages only: "This page isn’t available" + "An unexpected '
    'error has occurred. Try reloading the page or come back later." (200)',
    "rate-limit": "Facebook and Instagram pages: « Cette fonction est temporairement bloquée » "
    "(200, role=main, login form in the top bar)",
    "login-in-place": "form pages answer the login wall in place (200, no redirect): "
    "« Se connecter à Facebook »",
    "cookie-dialog-2026": "like form-available, behind Meta's 2026 cookie dialog "
    "(div[role=dialog], div[role=button], no data-cookiebanner); WhatsApp pages behind "
    "WhatsApp's banner",
    "whatsapp-no-link": "the WhatsApp objection article no longer links a contact form",
    "whatsapp-article-gone": "the WhatsApp objection article answers \"This page isn't "
    'available" (404)',
    "whatsapp-form-unavailable": 'the article links the contact form; the form answers "This '
    'form is no longer available"',
    "capture-policy-2024": "the privacy policy is the real 2024 capture with the AI-objection "
    "banner; forms as in form-available",
    "capture-login-wall": "every path redirects (302) to /login/?next=..., which serves the real "
    "2022 French login-wall capture",
    "capture-eu-2026": "the Privacy Center's AI page and the privacy policy are the real 2026 "
    "captures (the EU policy, controller Meta Platforms Ireland Limited); forms as in "
    "form-available",
    # hostile or broken pages at the form's address (6359191084165019, 712876720715583)
    "stall": "form pages send their head, top bar and heading, then nothing more (the "
    "response never ends; closed when the client leaves, or after 60 s)",
    "redirect-loop": "form ids redirect (302) to each other for ever: 6359191084165019 -> "
    "712876720715583 -> 6359191084165019 ...",
    "js-dialogs": "the form, with alert() while it loads, confirm() on load, another alert() "
    "1 s later and a beforeunload prompt",
    "popup-window": "the form; on load, window.open() shows a popup saying \"This page isn't "
    'available" (404)',
    "download": "form pages answer a PDF to download (Content-Disposition: attachment)",
    "huge-page": "the form, followed by 50 MB of inline JSON generated while it is sent",
    "navigate-away": "the form; 1 s after it loads, the page goes to the Facebook home page",
    "overlay-cover": "the form; 1 s after it loads, an opaque layer without a close button "
    "covers the whole page",
    "infinite-scroll": "the form, above a feed that grows every 100 ms and whenever its end "
    "scrolls into view",
    "console-flood": "the form; its script writes about 10,000 console.log lines a second",
    "non-eu": "Meta's non-EU version everywhere: the policy names Meta Platforms, Inc. and links "
    "no EU-only form nor the AI form; the genai page has no objection link; form ids render the "
    "unavailable page; the WhatsApp article is gone",
    "genai-login-note": "the genai page has no objection link and says the forms may need a "
    "login (in the languages whose wording for it is known)",
}

# Suffixes any scenario accepts, after a "+": "form-missing+straight+cookies-2026".
MODIFIERS: Final[dict[str, str]] = {
    "cookies-2026": "Meta's 2026 cookie dialog on top of every Facebook and Instagram page "
    "(WhatsApp's banner on WhatsApp pages)",
    "straight": "every apostrophe of the pages' text written ' (typewriter)",
    "curly": "every apostrophe of the pages' text written ’ (typographic)",
}
