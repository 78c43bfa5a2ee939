"""`optout verify` and `optout demo`: run flows, record the evidence, publish the results."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from optout.browser import proxy, sessions
from optout.browser.launch import BrowserNotFound
from optout.browser.origins import OriginMap
from optout.browser.pool import Endpoint
from optout.browser.proxy import Proxy
from optout.check.events import Listener
from optout.check.results import RunSummary
from optout.check.run import CheckerError, RunOptions, Stop, check_sessions, plan, run_flows
from optout.check.verdict import ExitCode, FailOn, final_exit_code
from optout.check.workers import default_workers
from optout.cli.common import BROWSER_PATH, PATHS, fail, flows_dir, flows_or_exit
from optout.cli.options import parse_sessions, verify_options
from optout.flow.model import Flow
from optout.integrity.seal import Sealer
from optout.outputs.publish import PublishTargets, publish, publish_failure
from optout.store.history import last_conclusive, recent_durations
from optout.store.lock import recordings_lock
from optout.store.writer import EvidenceWriter, RecordingsError, allocate_run
from optout.terminal.console import EventLogger, Progress, make_console, verdict_table
from optout.terminal.log import configure

MINIMAL_FLOW = """\b
  id: facebook-form
  name: "Facebook AI objection form"
  locales: all            # every language whose Meta wording optout knows
  region: eu              # another region's version is blocked, never missing
  start: https://www.facebook.com/help/contact/6359191084165019
  steps:
    - use: meta-walls
    - use: meta-errors
    - use: meta-cookie-consent
  target:
    url: "/help/contact/6359191084165019"
    form: [email, free_text, submit]
    present:
      - {role: textbox, words: email}
      - {role: button, words: send}
    missing_when:
      - {words: unavailable, reason: unavailable page}
"""


def execute(
    flows: list[Flow],
    options: RunOptions,
    targets: PublishTargets,
    log_format: str = "auto",
    log_level: str | None = None,
    wait_lock: float = 0.0,
) -> RunSummary:
    """Run the flows with the evidence writer, the sealer, the logger and progress listening,
    then print the verdict table and publish the results.

    Holds the recordings folder's lock for the whole run. Exits 3 if the checker failed or
    the folder is busy, 130/143 when SIGINT/SIGTERM stopped the run (what finished is
    written and sealed first)."""
    tty = sys.stderr.isatty()
    configure(log_format, log_level or ("error" if tty else "info"))  # type: ignore[arg-type]
    listeners: list[Listener] = [EventLogger()]
    if tty:
        listeners.append(Progress(make_console(stderr=True)))
    stop = Stop()
    try:
        with recordings_lock(options.recordings, wait_lock):
            options.last = last_conclusive(options.recordings)
            run_dir = allocate_run(options.recordings, datetime.now(UTC))
            options.run_id = run_dir.name
            writer = EvidenceWriter(options.recordings, run_dir)
            critical: list[Listener] = [writer, Sealer(writer, targets.tsa_url)]
            summary = asyncio.run(
                _until_signal(run_flows(flows, options, critical, listeners, stop), stop)
            )
            if summary.interrupted:
                done = len(summary.results)
                fail(
                    f"interrupted by {summary.interrupted}; {done} finished result(s) are "
                    f"written and sealed in {writer.run_dir or options.recordings}",
                    ExitCode(summary.exit_code),
                )
            _print_and_publish(summary, options, targets)
    except (BrowserNotFound, CheckerError, RecordingsError) as exc:
        _drop_if_empty(options)
        publish_failure(str(exc), options.recordings, targets)
        fail(str(exc), ExitCode.CHECKER_FAILED)
    return summary


def _drop_if_empty(options: RunOptions) -> None:
    """Remove the allocated run folder of a run that never started (no browser...)."""
    if options.run_id:
        with contextlib.suppress(OSError):
            (options.recordings / options.run_id).rmdir()


async def _until_signal(run: Coroutine[Any, Any, RunSummary], stop: Stop) -> RunSummary:
    """Run `run`; on the first SIGINT or SIGTERM, note it in `stop` and cancel the run, which
    then finishes its summary (written and sealed) and returns it. While it does, a second
    SIGINT (Ctrl-C again) interrupts at once; a second SIGTERM is ignored."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(run)

    def on_signal(signum: int) -> None:
        if stop.signal is not None:
            return
        loop.remove_signal_handler(signal.SIGINT)
        stop.signal = signum
        task.cancel()

    handled: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread():
        handled = ()  # signals only reach the main thread (e.g. when run from tests)
    for sig in handled:
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        return await task
    except asyncio.CancelledError:
        if stop.signal is None or stop.summary is None:
            raise
        return stop.summary
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


def _print_and_publish(summary: RunSummary, options: RunOptions, targets: PublishTargets) -> None:
    console = make_console(stderr=targets.json_out == "-")
    console.print(verdict_table(summary.results, title=f"run {summary.run_id}"))
    console.print(f"evidence: {options.recordings / summary.run_id}")
    publish(summary, options.recordings, targets, stdout=sys.stdout, env=os.environ)


