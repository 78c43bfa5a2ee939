"""The command line. The only module that imports click: options → core calls → exit codes."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog

from optout import __version__, integrity
from optout.browser import sessions
from optout.browser.launch import BrowserNotFound
from optout.browser.origins import MappingError, OriginMap
from optout.check.events import Listener
from optout.check.results import RunSummary
from optout.check.run import CheckerError, RunOptions, check_sessions, plan, run_flows
from optout.check.verdict import ExitCode
from optout.flow.loader import FlowError, collect, is_fragment, load_flows
from optout.flow.model import Flow, json_schema
from optout.integrity.seal import Sealer
from optout.outputs import github, notify
from optout.outputs.junit import junit_xml
from optout.report.build import build_report
from optout.store import history
from optout.store.writer import EvidenceWriter, RecordingsError, write_atomic
from optout.terminal import timeline
from optout.terminal.console import EventLogger, Progress, make_console, verdict_table
from optout.terminal.log import configure

MINIMAL_FLOW = """\b
  id: facebook-form
  name: "Facebook AI objection form"
  locales: [fr-FR, en-GB]
  start: https://www.facebook.com/help/contact/6359191084165019
  blocked_when:
    - {url: "/login|/checkpoint/", reason: login wall}
  steps:
    - use: meta-cookie-consent
  target:
    url: "/help/contact/6359191084165019"
    present:
      - {role: textbox, name: "e-mail|email"}
      - {role: button, name: "envoyer|send"}
    missing_when:
      - text: "contenu n'est pas disponible|content isn't available"
"""


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print one clear message on stderr and exit with `code`, without a traceback."""
    click.echo(f"optout: {message}", err=True)
    sys.exit(int(code))


def _flows_or_exit(paths: tuple[Path, ...]) -> list[Flow]:
    paths = paths or (Path("flows"),)
    try:
        flows = load_flows(paths)
    except FlowError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        n = len(exc.problems)
        fail(f"{n} problem{'s' * (n != 1)} in flow files; nothing was run", ExitCode.BAD_INPUT)
    if not flows:
        fail(f"no flow files found in {', '.join(map(str, paths))}", ExitCode.BAD_INPUT)
    return flows


def _parse_maps(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[OriginMap]:
    try:
        return [OriginMap.parse(v) for v in values]
    except MappingError as exc:
        raise click.BadParameter(str(exc)) from None


def _sessions(values: tuple[str, ...]) -> dict[str, Path]:
    try:
        return dict(sessions.parse_option(v) for v in values)
    except sessions.SessionError as exc:
        raise click.BadParameter(str(exc), param_hint="--session") from None


PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="optout")
def main() -> None:
    """Check whether Meta's AI-training objection forms exist and can be reached.

    \b
    Daily use:
      optout verify                      # every flow in flows/, evidence in recordings/
      optout verify flows/facebook-form.yaml --locale fr-FR --json -
      optout demo                        # the same, offline, against the bundled replica
    """


