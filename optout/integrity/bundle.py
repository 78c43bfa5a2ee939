"""One run as a self-contained zip for someone else: its files, its manifest, the chain, a README.

The zip can be checked without optout (`sha256sum -c SHA256SUMS` in the run folder)
and with it (`optout evidence verify FILE.zip`, which is `verify_bundle`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from optout.integrity.manifest import (
    CHAIN,
    PRUNED,
    README,
    SUMS,
    TSR,
    IntegrityError,
    Problem,
    check_files,
    check_identity,
    check_link,
    check_tsr,
    parse_manifest,
    parse_sums,
    sha256_bytes,
    sums_line,
)
from optout.integrity.tsa import TimestampError, read_timestamp
from optout.store.runids import is_run_id
from optout.store.writer import FILE_MODE, MANIFEST, RUN_JSON

_STORED = (".png", ".jpg", ".jpeg", ".webp", ".zip", ".gz")
"""Already compressed: stored as they are."""


def bundle_run(recordings: Path, run_id: str, out: Path) -> Path:
    """Write the zip of one run to `out` (a file, or a folder to put `optout-RUN.zip` in)."""
    run_dir = recordings / run_id
    if not is_run_id(run_id) or not run_dir.is_dir():
        raise IntegrityError(f"no run {run_id} in {recordings}")
    if (run_dir / PRUNED).is_file():
        raise IntegrityError(f"{run_id} was pruned: its evidence files were deleted")
    try:
        raw = (run_dir / MANIFEST).read_bytes()
        manifest = parse_manifest(raw)
    except FileNotFoundError:
        raise IntegrityError(f"{run_id} has no manifest.json: it was never sealed") from None
    except (OSError, ValueError) as exc:
        raise IntegrityError(f"{run_id}: {exc}") from None
    tsr = run_dir / TSR
    reply = tsr.read_bytes() if tsr.is_file() else None
    chain = _chain(recordings, manifest)
    sums = "".join(sums_line(e["sha256"], rel) for rel, e in sorted(manifest["files"].items()))
    sums += sums_line(sha256_bytes(raw), MANIFEST)
    if reply is not None:
        sums += sums_line(sha256_bytes(reply), TSR)
    out = Path(out)
    if out.is_dir():
        out = out / f"optout-{run_id}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.fchmod(fd, FILE_MODE)  # a bundle is made to be shared: it follows the umask
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(README, _readme(out.name, run_id, raw, manifest, reply, chain))
            for rel in sorted(manifest["files"]):
                path = run_dir / rel
                if path.is_file():
                    method = zipfile.ZIP_STORED if rel.endswith(_STORED) else zipfile.ZIP_DEFLATED
                    zf.write(path, f"{run_id}/{rel}", compress_type=method)
            zf.writestr(f"{run_id}/{MANIFEST}", raw)
            if reply is not None:
                zf.writestr(f"{run_id}/{TSR}", reply)
            zf.writestr(f"{run_id}/{SUMS}", sums)
            for prev_id, prev_raw, prev_reply in chain:
                zf.writestr(f"{CHAIN}/{prev_id}/{MANIFEST}", prev_raw)
                if prev_reply is not None:
                    zf.writestr(f"{CHAIN}/{prev_id}/{TSR}", prev_reply)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _chain(recordings: Path, manifest: dict[str, Any]) -> list[tuple[str, bytes, bytes | None]]:
    """(run id, manifest bytes, timestamp reply) of every earlier run of the chain, newest first."""
    chain: list[tuple[str, bytes, bytes | None]] = []
    seen: set[str] = set()
    current = manifest
    while "format" in current and isinstance(current.get("previous"), dict):
        prev_id = current["previous"]["run_id"]
        if prev_id in seen or not is_run_id(prev_id):
            break
        seen.add(prev_id)
        try:
            raw = (recordings / prev_id / MANIFEST).read_bytes()
        except OSError:
            break  # verify_bundle will say that the chain stops here
        tsr = recordings / prev_id / TSR
        chain.append((prev_id, raw, tsr.read_bytes() if tsr.is_file() else None))
        try:
            current = parse_manifest(raw)
        except ValueError:
            break
    return chain


def _readme(
    zip_name: str,
    run_id: str,
    raw: bytes,
    manifest: dict[str, Any],
    reply: bytes | None,
    chain: list[tuple[str, bytes, bytes | None]],
) -> str:
    """The plain-words README.txt of a bundle."""
    tool = manifest.get("tool") or {}
    browser = manifest.get("browser") or {}
    stamp = "none (this run was not sent to a timestamp authority)"
    if reply is not None:
        try:
            info = read_timestamp(reply)
            stamp = f"{info.time:%Y-%m-%d %H:%M:%S} UTC, {info.status_text} (manifest.json.tsr)"
        except TimestampError as exc:
            stamp = f"manifest.json.tsr is present but unreadable: {exc}"
    previous = manifest.get("previous")
    link = (
        f"{previous['run_id']}, whose manifest.json has SHA-256 {previous['manifest_sha256']}"
        if isinstance(previous, dict)
        else "none: this is the first run of its chain"
    )
    first_prev = chain[0][0] if chain else "RUN"
    lines = [
        f"Evidence of the optout run {run_id}",
        "=" * (28 + len(run_id)),
        "",
        "optout checks whether Meta's forms to object to the use of personal data for AI",
        "training exist and can be reached. This zip holds everything one run recorded:",
        "screenshots (.png), the page where each check ended (final.html), what a screen",
        "reader saw (final.aria.yaml), the verdicts (run.json, result.json) and the run's",
        "manifest, which lists every file with its SHA-256 fingerprint.",
        "",
        f"  Run started:       {manifest.get('started_at', '?')} (UTC)",
        f"  Run finished:      {manifest.get('finished_at', '?')} (UTC)",
        f"  Tool:              {tool.get('name', '?')} {tool.get('version', '')}".rstrip(),
        f"  Browser:           {browser.get('name', '?')} {browser.get('version', '')}".rstrip(),
        f"  Files:             {len(manifest['files'])} (the verdicts are in {run_id}/{RUN_JSON})",
        f"  manifest.json:     SHA-256 {sha256_bytes(raw)}",
        f"  Trusted timestamp: {stamp}",
        f"  Previous run:      {link}",
        f"  Earlier manifests: {len(chain)}, in the folder {CHAIN}/",
        "",
        "1. Check the files on Linux or macOS",
        "",
        f"     unzip {zip_name}",
        f"     cd {run_id}",
        "     sha256sum -c SHA256SUMS            (on macOS: shasum -a 256 -c SHA256SUMS)",
        "",
        "   Every line must end in OK. A FAILED line means that file is not the one the run",
        "   recorded; a missing file is reported too.",
        "",
        "2. Check the files on Windows (PowerShell)",
        "",
        f"     Expand-Archive {zip_name} -DestinationPath evidence",
        f"     cd evidence\\{run_id}",
        "     Get-Content SHA256SUMS | ForEach-Object { $h, $f = $_ -split '  ', 2;",
        '       if ((Get-FileHash -Algorithm SHA256 -LiteralPath $f).Hash -eq $h) { "OK  $f" }',
        '       else { "FAILED  $f" } }',
        "",
        "   or one file at a time: certutil -hashfile final.png SHA256, and compare the",
        "   result with that file's line in SHA256SUMS (upper or lower case does not matter).",
        "",
        "3. Check the chain (optional)",
        "",
        "   Each manifest records the SHA-256 of the manifest of the run before it",
        '   ("previous" in manifest.json). For example:',
        "",
        f"     sha256sum {CHAIN}/{first_prev}/manifest.json",
        "",
        "   must print the manifest_sha256 given in the manifest of the run after it.",
        "",
        "4. Check the trusted timestamp (only if manifest.json.tsr is present)",
        "",
        f"     openssl ts -reply -in {run_id}/{TSR} -text",
        f"     openssl ts -verify -in {run_id}/{TSR} -data {run_id}/{MANIFEST} -CAfile TSA-CA.pem",
        "",
        "   where TSA-CA.pem holds the certificates published by the timestamp authority.",
        "",
        "5. Or all of the above at once, with optout installed:",
        "",
        f"     optout evidence verify {zip_name} [--tsa-ca TSA-CA.pem]",
        "",
        "What this proves: the files are exactly those listed in the manifest, and the",
        "earlier manifests were not changed after this run was sealed. With a valid",
        "timestamp, the manifest (and so every file) existed no later than the time",
        "stamped; without one, the dates are those of the computer that ran optout.",
        "It does not show what another browser, account or country would have seen.",
        "",
        "The screenshots may show personal data (names, faces, accounts of logged-in users).",
        "Share this zip only with people who need it.",
        "",
    ]
    return "\n".join(lines)


def verify_bundle(zip_path: Path, *, tsa_ca: Path | None = None) -> list[Problem]:
    """Everything that does not match in a bundle made by `bundle_run` (empty when intact)."""
    label = Path(zip_path).name
    try:
        with zipfile.ZipFile(zip_path) as zf:
            return _verify_zip(zf, tsa_ca)
    except (OSError, zipfile.BadZipFile) as exc:
        return [Problem(label, None, "manifest", f"not a readable zip file ({exc})")]


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return zf.read(name)
    except (KeyError, OSError, zipfile.BadZipFile):
        return None


def _verify_zip(zf: zipfile.ZipFile, tsa_ca: Path | None) -> list[Problem]:
    names = [n for n in zf.namelist() if not n.endswith("/")]
    runs = sorted(
        {n.split("/", 1)[0] for n in names if n.endswith(f"/{MANIFEST}") and n.count("/") == 1}
    )
    label = Path(zf.filename or "bundle").name
    if not runs:
        return [Problem(label, None, "manifest", "the zip holds no run folder with manifest.json")]
    problems = [
        Problem(label, name, "added", "not part of a bundle")
        for name in names
        if name != README and name.split("/", 1)[0] not in (*runs, CHAIN)
    ]
    for run_id in runs:
        problems += _verify_run(zf, run_id, names, tsa_ca)
    return problems


def _verify_run(
    zf: zipfile.ZipFile, run_id: str, names: list[str], tsa_ca: Path | None
) -> list[Problem]:
    prefix = f"{run_id}/"
    raw = _read(zf, prefix + MANIFEST) or b""
    try:
        manifest = parse_manifest(raw)
    except ValueError as exc:
        return [Problem(run_id, MANIFEST, "manifest", str(exc))]
    sizes = {
        n[len(prefix) :]: zf.getinfo(n).file_size
        for n in names
        if n.startswith(prefix) and n[len(prefix) :] not in (MANIFEST, TSR)
    }

    def digest(rel: str) -> str | None:
        try:
            hashed = hashlib.sha256()
            with zf.open(prefix + rel) as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    hashed.update(chunk)
            return hashed.hexdigest()
        except (OSError, zipfile.BadZipFile):
            return None

    reply = _read(zf, prefix + TSR)
    problems = check_identity(run_id, manifest)
    problems += check_files(run_id, manifest, sizes, digest, extra=[SUMS])
    problems += check_tsr(run_id, reply, raw, tsa_ca)
    problems += _check_sums(zf, run_id, raw, manifest, reply)
    problems += _check_chain(zf, run_id, manifest, tsa_ca)
    return problems


def _check_sums(
    zf: zipfile.ZipFile, run_id: str, raw: bytes, manifest: dict[str, Any], reply: bytes | None
) -> list[Problem]:
    """SHA256SUMS says the same as the manifest."""
    text = _read(zf, f"{run_id}/{SUMS}")
    if text is None:
        return [Problem(run_id, SUMS, "manifest", "the bundle has no SHA256SUMS")]
    sums = parse_sums(text.decode("utf-8", "replace"))
    if sums is None:
        return [Problem(run_id, SUMS, "manifest", "SHA256SUMS is not in sha256sum format")]
    expected = {rel: e["sha256"] for rel, e in manifest["files"].items()}
    expected[MANIFEST] = sha256_bytes(raw)
    if reply is not None:
        expected[TSR] = sha256_bytes(reply)
    problems = []
    for name in sorted(set(sums) | set(expected)):
        if name not in expected:
            detail = f"SHA256SUMS lists {name}, which the manifest does not"
        elif name not in sums:
            detail = f"SHA256SUMS does not list {name}"
        elif sums[name] != expected[name]:
            detail = f"SHA256SUMS gives {name} another SHA-256 than the manifest"
        else:
            continue
        problems.append(Problem(run_id, SUMS, "manifest", detail))
    return problems


def _check_chain(
    zf: zipfile.ZipFile, run_id: str, manifest: dict[str, Any], tsa_ca: Path | None
) -> list[Problem]:
    """Each manifest's link to the one before it, through the chain/ folder of the zip."""

    def earlier(prev_id: str) -> bytes | None:
        return _read(zf, f"{CHAIN}/{prev_id}/{MANIFEST}")

    problems: list[Problem] = []
    seen = {run_id}
    current, current_id = manifest, run_id
    while True:
        link = check_link(current_id, current, earlier)
        problems += link
        previous = current.get("previous")
        if link or "format" not in current or not isinstance(previous, dict):
            return problems
        prev_id = previous["run_id"]
        if prev_id in seen:
            problems.append(Problem(current_id, None, "chain", f"the chain loops at {prev_id}"))
            return problems
        seen.add(prev_id)
        raw = earlier(prev_id) or b""
        where = f"{CHAIN}/{prev_id}/{MANIFEST}"
        try:
            current, current_id = parse_manifest(raw), prev_id
        except ValueError as exc:
            problems.append(Problem(prev_id, where, "manifest", str(exc)))
            return problems
        problems += check_identity(prev_id, current)
        problems += check_tsr(prev_id, _read(zf, where + ".tsr"), raw, tsa_ca, where + ".tsr")
