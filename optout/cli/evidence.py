"""`optout evidence verify|bundle|prune`: check, pack and prune the recordings."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optout import integrity
from optout.check.verdict import ExitCode
from optout.cli.common import RECORDINGS, fail
from optout.store.lock import recordings_lock
from optout.store.writer import RecordingsError


@click.group()
def evidence() -> None:
    """Check, bundle and prune the evidence in the recordings folder.

    \b
    Examples:
      optout evidence verify                      # every run: files, manifests, hash chain
      optout evidence bundle 20261129T063000Z -o evidence.zip
      optout evidence verify evidence.zip         # what a third party runs
      optout evidence prune --keep-days 90 --dry-run
    """


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
        sys.exit(ExitCode.EVIDENCE_PROBLEMS)
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


@click.command("merge")
@click.argument("shards", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@RECORDINGS
@click.option("--tsa", "tsa_url", metavar="URL", help="RFC 3161 authority to stamp the manifest.")
@click.option("--wait-lock", type=click.FloatRange(min=0), default=0, metavar="SECONDS")
def merge(
    shards: tuple[Path, ...], recordings: Path, tsa_url: str | None, wait_lock: float
) -> None:
    """Join the run folders of the shards of one run (`verify --shard I/N`) into one run.

    Each shard is checked against its own manifest, then its evidence is copied into one
    new run folder of RECORDINGS with one run.json and one manifest chained to the runs
    before it. Exits with the merged run's exit code (0, 1 or 4, as `optout verify`).

    \b
    Example (the merge job of a CI matrix):
      optout merge shards/*/2026* --recordings recordings
    """
    try:
        with recordings_lock(recordings, wait_lock):
            merged = integrity.merge_runs(recordings, list(shards), tsa_url=tsa_url)
    except (integrity.IntegrityError, RecordingsError, OSError) as exc:
        fail(str(exc), ExitCode.CHECKER_FAILED if isinstance(exc, OSError) else ExitCode.BAD_INPUT)
    click.echo(
        f"merged {len(shards)} shard(s), {len(merged.results)} result(s): "
        f"{recordings / merged.run_id}"
    )
    sys.exit(merged.exit_code)
