"""Evidence integrity: sealing, hash chain, deduplication, bundles, pruning, trusted timestamps."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import flow_result, run_summary
from helpers import write_json as save_json

from optout.integrity import (
    PRUNED,
    TSR,
    IntegrityError,
    Problem,
    TimestampError,
    bundle_run,
    change_runs,
    prune,
    read_timestamp,
    seal_run,
    verify_bundle,
    verify_runs,
)
from optout.integrity import seal as sealing
from optout.integrity.tsa import build_query
from optout.store.records import read_run
from optout.store.runids import format_run_id
from optout.store.writer import MANIFEST, run_folders

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")
DAY0 = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
FLOWS = [("facebook-form", "fr-FR"), ("facebook-form", "en-GB")]


def png(seed: int, size: int = 20_000) -> bytes:
    """PNG-looking bytes, the same for the same seed."""
    return b"\x89PNG\r\n\x1a\n" + random.Random(seed).randbytes(size)


def run_id(day: int) -> str:
    return format_run_id(DAY0 + timedelta(days=day))


def make_run(
    recordings: Path,
    day: int,
    *,
    verdicts: dict[tuple[str, str], str] | None = None,
    seed: int = 0,
    steps: int = 3,
    size: int = 20_000,
) -> Path:
    """Write a run folder the way EvidenceWriter does: screenshots, captures, results, run.json."""
    verdicts = verdicts or {key: "available" for key in FLOWS}
    folder = recordings / run_id(day)
    started = (DAY0 + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")
    results = []
    for index, ((flow, locale), verdict) in enumerate(verdicts.items()):
        evidence = folder / flow / locale
        evidence.mkdir(parents=True)
        base = seed * 10_000 + index * 100
        for step in range(1, steps + 1):
            (evidence / f"{step:02d}-step.png").write_bytes(png(base + step, size))
        (evidence / "final.png").write_bytes(png(base + 99, size))
        (evidence / "final.html").write_text(f"<html><body>{flow} {locale} {seed}</body></html>\n")
        result = flow_result(flow, verdict, locale, started_at=started)
        save_json(evidence / "result.json", result.to_json())
        results.append(result)
    summary = run_summary(*results, run_id=folder.name, started_at=started, finished_at=started)
    save_json(folder / "run.json", summary.to_json())
    return folder


def seal(folder: Path, tsa_url: str | None = None) -> dict[str, Any]:
    """Seal a run with the times, tool and browser of its run.json."""
    run = read_run(folder / "run.json")
    assert run is not None
    return seal_run(
        folder,
        started_at=run.started_at,
        finished_at=run.finished_at,
        tool=run.tool,
        browser=run.browser,
        tsa_url=tsa_url,
    )


def kinds(problems: list[Problem]) -> set[tuple[str, str | None, str]]:
    return {(p.run_id, p.path, p.kind) for p in problems}


def stored_bytes(root: Path) -> int:
    """Bytes on disk under root, each inode counted once."""
    seen: dict[tuple[int, int], int] = {}
    for path in root.rglob("*"):
        if path.is_file():
            st = path.stat()
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def two_runs(recordings: Path) -> tuple[Path, Path]:
    first, second = make_run(recordings, 0), make_run(recordings, 1)
    seal(first)
    seal(second)
    return first, second


# --- sealing, chain and deduplication ------------------------------------------------------


def test_unchanged_runs_form_a_chain_with_hard_links(two_runs: tuple[Path, Path]) -> None:
    """Two runs of an unchanged page chain up, verify clean, and share their screenshots' inodes."""
    first, second = two_runs
    m1 = json.loads((first / MANIFEST).read_text())
    m2 = json.loads((second / MANIFEST).read_text())
    assert m1["format"] == "optout-manifest/1" and m1["previous"] is None
    assert m2["previous"] == {
        "run_id": first.name,
        "manifest_sha256": hashlib.sha256((first / MANIFEST).read_bytes()).hexdigest(),
    }
    assert m2["tool"] == {"name": "optout", "version": "0.1.0"}
    assert "run.json" in m2["files"] and MANIFEST not in m2["files"]
    shot = "facebook-form/fr-FR/final.png"
    assert (first / shot).stat().st_ino == (second / shot).stat().st_ino
    assert (first / "run.json").stat().st_ino != (second / "run.json").stat().st_ino
    assert verify_runs(first.parent) == []


