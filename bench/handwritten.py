"""The hand-written baseline: plain Playwright, no optout, the same pages and captures.

For each flow × locale it opens a browser context with the flow's locale, opens the flow's
start page, follows the one link a multi-page flow follows, waits for the form's elements
(the two of a Meta form, four of WhatsApp's), and saves the final page as optout does: a
full-page screenshot, the DOM and the ARIA snapshot, then one SHA-256 manifest of every
file. It knows each flow by heart (the table below), which is what makes it hand-written.
Meta's origins reach the replica the way `--map-origin` does: a route that fetches the
mapped address. `--concurrency N` runs N pairs at once, one context each, in one browser.

    python bench/handwritten.py --origin http://127.0.0.1:PORT/form-available \\
        --out DIR --concurrency 6 facebook-form:fr-FR facebook-policy:en-GB ...

Exits 0 when every pair found its form, 1 otherwise (and says which).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Route, async_playwright

META_ORIGINS = (
    "https://www.facebook.com",
    "https://fr-fr.facebook.com",
    "https://mbasic.facebook.com",
    "https://help.instagram.com",
    "https://privacycenter.instagram.com",
    "https://faq.whatsapp.com",
    "https://www.whatsapp.com",
)
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000

EMAIL = ("textbox", r"e-mail|email")
SEND = ("button", r"^(envoyer|send)$")
AI_FORM_LINK = 'a[href*="/help/contact/6359191084165019"], a[href*="/help/contact/712876720715583"]'


@dataclass(frozen=True)
class Job:
    start: str
    follow: str | None
    """CSS of the link to follow to the form, for a flow that starts elsewhere."""
    elements: tuple[tuple[str, str], ...]
    """(ARIA role, name pattern) of each element the form must show."""


FB = "https://www.facebook.com"
JOBS = {
    "facebook-form": Job(f"{FB}/help/contact/6359191084165019", None, (EMAIL, SEND)),
    "facebook-form-2025": Job(
        "https://fr-fr.facebook.com/help/contact/712876720715583", None, (EMAIL, SEND)
    ),
    "facebook-policy": Job(f"{FB}/privacy/policy/", AI_FORM_LINK, (EMAIL, SEND)),
    "facebook-privacy-center": Job(f"{FB}/privacy/genai", AI_FORM_LINK, (EMAIL, SEND)),
    "instagram-form": Job(
        "https://help.instagram.com/contact/233964459562201", None, (EMAIL, SEND)
    ),
    "instagram-form-2024": Job(
        "https://help.instagram.com/contact/767264225370182", None, (EMAIL, SEND)
    ),
    "meta-third-party-form": Job(f"{FB}/help/contact/1266025207620918", None, (EMAIL, SEND)),
    "whatsapp-objection": Job(
        "https://faq.whatsapp.com/1285115568956956/",
        'a[href*="whatsapp.com/contact/forms/"]',
        (
            ("textbox", r"phone|téléphone"),
            EMAIL,
            ("textbox", r"message|help|aider|request|demande|describe|décri"),
            ("button", r"^(envoyer|send|send question|envoyer la question|submit|soumettre)$"),
        ),
    ),
}


def mapper(origin: str) -> dict[str, str]:
    """Meta origin → the replica's scenario prefix (every origin to the same one)."""
    return {source: origin.rstrip("/") for source in META_ORIGINS}


async def route_to_replica(route: Route, maps: dict[str, str]) -> None:
    parts = urlsplit(route.request.url)
    target = maps[f"{parts.scheme}://{parts.netloc}"] + (parts.path or "/")
    if parts.query:
        target += f"?{parts.query}"
    response = await route.fetch(url=target)
    await route.fulfill(response=response)


async def check(browser: Browser, flow: str, locale: str, maps: dict[str, str], out: Path) -> bool:
    job = JOBS[flow]
    lang = locale.split("-")[0]
    context = await browser.new_context(
        locale=locale,
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"Accept-Language": f"{locale},{lang};q=0.9"},
    )

    def mapped(url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" in maps

    await context.route(mapped, lambda route: route_to_replica(route, maps))
    try:
        page = await context.new_page()
        await page.goto(job.start, timeout=TIMEOUT_MS)
        if job.follow:  # these links open a new tab: follow them in this one
            href = await page.locator(job.follow).first.get_attribute("href", timeout=TIMEOUT_MS)
            await page.goto(href or "", timeout=TIMEOUT_MS)
        ok = await found_all(page, job, by_role_only=lang not in ("en", "fr"))
        folder = out / flow / locale
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "final.png").write_bytes(await page.screenshot(full_page=True))
        (folder / "final.html").write_text(await page.content())
        aria = await page.locator("body").aria_snapshot()
        (folder / "final.aria.yaml").write_text(aria + "\n")
        return ok
    finally:
        await context.close()


async def found_all(page: Page, job: Job, by_role_only: bool = False) -> bool:
    try:
        for role, name in job.elements:
            if by_role_only:  # a language whose words the script does not know: role alone
                await page.get_by_role(role).first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[arg-type]
                continue
            pattern = re.compile(name, re.IGNORECASE)
            await page.get_by_role(role, name=pattern).first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[arg-type]
    except Exception:  # a timeout: the form is not there
        return False
    return True


def write_manifest(out: Path) -> None:
    files = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }
    (out / "manifest.json").write_text(json.dumps(files, indent=2) + "\n")


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--origin", required=True, help="the replica scenario's origin")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--browser-path", default="/usr/bin/chromium")
    parser.add_argument("pairs", nargs="+", metavar="FLOW:LOCALE")
    args = parser.parse_args(argv)
    pairs = [tuple(p.split(":", 1)) for p in args.pairs]
    maps = mapper(args.origin)
    gate = asyncio.Semaphore(args.concurrency)
    start = time.monotonic()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=args.browser_path, args=LAUNCH_ARGS)

        async def one(flow: str, locale: str) -> bool:
            async with gate:
                return await check(browser, flow, locale, maps, args.out)

        results = await asyncio.gather(*(one(f, loc) for f, loc in pairs))
        await browser.close()
    write_manifest(args.out)
    failed = [f"{f}:{loc}" for (f, loc), ok in zip(pairs, results, strict=True) if not ok]
    print(
        f"{len(pairs) - len(failed)}/{len(pairs)} forms found in {time.monotonic() - start:.2f} s"
    )
    if failed:
        print("not found: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
