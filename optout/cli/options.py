"""The options of `optout verify`, and how their values are parsed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from optout.browser import sessions
from optout.browser.origins import MappingError, OriginMap
from optout.browser.pool import Endpoint, parse_endpoint
from optout.check.shard import parse_shard
from optout.check.verdict import FailOn
from optout.cli.common import BROWSER_PATH


def _parse_maps(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[OriginMap]:
    try:
        return [OriginMap.parse(v) for v in values]
    except MappingError as exc:
        raise click.BadParameter(str(exc)) from None


def _parse_shard(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    try:
        return parse_shard(value) if value is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _parse_endpoints(
    ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...] | None
) -> list[Endpoint]:
    values = (value,) if isinstance(value, str) else value or ()
    kind = "cdp" if param.name == "cdp" else "connect"
    try:
        return [parse_endpoint(kind, v) for v in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def parse_sessions(values: tuple[str, ...]) -> dict[str, Path]:
    try:
        return dict(sessions.parse_option(v) for v in values)
    except sessions.SessionError as exc:
        raise click.BadParameter(str(exc), param_hint="--session") from None


OPTIONS = [
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
        "--json", "json_out", metavar="FILE|-", help="Write the JSON summary to FILE, or - ."
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
        type=click.Choice([f.value for f in FailOn]),
        default=FailOn.INCONCLUSIVE.value,
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
    click.option(
        "--deadline",
        type=click.FloatRange(min=1),
        metavar="SECONDS",
        help="Bound the whole run: flows still running or not started when it is up end "
        "unreachable (reason \"run deadline\").",
    ),
    click.option(
        "--wait-lock",
        type=click.FloatRange(min=0),
        default=0,
        show_default=True,
        metavar="SECONDS",
        help="Wait this long for another run on the same recordings folder to finish "
        "(0: exit 3 at once, naming it).",
    ),
    click.option(
        "--shard",
        callback=_parse_shard,
        metavar="I/N",
        help="Run only slice I of N of the flow × locale pairs (the same split on every "
        "machine, balanced by recent durations); join the shards with `optout merge`.",
    ),
    click.option(
        "--connect",
        "connect",
        multiple=True,
        callback=_parse_endpoints,
        metavar="WS_URL",
        help="Run the browsers on Playwright browser servers (`playwright run-server`), "
        "repeatable; the flows are spread over them.",
    ),
    click.option(
        "--cdp",
        callback=_parse_endpoints,
        metavar="URL",
        help="Attach to a Chromium that exposes its DevTools endpoint "
        "(started with --remote-debugging-port), e.g. http://127.0.0.1:9222.",
    ),
    click.option("--headed", is_flag=True, help="Show the browser window."),
    BROWSER_PATH,
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


def verify_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(OPTIONS):
        func = option(func)
    return func