def test_identical_files_within_a_run_are_linked_too(recordings: Path) -> None:
    """Two identical screenshots in one run become one inode, and the manifest lists both."""
    folder = make_run(recordings, 0)
    shots = folder / "facebook-form" / "fr-FR"
    shutil.copy(shots / "final.png", shots / "04-check.png")
    manifest = seal(folder)
    assert (shots / "final.png").stat().st_ino == (shots / "04-check.png").stat().st_ino
    assert "facebook-form/fr-FR/04-check.png" in manifest["files"]
    assert verify_runs(recordings) == []


def test_flipped_byte_is_reported_in_every_run_that_holds_the_file(
    two_runs: tuple[Path, Path],
) -> None:
    """Flipping one byte of a shared screenshot is reported as modified, by name, in both runs."""
    first, second = two_runs
    shot = "facebook-form/en-GB/02-step.png"
    with (second / shot).open("r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 1]))
    problems = verify_runs(first.parent)
    assert kinds(problems) == {(first.name, shot, "modified"), (second.name, shot, "modified")}
    assert all("SHA-256" in p.detail for p in problems)


def test_deleted_file_is_reported_as_missing(two_runs: tuple[Path, Path]) -> None:
    """A deleted screenshot is reported as missing, by name, only in its run."""
    first, _ = two_runs
    (first / "facebook-form/fr-FR/final.png").unlink()
    problems = verify_runs(first.parent)
    assert kinds(problems) == {(first.name, "facebook-form/fr-FR/final.png", "missing")}


def test_added_file_is_reported(two_runs: tuple[Path, Path]) -> None:
    """A file slipped into a sealed run is reported as added, by name."""
    _, second = two_runs
    (second / "facebook-form/fr-FR/extra.png").write_bytes(png(42))
    problems = verify_runs(second.parent)
    assert kinds(problems) == {(second.name, "facebook-form/fr-FR/extra.png", "added")}


def test_edited_earlier_manifest_breaks_the_chain(two_runs: tuple[Path, Path]) -> None:
    """Editing an earlier run's manifest (even one date) is a chain break naming both runs."""
    first, second = two_runs
    manifest = json.loads((first / MANIFEST).read_text())
    manifest["finished_at"] = "2026-10-01T00:00:00Z"
    (first / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    problems = verify_runs(first.parent)
    assert kinds(problems) == {(second.name, None, "chain")}
    assert f"the manifest of {first.name} was edited after {second.name}" in problems[0].detail


def test_missing_earlier_run_and_unreadable_manifest_are_reported(recordings: Path) -> None:
    """A deleted earlier run breaks the chain and a garbled manifest is a manifest problem."""
    runs = [make_run(recordings, day) for day in range(3)]
    for folder in runs:
        seal(folder)
    shutil.rmtree(runs[0])
    (runs[2] / MANIFEST).write_text("{not json")
    problems = verify_runs(recordings)
    assert kinds(problems) == {
        (runs[1].name, None, "chain"),
        (runs[2].name, MANIFEST, "manifest"),
    }
    assert "missing" in next(p.detail for p in problems if p.kind == "chain")
    assert kinds(verify_runs(recordings, ["20990101T000000Z"])) == {
        ("20990101T000000Z", None, "missing")
    }


def test_sealing_a_run_that_a_later_run_points_to_is_refused(
    two_runs: tuple[Path, Path],
) -> None:
    """Re-sealing a run already in the chain raises instead of breaking the chain."""
    first, _ = two_runs
    with pytest.raises(IntegrityError, match="points to it"):
        seal(first)


def test_thirty_identical_daily_runs_store_little_more_than_one(recordings: Path) -> None:
    """Thirty daily runs of an unchanged page take less than 1.5 times the bytes of one run."""
    seal(make_run(recordings, 0, steps=5, size=60_000))
    one_run = stored_bytes(recordings)
    for day in range(1, 30):
        seal(make_run(recordings, day, steps=5, size=60_000))
    assert len(run_folders(recordings)) == 30
    assert stored_bytes(recordings) < 1.5 * one_run
    assert verify_runs(recordings) == []


def test_a_year_of_daily_runs_verifies_in_seconds(
    recordings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """365 sealed runs of 60 files of 100 KB each verify in a few seconds (inodes hashed once)."""
    monkeypatch.setattr(sealing, "DEDUP_WINDOW", 1)  # the files are linked already: build fast
    flows = {(f"flow-{n:02d}", "fr-FR"): "available" for n in range(6)}
    first = make_run(recordings, 0, verdicts=flows, steps=8, size=100_000)
    seal(first)
    shots = sorted(p.relative_to(first) for p in first.rglob("*-step.png"))
    for day in range(1, 365):
        folder = make_run(recordings, day, verdicts=flows, steps=0)
        for rel in shots:  # what sealing would have made of an unchanged page
            os.link(first / rel, folder / rel)
        seal(folder)
    files = sum(1 for p in recordings.rglob("*") if p.is_file())
    assert files >= 365 * 60
    started = time.perf_counter()
    assert verify_runs(recordings) == []
    took = time.perf_counter() - started
    assert took < 10, f"verifying a year took {took:.1f} s"


# --- bundles -----------------------------------------------------------------------------


def rewrite_zip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy a zip, passing every member through `change` (None drops it)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)


def test_bundle_verifies_on_its_own(recordings: Path, tmp_path: Path) -> None:
    """A bundle holds the run, its chain and SHA256SUMS, and passes optout and sha256sum alone."""
    runs = [make_run(recordings, day, seed=day % 2) for day in range(3)]
    for folder in runs:
        seal(folder)
    last = runs[-1].name
    (tmp_path / "out").mkdir()
    out = bundle_run(recordings, last, tmp_path / "out")
    assert out.name == f"optout-{last}.zip"
    shutil.rmtree(recordings)  # the zip must stand on its own
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        readme = zf.read("README.txt").decode()
    assert {f"chain/{runs[0].name}/{MANIFEST}", f"chain/{runs[1].name}/{MANIFEST}"} <= names
    assert {"README.txt", f"{last}/SHA256SUMS", f"{last}/{MANIFEST}", f"{last}/run.json"} <= names
    assert "sha256sum -c SHA256SUMS" in readme and f"optout evidence verify {out.name}" in readme
    assert "certutil -hashfile" in readme
    assert verify_bundle(out) == []
    extracted = tmp_path / "extracted"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(extracted)
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "-c", "SHA256SUMS"],
            cwd=extracted / last,
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "run.json: OK" in check.stdout


def test_tampered_bundles_are_reported(two_runs: tuple[Path, Path], tmp_path: Path) -> None:
    """A changed, dropped or mislisted file and an edited chain manifest in a zip are reported."""
    first, second = two_runs
    good = bundle_run(first.parent, second.name, tmp_path / "good.zip")
    shot = f"{second.name}/facebook-form/fr-FR/final.png"

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name == shot else data

    def edit_sums(name: str, data: bytes) -> bytes:
        if name.endswith("SHA256SUMS"):
            return data.replace(b"run.json", b"runs.json")
        return data

    def edit_chain(name: str, data: bytes) -> bytes:
        return (
            data.replace(b'"finished_at"', b'"finished_at" ') if name.startswith("chain/") else data
        )

    cases: list[tuple[Callable[[str, bytes], bytes | None], set[Any]]] = [
        (flip, {(second.name, "facebook-form/fr-FR/final.png", "modified")}),
        (edit_sums, {(second.name, "SHA256SUMS", "manifest")}),
        (edit_chain, {(second.name, None, "chain")}),
        (lambda n, d: None if n == shot else d, {(second.name, shot.split("/", 1)[1], "missing")}),
    ]
    for change, expected in cases:
        bad = tmp_path / "bad.zip"
        rewrite_zip(good, bad, change)
        assert kinds(verify_bundle(bad)) == expected
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert kinds(verify_bundle(tmp_path / "junk.zip")) == {("junk.zip", None, "manifest")}


# --- pruning -----------------------------------------------------------------------------


def test_prune_keeps_change_runs_and_the_latest(recordings: Path) -> None:
    """Pruning keeps both sides of each change, the first and latest runs, and stays verifiable."""
    days = ["available"] * 4 + ["blocked", "missing", "missing", "missing", "missing", "missing"]
    for day, verdict in enumerate(days):
        seal(make_run(recordings, day, verdicts={FLOWS[0]: verdict}))
    assert change_runs(recordings) == {run_id(0), run_id(3), run_id(5)}
    now = DAY0 + timedelta(days=9)
    expected = [run_id(d) for d in (1, 2, 4, 6)]
    assert prune(recordings, keep_days=2, now=now, dry_run=True) == expected
    assert not any((recordings / r / PRUNED).exists() for r in expected)
    assert prune(recordings, keep_days=2, now=now) == expected
    pruned = recordings / run_id(1)
    marker = json.loads((pruned / PRUNED).read_text())
    assert marker["files_removed"] == 5 and marker["pruned_at"] == "2026-11-10T06:30:00Z"
    assert not (pruned / "facebook-form/fr-FR/final.png").exists()
    assert (pruned / "run.json").exists() and (pruned / "facebook-form/fr-FR/result.json").exists()
    assert (pruned / MANIFEST).exists()
    assert (recordings / run_id(9) / "facebook-form/fr-FR/final.png").exists()  # other links kept
    assert verify_runs(recordings) == []
    with pytest.raises(IntegrityError, match="pruned"):
        bundle_run(recordings, run_id(1), recordings.parent)
    assert prune(recordings, keep_days=2, now=now) == []
    everything = prune(recordings, keep_days=0, keep_changes=False, now=now)
    assert everything == [run_id(d) for d in (0, 3, 5, 7, 8)]
    assert verify_runs(recordings) == []
    (recordings / run_id(1) / "run.json").write_text("{}")
    assert kinds(verify_runs(recordings)) == {(run_id(1), "run.json", "modified")}


def test_prune_leaves_damaged_runs_alone(recordings: Path) -> None:
    """A run whose files no longer match its manifest is not pruned: that would hide the damage."""
    for day in range(4):
        seal(make_run(recordings, day, seed=day))
    (recordings / run_id(1) / "facebook-form/en-GB/final.html").write_text("edited")
    pruned = prune(recordings, keep_days=0, keep_changes=False, now=DAY0 + timedelta(days=5))
    assert pruned == [run_id(0), run_id(2)]
    assert kinds(verify_runs(recordings)) == {
        (run_id(1), "facebook-form/en-GB/final.html", "modified")
    }


# --- trusted timestamps ------------------------------------------------------------------


def openssl(*args: str, cwd: Path) -> bytes:
    done = subprocess.run([OPENSSL or "openssl", *args], cwd=cwd, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def make_ca(folder: Path, name: str) -> None:
    """A throwaway self-signed CA: name.key, name.pem."""
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN=optout test {name}",
        "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip


TSA_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class TSAHandler(BaseHTTPRequestHandler):
    """Answers each POSTed query with `openssl ts -reply`, or with the status it is told to."""

    folder: Path
    fail_with: int | None = None
    lock = threading.Lock()

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers["Content-Length"]))
        if self.fail_with is not None:
            self.send_error(self.fail_with)
            return
        with self.lock:
            (self.folder / "query.tsq").write_bytes(query)
            openssl(
                "ts", "-reply", "-config", "openssl.cnf", "-queryfile", "query.tsq",
                "-signer", "tsa.pem", "-inkey", "tsa.key", "-out", "reply.tsr",
                cwd=self.folder,
            )  # fmt: skip
            reply = (self.folder / "reply.tsr").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_tsa(tmp_path: Path) -> Iterator[tuple[str, Path, type[TSAHandler]]]:
    """A local RFC 3161 TSA over HTTP: its URL, its CA certificate, its handler class."""
    if OPENSSL is None:
        pytest.skip("the openssl command is not installed: no local timestamp authority")
    folder = tmp_path / "tsa"
    folder.mkdir()
    make_ca(folder, "ca")
    openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=optout test TSA",
        cwd=folder,
    )  # fmt: skip
    (folder / "tsa.ext").write_text(
        "basicConstraints = CA:FALSE\n"
        "keyUsage = critical,digitalSignature\n"
        "extendedKeyUsage = critical,timeStamping\n"
    )
    openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "2", "-extfile", "tsa.ext",
        cwd=folder,
    )  # fmt: skip
    (folder / "tsaserial").write_text("01\n")
    (folder / "openssl.cnf").write_text(TSA_CONFIG.format(dir=folder))
    handler = type("Handler", (TSAHandler,), {"folder": folder, "fail_with": None})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", folder / "ca.pem", handler
    finally:
        server.shutdown()
        server.server_close()