def verify_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--out",
            "--recordings",
            "recordings",
            type=click.Path(path_type=Path),
            default=Path("recordings"),
            show_default=True,
            help="Folder that keeps one sub-folder of evidence per run.",
        ),
        click.option(
            "--locale",
            "locales",
            multiple=True,
            metavar="L",
            help="Only run these locales (repeatable), e.g. --locale fr-FR.",
        ),
        click.option(
            "--map-origin",
            "maps",
            multiple=True,
            callback=_parse_maps,
            metavar="FROM=TO",
            help="Serve origin FROM from TO (repeatable), e.g. "
            "https://www.facebook.com=http://127.0.0.1:8765/form-missing",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            metavar="SECONDS",
            help="Wait this long for every step and navigation (default: 15 s per "
            "step, 30 s per page load, or the flow's own).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Re-run a flow whose verdict is inconclusive up to N times.",
        ),
        click.option(
            "--confirm",
            type=click.IntRange(min=0),
            default=1,
            show_default=True,
            help="Re-run a flow whose conclusive verdict changed N times; the change counts "
            "only if every re-run agrees.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Flows to run at once.",
        ),
        click.option(
            "--json",
            "json_out",
            metavar="FILE|-",
            help="Write the JSON summary to FILE, or to stdout with -.",
        ),
        click.option(
            "--tsa",
            "tsa_url",
            metavar="URL",
            help="Ask this RFC 3161 time-stamping authority to stamp each run's manifest "
            "(stored as manifest.json.tsr).",
        ),
        click.option(
            "--notify",
            "notify_url",
            envvar="OPTOUT_NOTIFY_URL",
            metavar="URL",
            help="POST one JSON message per changed verdict (and per stale flow) to URL, e.g. "
            "a Slack or Mattermost incoming webhook (env OPTOUT_NOTIFY_URL).",
        ),
        click.option(
            "--stale-after",
            type=click.IntRange(min=1),
            metavar="N",
            help="Also notify once when a flow has been inconclusive for N runs in a row.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["inconclusive", "regression"]),
            default="inconclusive",
            show_default=True,
            help="inconclusive: exit 4 when a flow is blocked, unreachable or broken. "
            "regression: exit 0 then (with a loud warning), so that only a change fails CI.",
        ),
        click.option(
            "--report",
            "report",
            is_flag=True,
            help="Also rebuild the HTML evidence report (recordings/report/) after the run.",
        ),
        click.option(
            "--junit",
            "junit_out",
            type=click.Path(path_type=Path),
            metavar="FILE",
            help="Write a JUnit XML report.",
        ),
        click.option(
            "--session",
            "session_args",
            multiple=True,
            metavar="NAME=PATH",
            help="Saved login for flows with `session: NAME` (repeatable); default "
            "$XDG_CONFIG_HOME/optout/sessions/NAME.json.",
        ),
        click.option("--headed", is_flag=True, help="Show the browser window."),
        click.option(
            "--browser-path",
            envvar="OPTOUT_BROWSER",
            metavar="PATH",
            help="Chromium executable to use (env OPTOUT_BROWSER).",
        ),
        click.option(
            "--log-format",
            type=click.Choice(["auto", "pretty", "json"]),
            default="auto",
            show_default=True,
            help="auto: pretty on a terminal, JSON lines otherwise.",
        ),
        click.option(
            "--log-level",
            type=click.Choice(["debug", "info", "warning", "error"]),
            default=None,
            help="Default: error on a terminal (the progress lines say the rest), info otherwise.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class Outputs:
    """Where a run's results go besides the evidence folder."""

    json_out: str | None = None
    junit_out: Path | None = None
    notify_url: str | None = None
    stale_after: int | None = None
    tsa_url: str | None = None


def _execute(
    flows: list[Flow],
    options: RunOptions,
    outputs: Outputs,
    log_format: str,
    log_level: str | None,
) -> RunSummary:
    tty = sys.stderr.isatty()
    configure(log_format, log_level or ("error" if tty else "info"))  # type: ignore[arg-type]
    to_stdout = outputs.json_out == "-"
    table_console = make_console(stderr=to_stdout)
    writer = EvidenceWriter(options.recordings)
    listeners: list[Listener] = [writer, Sealer(writer, outputs.tsa_url), EventLogger()]
    if tty:
        listeners.append(Progress(make_console(stderr=True)))
    try:
        summary = asyncio.run(run_flows(flows, options, listeners))
    except (BrowserNotFound, CheckerError, RecordingsError) as exc:
        fail(str(exc), ExitCode.CHECKER_FAILED)
    except KeyboardInterrupt:
        fail(
            "interrupted; the results finished so far are in the run folder",
            ExitCode.CHECKER_FAILED,
        )
    table_console.print(verdict_table(summary.results, title=f"run {summary.run_id}"))
    table_console.print(f"evidence: {options.recordings / summary.run_id}")
    data = summary.to_json()
    if to_stdout:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif outputs.json_out:
        write_atomic(Path(outputs.json_out), json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if outputs.junit_out:
        write_atomic(outputs.junit_out, junit_xml(summary))
    stale = history.inconclusive_streak(options.recordings) if outputs.stale_after else {}
    messages = notify.messages(data, stale, outputs.stale_after)
    if outputs.notify_url and messages:
        for error in notify.post(outputs.notify_url, messages):
            structlog.get_logger("optout").warning("notify.failed", error=error)
            click.echo(f"optout: could not notify: {error}", err=True)
    github.write_github_outputs(data, os.environ, sys.stderr if to_stdout else sys.stdout)
    return summary


@main.command(epilog=f"A minimal complete flow:\n\n{MINIMAL_FLOW}")
@PATHS
@verify_options
def verify(
    paths: tuple[Path, ...],
    recordings: Path,
    locales: tuple[str, ...],
    maps: list[OriginMap],
    timeout: float | None,
    retries: int,
    confirm: int,
    workers: int,
    json_out: str | None,
    report: bool,
    tsa_url: str | None,
    notify_url: str | None,
    stale_after: int | None,
    fail_on: str,
    junit_out: Path | None,
    session_args: tuple[str, ...],
    headed: bool,
    browser_path: str | None,
    log_format: str,
    log_level: str | None,
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
    """
    flows = _flows_or_exit(paths)
    jobs = plan(flows, list(locales))
    if not jobs:
        fail(f"no flow has the locale(s) {', '.join(locales)}", ExitCode.BAD_INPUT)
    options = RunOptions(
        recordings=recordings,
        locales=list(locales),
        maps=maps,
        timeout=timeout,
        retries=retries,
        confirm=confirm,
        workers=workers,
        headed=headed,
        browser_path=browser_path,
        sessions=_sessions(session_args),
    )
    try:
        check_sessions(flows, options)
    except sessions.SessionError as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    outputs = Outputs(json_out, junit_out, notify_url or None, stale_after, tsa_url)
    summary = _execute(flows, options, outputs, log_format, log_level)
    if report:
        index = build_report(recordings, flows_dir=_flows_dir(paths))
        click.echo(f"report: {index}", err=json_out == "-")
    code = summary.exit_code
    if code == ExitCode.INCONCLUSIVE and fail_on == "regression":
        inconclusive = sum(not r.verdict.conclusive for r in summary.results)
        click.echo(
            f"optout: WARNING: {inconclusive} result(s) inconclusive (blocked, unreachable or "
            "broken); exiting 0 because of --fail-on regression",
            err=True,
        )
        code = ExitCode.OK
    sys.exit(code)


@main.command()
@PATHS
def validate(paths: tuple[Path, ...]) -> None:
    """Check flow files (and fragments) without a browser; exit 0 or 2.

    \b
    Example:
      optout validate flows/
    """
    flows = _flows_or_exit(paths)
    fragments = [p for p in collect(paths or (Path("flows"),)) if is_fragment(p)]
    click.echo(f"ok: {len(flows)} flow(s), {len(fragments)} fragment(s)")


@main.command("list")
@PATHS
def list_flows(paths: tuple[Path, ...]) -> None:
    """List flows: id, name, start URL, locales, expectation."""
    flows = _flows_or_exit(paths)
    from rich.table import Table

    table = Table()
    for column in ("id", "name", "start", "locales", "expect"):
        table.add_column(column, overflow="fold")
    for f in flows:
        table.add_row(f.id, f.name, f.start, ", ".join(f.locales), str(f.expect or "-"))
    make_console().print(table)


@main.command("history")
@click.argument("flows", nargs=-1)
@click.option(
    "--recordings",
    type=click.Path(path_type=Path),
    default=Path("recordings"),
    show_default=True,
    help="The recordings folder to read.",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only runs from this date (UTC), e.g. 2026-05-01.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the timelines as JSON.")
def history_cmd(
    flows: tuple[str, ...], recordings: Path, since: datetime | None, as_json: bool
) -> None:
    """Verdicts over time per flow and locale: a timeline, the changes, the current streak.

    Reads only the recordings folder. In the strip, one letter per run: A available,
    M missing, b blocked, u unreachable, x broken.

    \b
    Examples:
      optout history
      optout history facebook-form --since 2026-05-01
      optout history --json > history.json
    """
    found = history.series(recordings, list(flows) or None, since)
    if as_json:
        click.echo(json.dumps(timeline.to_json(found), indent=2, ensure_ascii=False))
        return
    timeline.render(found, make_console())


@main.group()
def evidence() -> None:
    """Check, bundle and prune the evidence in the recordings folder.

    \b
    Examples:
      optout evidence verify                      # every run: files, manifests, hash chain
      optout evidence bundle 20261129T063000Z -o evidence.zip
      optout evidence verify evidence.zip         # what a third party runs
      optout evidence prune --keep-days 90 --dry-run
    """


RECORDINGS = click.option(
    "--recordings",
    type=click.Path(path_type=Path),
    default=Path("recordings"),
    show_default=True,
    help="The recordings folder.",
)


@evidence.command("verify")
@click.argument("targets", nargs=-1, metavar="[RUN|FILE.zip ...]")
@RECORDINGS
@click.option(
    "--tsa-ca",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA certificate to verify trusted timestamps fully (openssl ts -verify).",
)
def evidence_verify(targets: tuple[str, ...], recordings: Path, tsa_ca: Path | None) -> None:
    """Recompute every hash; report files modified, missing or added and chain breaks.

    Exits 0 when everything is intact, 1 otherwise.
    """
    zips = [Path(t) for t in targets if t.endswith(".zip")]
    runs = [Path(t).name for t in targets if not t.endswith(".zip")]  # a run id or its folder
    problems: list[integrity.Problem] = []
    try:
        if runs or not zips:
            problems += integrity.verify_runs(recordings, runs or None, tsa_ca=tsa_ca)
        for path in zips:
            problems += integrity.verify_bundle(path, tsa_ca=tsa_ca)
    except (integrity.IntegrityError, OSError) as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    for problem in problems:
        click.echo(str(problem))
    checked = ", ".join(targets) or f"every run in {recordings}"
    if problems:
        click.echo(f"optout: {len(problems)} problem(s) in {checked}", err=True)
        sys.exit(1)
    click.echo(f"intact: {checked}")


@evidence.command("bundle")
@click.argument("run_id")
@RECORDINGS
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Default: RUN_ID.zip")
def evidence_bundle(run_id: str, recordings: Path, output: Path | None) -> None:
    """Pack one run, its manifest and the chain of manifests before it into a zip."""
    try:
        out = integrity.bundle_run(recordings, run_id, output or Path(f"{run_id}.zip"))
    except (integrity.IntegrityError, OSError) as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    click.echo(f"bundle: {out}")


@evidence.command("prune")
@RECORDINGS
@click.option(
    "--keep-days",
    type=click.IntRange(min=0),
    required=True,
    metavar="N",
    help="Keep the evidence files of the runs of the last N days.",
)
@click.option(
    "--keep-changes/--no-keep-changes",
    default=True,
    show_default=True,
    help="Never prune a run where a verdict changed.",
)
@click.option("--dry-run", is_flag=True, help="Only say which runs would be pruned.")
def evidence_prune(recordings: Path, keep_days: int, keep_changes: bool, dry_run: bool) -> None:
    """Delete old evidence files; manifests stay, so the hash chain still verifies."""
    try:
        pruned = integrity.prune(
            recordings, keep_days=keep_days, keep_changes=keep_changes, dry_run=dry_run
        )
    except (integrity.IntegrityError, OSError) as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    verb = "would prune" if dry_run else "pruned"
    click.echo(f"{verb} {len(pruned)} run(s)" + (": " + ", ".join(pruned) if pruned else ""))


def _flows_dir(paths: tuple[Path, ...]) -> Path | None:
    """The folder whose flow files the report shows (the first folder given, or flows/)."""
    folder = next((p for p in paths if p.is_dir()), None) or (paths[0].parent if paths else None)
    folder = folder or Path("flows")
    return folder if folder.is_dir() else None


@main.command()
@RECORDINGS
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Where to write the site (default: RECORDINGS/report).",
)
@click.option(
    "--flows",
    "flows_dir",
    type=click.Path(path_type=Path),
    default=Path("flows"),
    show_default=True,
    help="The flow files shown on each flow's page.",
)
def report(recordings: Path, out: Path | None, flows_dir: Path) -> None:
    """Build the static HTML evidence report: overview, runs, changes, flows.

    Works offline from file://; open the printed index.html in a browser.

    \b
    Examples:
      optout report
      optout report --recordings /srv/optout/recordings --out /srv/www/optout
    """
    if not recordings.is_dir():
        fail(f"no recordings folder at {recordings}", ExitCode.BAD_INPUT)
    index = build_report(recordings, out, flows_dir=flows_dir if flows_dir.is_dir() else None)
    click.echo(f"report: {index}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the flow format (for editors)."""
    click.echo(json.dumps(json_schema(), indent=2))


@main.command()
@click.option("--browser-path", envvar="OPTOUT_BROWSER", metavar="PATH")
def doctor(browser_path: str | None) -> None:
    """Show the Python, Playwright and browser that optout will use."""
    from importlib.metadata import version

    click.echo(f"optout     {__version__}")
    click.echo(f"python     {platform.python_version()} ({sys.executable})")
    click.echo(f"playwright {version('playwright')}")

    async def probe() -> tuple[str, str]:
        from playwright.async_api import async_playwright

        from optout.browser.launch import find_browser, launch

        async with async_playwright() as pw:
            choice = find_browser(pw, browser_path)
            browser = await launch(pw, choice)
            try:
                return f"{choice.path or 'playwright download'} ({choice.source})", browser.version
            finally:
                await browser.close()

    try:
        where, ver = asyncio.run(probe())
    except BrowserNotFound as exc:
        fail(str(exc), ExitCode.CHECKER_FAILED)
    click.echo(f"browser    chromium {ver} at {where}")


@main.command()
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
@click.option("--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True)
@click.option("--browser-path", envvar="OPTOUT_BROWSER", metavar="PATH")
def demo(
    paths: tuple[Path, ...],
    recordings: Path,
    scenario: str,
    timeout: float,
    browser_path: str | None,
) -> None:
    """Run the flows offline against the bundled replica of Meta's pages.

    Serves the replica on 127.0.0.1, maps Meta's origins to it with --map-origin, runs
    the flows, prints the verdict table and where the evidence is. Exits 0 when the
    run completed, whatever the verdicts.
    """
    from optout.replica import SCENARIOS, ReplicaServer

    if scenario not in SCENARIOS:
        raise click.BadParameter(f"choose one of {', '.join(SCENARIOS)}", param_hint="--scenario")
    flows = _flows_or_exit(paths)
    with ReplicaServer() as server:
        origin = server.origin_for(scenario)
        maps = [OriginMap.parse(f"{src}={origin}") for src in DEMO_ORIGINS]
        click.echo(f"replica at {server.url}; scenario {scenario!r}", err=True)
        options = RunOptions(
            recordings=recordings, maps=maps, timeout=timeout, browser_path=browser_path, workers=2
        )
        _execute(flows, options, Outputs(), "auto", None)


DEMO_ORIGINS = (
    "https://www.facebook.com",
    "https://fr-fr.facebook.com",
    "https://mbasic.facebook.com",
    "https://help.instagram.com",
    "https://privacycenter.instagram.com",
)


if __name__ == "__main__":
    main()