@click.command(epilog=f"A minimal complete flow:\n\n{MINIMAL_FLOW}")
@PATHS
@verify_options
def verify(
    paths: tuple[Path, ...],
    recordings: Path,
    locales: tuple[str, ...],
    maps: list[OriginMap],
    proxies: list[Proxy],
    timeout: float | None,
    page_timeout: float | None,
    retries: int,
    confirm: int,
    workers: int,
    json_out: str | None,
    report: bool,
    tsa_url: str | None,
    notify: tuple[str, ...],
    notify_config: Path | None,
    notify_ops: tuple[str, ...],
    report_url: str | None,
    stale_after: int | None,
    fail_on: str,
    junit_out: Path | None,
    session_args: tuple[str, ...],
    headed: bool,
    browser_path: str | None,
    log_format: str,
    log_level: str | None,
    deadline: float | None,
    wait_lock: float,
    shard: tuple[int, int] | None,
    connect: list[Endpoint],
    cdp: list[Endpoint],
) -> None:
    """Run flows (files or folders; default flows/) and record verdicts with evidence.

    \b
    Exit codes:
      0  every verdict is as expected
      1  regression: a conclusive verdict differs from `expect` or the last conclusive one
      2  bad input (nothing was run)
      3  the checker could not work (no browser, crash, recordings not writable)
      4  inconclusive: some flow ended blocked, unreachable or broken

    \b
    Examples:
      optout verify
      optout verify flows/facebook-policy.yaml --locale fr-FR --retries 1
      optout verify --map-origin https://www.facebook.com=http://127.0.0.1:8765/form-missing
      optout verify --proxy http://eu-exit.example:3128 --proxy de-DE=socks5://127.0.0.1:1080
    """
    flows = flows_or_exit(paths)
    if not plan(flows, list(locales)):
        fail(f"no flow has the locale(s) {', '.join(locales)}", ExitCode.BAD_INPUT)
    if connect and cdp:
        fail("give --connect or --cdp, not both", ExitCode.BAD_INPUT)
    try:
        proxy.check(proxies, [loc for _, loc in plan(flows, list(locales))])
    except proxy.ProxyError as exc:
        fail(f"--proxy: {exc}", ExitCode.BAD_INPUT)
    durations = recent_durations(recordings) if shard else {}
    if shard and not plan(flows, list(locales), shard, durations):
        click.echo(f"optout: shard {shard[0]}/{shard[1]} has no flow to run; nothing written")
        sys.exit(ExitCode.OK)
    options = RunOptions(
        recordings=recordings,
        locales=list(locales),
        maps=maps,
        proxies=proxies,
        timeout=timeout,
        page_timeout=page_timeout,
        retries=retries,
        confirm=confirm,
        workers=workers,
        headed=headed,
        browser_path=browser_path,
        sessions=parse_sessions(session_args),
        deadline=deadline,
        shard=shard,
        durations=durations,
        endpoints=[*connect, *cdp],
    )
    try:
        check_sessions(flows, options)
    except sessions.SessionError as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    targets = PublishTargets(
        json_out,
        junit_out,
        notify=notify,
        stale_after=stale_after,
        tsa_url=tsa_url,
        notify_ops=notify_ops,
        notify_config=notify_config,
        report_url=report_url,
    )
    summary = execute(flows, options, targets, log_format, log_level, wait_lock)
    if report:
        from optout.report.build import build_report  # only --report needs Jinja2

        index = build_report(recordings, flows_dir=flows_dir(paths))
        click.echo(f"report: {index}", err=json_out == "-")
    code = final_exit_code(ExitCode(summary.exit_code), FailOn(fail_on))
    if code != summary.exit_code:
        inconclusive = sum(not r.verdict.conclusive for r in summary.results)
        click.echo(
            f"optout: WARNING: {inconclusive} result(s) inconclusive (blocked, unreachable or "
            "broken); exiting 0 because of --fail-on regression",
            err=True,
        )
    sys.exit(code)


@click.command()
@PATHS
@click.option(
    "--out",
    "--recordings",
    "recordings",
    type=click.Path(path_type=Path),
    default=Path("recordings/demo"),
    show_default=True,
)
@click.option(
    "--scenario",
    default="demo",
    show_default=True,
    help="Replica scenario to map the Meta origins to.",
)
@click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="L",
    help="Only these locales (repeatable); default: every locale of the flows.",
)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=default_workers(),
    show_default=True,
    help="Flows run in parallel.",
)
@BROWSER_PATH
def demo(
    paths: tuple[Path, ...],
    recordings: Path,
    scenario: str,
    locales: tuple[str, ...],
    timeout: float,
    workers: int,
    browser_path: str | None,
) -> None:
    """Run the flows offline against the bundled replica of Meta's pages.

    Serves the replica on 127.0.0.1, maps Meta's origins to it with --map-origin, runs
    the flows (every flow in every locale, unless told otherwise), prints the verdict
    table and where the evidence is. Exits 0 when the run completed, whatever the verdicts.

    \b
    Examples:
      optout demo
      optout demo --locale de-DE --locale sk-SK
      optout demo flows/facebook-policy.yaml --scenario non-eu
    """
    from optout.replica import DEMO_ORIGINS, SCENARIOS, ReplicaServer

    if scenario not in SCENARIOS:
        raise click.BadParameter(f"choose one of {', '.join(SCENARIOS)}", param_hint="--scenario")
    flows = flows_or_exit(paths)
    if not plan(flows, list(locales)):
        fail(f"no flow has the locale(s) {', '.join(locales)}", ExitCode.BAD_INPUT)
    with ReplicaServer() as server:
        origin = server.origin_for(scenario)
        maps = [OriginMap.parse(f"{src}={origin}") for src in DEMO_ORIGINS]
        click.echo(f"replica at {server.url}; scenario {scenario!r}", err=True)
        options = RunOptions(
            recordings=recordings,
            locales=list(locales),
            maps=maps,
            timeout=timeout,
            browser_path=browser_path,
            workers=workers,
        )
        execute(flows, options, PublishTargets())