@needs_openssl
def test_query_is_what_openssl_builds(tmp_path: Path) -> None:
    """The stdlib-built query is byte for byte `openssl ts -query -sha256 -cert -no_nonce`."""
    (tmp_path / "manifest.json").write_text('{"files": {}}\n')
    made = openssl(
        "ts", "-query", "-data", "manifest.json", "-sha256", "-cert", "-no_nonce", cwd=tmp_path
    )
    assert build_query((tmp_path / "manifest.json").read_bytes()) == made


def test_timestamp_round_trip_with_a_local_tsa(
    local_tsa: tuple[str, Path, type[TSAHandler]], recordings: Path, tmp_path: Path
) -> None:
    """A run stamped by a local TSA verifies against its CA, in place and in a bundle."""
    url, ca, _ = local_tsa
    first, second = make_run(recordings, 0), make_run(recordings, 1)
    seal(first, tsa_url=url)
    before = datetime.now(UTC)
    seal(second, tsa_url=url)
    info = read_timestamp((second / TSR).read_bytes())
    assert info.granted and info.hash_algorithm == "sha256"
    assert info.imprint == hashlib.sha256((second / MANIFEST).read_bytes()).digest()
    assert info.time is not None and abs(info.time - before) < timedelta(minutes=1)
    text = openssl("ts", "-reply", "-in", str(second / TSR), "-text", cwd=tmp_path).decode()
    assert info.imprint.hex()[:8] in text.replace(" ", "").replace("-", "")
    assert verify_runs(recordings, tsa_ca=ca) == []
    out = bundle_run(recordings, second.name, tmp_path / "stamped.zip")
    with zipfile.ZipFile(out) as zf:
        assert {f"{second.name}/{TSR}", f"chain/{first.name}/{TSR}"} <= set(zf.namelist())
        assert "Trusted timestamp: 20" in zf.read("README.txt").decode()
    assert verify_bundle(out, tsa_ca=ca) == []


