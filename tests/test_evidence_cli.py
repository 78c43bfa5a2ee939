"""`optout evidence` on real runs against the replica: the chain, tampering, bundles, pruning."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

from conftest import FLOWS, invoke

FORM_FLOW = FLOWS / "facebook-form.yaml"


def test_runs_are_sealed_chained_and_deduplicated(verify: Any, tmp_path: Path) -> None:
    """Two runs of an unchanged page: a valid chain, and identical files stored once."""
    recordings = tmp_path / "rec"
    first = verify(FORM_FLOW, "form-available", recordings=recordings)
    second = verify(FORM_FLOW, "form-available", recordings=recordings)
    manifest = json.loads((second.run_dir / "manifest.json").read_text())
    assert manifest["previous"]["run_id"] == first.summary["run_id"]
    assert manifest["browser"]["name"] == "chromium"
    assert set(manifest["files"]) >= {"run.json", "facebook-form/en-GB/final.html"}
    html = "facebook-form/en-GB/final.html"
    assert os.stat(first.run_dir / html).st_ino == os.stat(second.run_dir / html).st_ino
    result = invoke("evidence", "verify", "--recordings", recordings)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("intact: every run in")


def test_tampering_is_reported_by_name(verify: Any, tmp_path: Path) -> None:
    """A changed screenshot and an edited earlier manifest are each named; exit 1."""
    recordings = tmp_path / "rec"
    first = verify(FORM_FLOW, "form-available", recordings=recordings)
    second = verify(FORM_FLOW, "form-missing", recordings=recordings)
    shot = second.run_dir / "facebook-form" / "en-GB" / "final.png"
    data = bytearray(shot.read_bytes())
    data[100] ^= 1
    shot.write_bytes(bytes(data))
    manifest = first.run_dir / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"chromium"', '"firefox"'))
    result = invoke("evidence", "verify", "--recordings", recordings)
    assert result.exit_code == 1
    second_id = second.summary["run_id"]
    assert f"{second_id}/facebook-form/en-GB/final.png: modified" in result.stdout
    assert f"{second_id}: chain" in result.stdout


def test_bundle_verifies_on_its_own(verify: Any, tmp_path: Path) -> None:
    """A bundle of one run checks out with `optout evidence verify FILE.zip` alone."""
    recordings = tmp_path / "rec"
    verify(FORM_FLOW, "form-available", recordings=recordings)
    run = verify(FORM_FLOW, "form-available", recordings=recordings)
    out = tmp_path / "evidence.zip"
    made = invoke(
        "evidence", "bundle", run.summary["run_id"], "--recordings", recordings, "-o", out
    )
    assert made.exit_code == 0, made.output
    names = zipfile.ZipFile(out).namelist()
    assert f"{run.summary['run_id']}/manifest.json" in names
    checked = invoke("evidence", "verify", out)
    assert checked.exit_code == 0, checked.output


def test_unknown_run_is_bad_input(tmp_path: Path) -> None:
    """Bundling a run that does not exist is one clear message and exit 2."""
    result = invoke("evidence", "bundle", "20990101T000000Z", "--recordings", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("optout: ")
    assert "Traceback" not in result.output
