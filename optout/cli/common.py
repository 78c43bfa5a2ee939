"""What every command shares: the one-line failure, flow loading, common arguments."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from optout.check.verdict import ExitCode
from optout.flow.loader import FlowError, load_flows
from optout.flow.model import Flow

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))

RECORDINGS = click.option(
    "--recordings",
    type=click.Path(path_type=Path),
    default=Path("recordings"),
    show_default=True,
    help="The recordings folder.",
)

BROWSER_PATH = click.option(
    "--browser-path",
    envvar="OPTOUT_BROWSER",
    metavar="PATH",
    help="Chromium executable to use (env OPTOUT_BROWSER).",
)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print one clear message on stderr and exit with `code`, without a traceback."""
    click.echo(f"optout: {message}", err=True)
    sys.exit(int(code))


def flows_or_exit(paths: tuple[Path, ...]) -> list[Flow]:
    """Load the flows, or print every problem as `file:line: message` and exit 2."""
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


def flows_dir(paths: tuple[Path, ...]) -> Path | None:
    """The folder whose flow files the report shows (the first folder given, or flows/)."""
    folder = next((p for p in paths if p.is_dir()), None) or (paths[0].parent if paths else None)
    folder = folder or Path("flows")
    return folder if folder.is_dir() else None