def test_tampered_timestamp_or_manifest_is_reported(
    local_tsa: tuple[str, Path, type[TSAHandler]], recordings: Path, tmp_path: Path
) -> None:
    """A damaged .tsr, an edited stamped manifest and a stranger's CA are timestamp problems."""
    url, ca, _ = local_tsa
    folder = make_run(recordings, 0)
    seal(folder, tsa_url=url)
    good_tsr, good_manifest = (folder / TSR).read_bytes(), (folder / MANIFEST).read_bytes()
    stamped = good_tsr.index(hashlib.sha256(good_manifest).digest())

    def flipped(at: int) -> bytes:
        return good_tsr[:at] + bytes([good_tsr[at] ^ 0xFF]) + good_tsr[at + 1 :]

    (folder / TSR).write_bytes(flipped(stamped + 5))  # the stamped hash: seen without a CA
    assert kinds(verify_runs(recordings)) == {(folder.name, TSR, "timestamp")}
    (folder / TSR).write_bytes(good_tsr[:-3])  # cut short: unreadable
    assert kinds(verify_runs(recordings)) == {(folder.name, TSR, "timestamp")}
    (folder / TSR).write_bytes(flipped(len(good_tsr) - 2))  # the signature: needs the CA
    assert verify_runs(recordings) == []
    assert kinds(verify_runs(recordings, tsa_ca=ca)) == {(folder.name, TSR, "timestamp")}
    (folder / TSR).write_bytes(good_tsr)
    (folder / MANIFEST).write_bytes(good_manifest.replace(b"chromium", b"firefox!"))
    problems = verify_runs(recordings, tsa_ca=ca)
    assert kinds(problems) == {(folder.name, TSR, "timestamp")}
    assert "another document" in problems[0].detail
    (folder / MANIFEST).write_bytes(good_manifest)
    make_ca(tmp_path, "stranger")
    problems = verify_runs(recordings, tsa_ca=tmp_path / "stranger.pem")
    assert kinds(problems) == {(folder.name, TSR, "timestamp")}
    assert "signature" in problems[0].detail
    assert verify_runs(recordings, tsa_ca=ca) == []


