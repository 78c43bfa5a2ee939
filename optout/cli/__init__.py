"""The command line: parse options, call one function of the core, map to an exit code.

Only this package imports click. `verify` and `demo` are in `cli.verify`, the evidence
commands in `cli.evidence`; the small commands are here.
"""

from __future__ import annotations

import asyncio
import json
import platform
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from optout import __version__
from optout.browser.launch import BrowserNotFound, probe_browser
from optout.check.verdict import ExitCode
from optout.cli.common import PATHS, RECORDINGS, fail, flows_or_exit
from optout.cli.evidence import evidence, merge
from optout.cli.login import login_cmd, session_problems
from optout.cli.verify import demo, verify
from optout.flow import wording
from optout.flow.loader import collect, is_fragment
from optout.flow.model import json_schema
from optout.store import history
from optout.terminal import timeline
from optout.terminal.console import flows_table, locales_table, make_console


class OneLineErrors(click.Group):
    """Usage errors as one line (`optout: verify: Invalid value for '--workers': ...`), exit 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            ctx: click.Context | None = getattr(exc, "ctx", None)
            command = ""
            if ctx is not None:
                command = ctx.command_path.removeprefix(ctx.find_root().info_name or "").strip()
            where = f"{command}: " if command else ""
            message = " ".join(exc.format_message().split())
            click.echo(f"optout: {where}{message} (see --help)", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("optout: aborted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="optout")
def main() -> None:
    """Check whether Meta's AI-training objection forms exist and can be reached.

    \b
    Daily use:
      optout verify                      # every flow in flows/, evidence in recordings/
      optout verify flows/facebook-form.yaml --locale fr-FR --json -
      optout demo                        # the same, offline, against the bundled replica
    """


main.add_command(verify)
main.add_command(demo)
main.add_command(evidence)
main.add_command(merge)
main.add_command(login_cmd)


@main.command()
@PATHS
def validate(paths: tuple[Path, ...]) -> None:
    """Check flow files (and fragments) without a browser; exit 0 or 2.

    \b
    Example:
      optout validate flows/
    """
    flows = flows_or_exit(paths)
    fragments = [p for p in collect(paths or (Path("flows"),)) if is_fragment(p)]
    click.echo(f"ok: {len(flows)} flow(s), {len(fragments)} fragment(s)")


@main.command("list")
@PATHS
@click.option(
    "--locales",
    "show_locales",
    is_flag=True,
    help="List the languages instead: what optout knows of Meta's wording in each, and from "
    "where (the same table as docs/locales.md).",
)
@click.option(
    "--markdown", is_flag=True, help="With --locales: print docs/locales.md, every string with "
    "its source."
)
def list_flows(paths: tuple[Path, ...], show_locales: bool, markdown: bool) -> None:
    """List flows: id, name, start URL, locales, expectation.

    \b
    Examples:
      optout list
      optout list --locales
      optout list --locales --markdown > docs/locales.md
    """
    if markdown and not show_locales:
        raise click.UsageError("--markdown goes with --locales")
    if show_locales:
        if markdown:
            click.echo(wording.locales_markdown(), nl=False)
        else:
            make_console().print(locales_table())
        return
    make_console().print(flows_table(flows_or_exit(paths)))


@main.command("history")
@click.argument("flows", nargs=-1)
@RECORDINGS
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
    from optout.report.build import build_report  # only this command needs Jinja2

    index = build_report(recordings, out, flows_dir=flows_dir if flows_dir.is_dir() else None)
    click.echo(f"report: {index}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the flow format (for editors)."""
    click.echo(json.dumps(json_schema(), indent=2))


@main.command()
@PATHS
@RECORDINGS
@click.option("--browser-path", envvar="OPTOUT_BROWSER", metavar="PATH")
def doctor(paths: tuple[Path, ...], recordings: Path, browser_path: str | None) -> None:
    """Show the Python, Playwright and browser that optout will use, and session problems.

    Sessions: those the flows need but nobody saved, those whose last run found them
    expired, and those whose cookies expire within 7 days.
    """
    from importlib.metadata import version

    click.echo(f"optout     {__version__}")
    click.echo(f"python     {platform.python_version()} ({sys.executable})")
    click.echo(f"playwright {version('playwright')}")
    for line in session_problems(paths, recordings):
        click.echo(f"session    {line}")
    try:
        where, ver = asyncio.run(probe_browser(browser_path))
    except BrowserNotFound as exc:
        fail(str(exc), ExitCode.CHECKER_FAILED)
    click.echo(f"browser    chromium {ver} at {where}")


if __name__ == "__main__":
    main()
