"""`python bench/costs.py`: what one operation of a pair costs in CPU, the whole tree counted.

Opens the replica's Facebook form (scenario form-available, no latency) in one Chromium
context, as optout does, and repeats each operation N times: the CPU-seconds of this process
and of every process under it (the Playwright driver and Chromium), divided by N. The poll
is one iteration of optout's wait loop while a cookie dialog is awaited on a page that has
none (the dialog's alternatives, the flow's walls, the error markers), as the engine runs it.
Multiplied by the counts of a pair (how many polls, screenshots...), it says where a pair's
CPU goes, which a Python profile cannot see.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure
import workload
from playwright.async_api import async_playwright

from optout.browser.launch import LAUNCH_ARGS
from optout.browser.origins import OriginMap, Router
from optout.check.run import VIEWPORT, accept_language
from optout.check.runner import FlowRunner
from optout.flow.loader import load_flows
from optout.flow.model import DismissStep
from optout.replica import DEMO_ORIGINS, ReplicaServer


def cpu_now() -> float:
    own = os.times()
    return own.user + own.system + measure.tree_cpu([os.getpid()])


async def per_op(n: int, op: Callable[[], Awaitable[Any]]) -> float:
    await op()  # warm up
    before = cpu_now()
    for _ in range(n):
        await op()
    return (cpu_now() - before) / n


async def main(n: int) -> None:
    flows = load_flows([workload.FLOWS / "facebook-form.yaml"])
    flow = flows[0]
    dismiss = next(s for s in flow.runnable_steps() if isinstance(s, DismissStep))
    with ReplicaServer() as replica:
        origin = replica.origin_for("form-available")
        maps = [OriginMap.parse(f"{src}={origin}") for src in DEMO_ORIGINS]
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=workload.CHROMIUM, args=list(LAUNCH_ARGS)
            )

            async def context_cycle() -> None:
                context = await browser.new_context(
                    locale="fr-FR",
                    viewport=VIEWPORT,  # type: ignore[arg-type]
                    extra_http_headers={"Accept-Language": accept_language("fr-FR")},
                )
                await Router(maps).attach(context)
                page = await context.new_page()
                await page.goto(flow.start)
                await context.close()

            context = await browser.new_context(
                locale="fr-FR",
                viewport=VIEWPORT,  # type: ignore[arg-type]
                extra_http_headers={"Accept-Language": accept_language("fr-FR")},
            )
            await Router(maps).attach(context)
            page = await context.new_page()
            await page.goto(flow.start)
            runner = FlowRunner(flow, "fr-FR", page)

            async def poll() -> None:
                await runner.find(dismiss.dismiss.dialog)
                runner.signals.blocked_marker = None
                await runner.check_blocked()
                await runner.transient_now()

            async def one_locator() -> None:
                await runner.find(dismiss.dismiss.dialog[:1])

            policy = await context.new_page()
            await policy.goto("https://www.facebook.com/privacy/policy/")
            link = policy.locator('a[target=_blank][href*="/help/contact/6359191084165019"]').first

            async def popup() -> None:
                async with policy.expect_popup() as info:
                    await link.click()
                opened = await info.value
                await opened.close()

            async def evaluate() -> None:
                await page.evaluate("1")

            ops: list[tuple[str, int, Callable[[], Awaitable[Any]]]] = [
                ("page.evaluate('1') (one round trip)", n, evaluate),
                ("one locator, not found (first_visible)", n, one_locator),
                ("one poll of a dismiss wait (optout)", n, poll),
                ("viewport screenshot 1280×900", n, lambda: page.screenshot()),
                ("full-page screenshot", n, lambda: page.screenshot(full_page=True)),
                ("page.content()", n, page.content),
                ("ARIA snapshot", n, lambda: page.locator("body").aria_snapshot()),
                ("click a new-tab link, close the popup", max(3, n // 4), popup),
                ("context + page + goto + close", max(3, n // 4), context_cycle),
            ]
            print(f"CPU-seconds per operation, whole tree, median of 3 rounds of {n}")
            for label, count, op in ops:
                rounds = sorted([await per_op(count, op) for _ in range(3)])
                print(f"  {rounds[1] * 1000:7.1f} ms  {label}")
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20)
    asyncio.run(main(parser.parse_args().n))