def test_tsa_failures_raise_timestamp_error_and_keep_the_run(
    local_tsa: tuple[str, Path, type[TSAHandler]], recordings: Path
) -> None:
    """An HTTP error or an unreachable TSA raises TimestampError; the run is sealed anyway."""
    url, _, handler = local_tsa
    handler.fail_with = 500
    folder = make_run(recordings, 0)
    with pytest.raises(TimestampError, match="HTTP 500"):
        seal(folder, tsa_url=url)
    assert (folder / MANIFEST).exists() and not (folder / TSR).exists()
    assert verify_runs(recordings) == []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    later = make_run(recordings, 1)
    with pytest.raises(TimestampError, match="cannot reach"):
        seal(later, tsa_url=f"http://127.0.0.1:{port}/")
    with pytest.raises(TimestampError, match="https://"):
        seal(make_run(recordings, 2), tsa_url="ftp://tsa.example/")


def test_a_forked_chain_is_reported(recordings: Path) -> None:
    """Two runs sealed against the same previous manifest (a fork) are a chain break."""
    first, second, third = (make_run(recordings, day) for day in (0, 1, 2))
    seal(first)
    seal(second)
    hidden = second / "manifest.json.hidden"
    (second / "manifest.json").rename(hidden)  # as if `second` were still being sealed
    seal(third)
    hidden.rename(second / "manifest.json")
    problems = verify_runs(recordings)
    assert [(p.run_id, p.kind) for p in problems] == [(third.name, "chain")]
    assert problems[0].detail == (
        f"fork: {third.name} and {second.name} both point to the run {first.name}"
    )
