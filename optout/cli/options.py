"""The options of `optout verify`, and how their values are parsed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from optout.browser import sessions
from optout.browser.origins import OriginMap
from optout.browser.pool import Endpoint, parse_endpoint
from optout.browser.proxy import Proxy
from optout.check.shard import parse_shard
from optout.check.verdict import FailOn
from optout.check.workers import default_workers
from optout.cli.common import BROWSER_PATH
from optout.outputs.targets import TargetError, check_urls, load_config, split_urls

T = TypeVar("T")


def _each(
    parse: Callable[[str], T],
) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], list[T]]:
    """A callback for a repeatable option: every value parsed, or one usage error."""

    def callback(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[T]:
        try:
            return [parse(v) for v in values]
        except ValueError as exc:  # MappingError, ProxyError
            raise click.BadParameter(str(exc)) from None

    return callback


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


def _check_notify(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """The URLs of `--notify` / `--notify-ops` (several per value or in the environment
    variable, separated by spaces), each checked: a bad one is a usage error."""
    urls = split_urls(values)
    try:
        check_urls(urls)
    except TargetError as exc:
        raise click.BadParameter(str(exc)) from None
    return tuple(urls)


def _check_notify_config(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    if value is not None:
        try:
            load_config(value)
        except TargetError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def _check_report_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    scheme, sep, rest = value.partition("://")
    if (
        not sep
        or scheme.lower() not in ("http", "https")
        or not rest
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
    ):
        raise click.BadParameter(
            "give the http(s) address where the report is published, "
            "e.g. https://example.org/optout/"
        )
    return value


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
        callback=_each(OriginMap.parse),
        metavar="FROM=TO",
        help="Serve origin FROM from TO (repeatable), e.g. "
        "https://www.facebook.com=http://127.0.0.1:8765/form-missing",
    ),
    click.option(
        "--proxy",
        "proxies",
        multiple=True,
        callback=_each(Proxy.parse),
        metavar="[LOCALE=]URL",
        help="Go out through this proxy (http, https or socks5://host:port), for every locale "
        "or, as LOCALE=URL, for one (repeatable). Meta serves each region its own pages: "
        "check the EU forms from an EU exit. A login comes from OPTOUT_PROXY_USERNAME and "
        "OPTOUT_PROXY_PASSWORD (or ..._DE_DE for one locale), never from the URL.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        metavar="SECONDS",
        help="Wait this long for every step and navigation (default: 15 s per "
        "step, 30 s per page load, or the flow's own).",
    ),
    click.option(
        "--page-timeout",
        type=click.FloatRange(min=0.1),
        metavar="SECONDS",
        help="Wait this long for a page to load, whatever --timeout says (a slow proxy or "
        "network: the steps keep their own wait).",
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
        default=default_workers,
        show_default="3 per core, within the free memory, at most 8",
        help="Flow × locale pairs to run at once.",
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
        "notify",
        multiple=True,
        envvar="OPTOUT_NOTIFY_URL",
        callback=_check_notify,
        metavar="URL",
        help="Send one message per run with the confirmed changes and their screenshots "
        "(repeatable): a plain https:// webhook (Slack, Mattermost: JSON with `text`) or an "
        "Apprise URL (mailto://, matrix://, tgram://, ntfy://, signal://, slack://, json://...; "
        "pip install 'optout[notify]'). Env OPTOUT_NOTIFY_URL: URLs separated by spaces.",
    ),
    click.option(
        "--notify-config",
        "notify_config",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar="OPTOUT_NOTIFY_CONFIG",
        callback=_check_notify_config,
        metavar="FILE",
        help="An Apprise configuration file (text or YAML) of more --notify targets; "
        "entries tagged `ops` get the checker problems, as --notify-ops.",
    ),
    click.option(
        "--notify-ops",
        "notify_ops",
        multiple=True,
        envvar="OPTOUT_NOTIFY_OPS_URL",
        callback=_check_notify,
        metavar="URL",
        help="Where the checker's own problems go (exit 3, --stale-after, an expired login, "
        "a failed delivery), told once until they change, then once recovered; without it, "
        "--notify gets them, marked as checker problems. Env OPTOUT_NOTIFY_OPS_URL.",
    ),
    click.option(
        "--report-url",
        "report_url",
        envvar="OPTOUT_REPORT_URL",
        callback=_check_report_url,
        metavar="BASE",
        help="Where `optout report` is published (https://...): messages link each change's "
        "page there.",
    ),
    click.option(
        "--stale-after",
        type=click.IntRange(min=1),
        metavar="N",
        help="A flow inconclusive for N runs in a row is a checker problem, told once "
        "(see --notify-ops).",
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
        'unreachable (reason "run deadline").',
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
