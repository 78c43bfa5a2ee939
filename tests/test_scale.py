"""Spreading a run: shards joined by `optout merge`, Playwright browser servers, CDP."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FLOWS, invoke

from optout.check.shard import assign, parse_shard
from optout.replica import ReplicaServer

FACEBOOK_FORM = FLOWS / "facebook-form.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, seconds: float = 30) -> None:
    """Wait until something listens on this loopback port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)


def system_browser() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    raise AssertionError("no Chromium on this machine (make install puts one there)")


def maps(replica: ReplicaServer, scenario: str) -> list[str]:
    origin = replica.origin_for(scenario)
    args: list[str] = []
    for source in ("https://www.facebook.com", "https://fr-fr.facebook.com",
                   "https://help.instagram.com", "https://faq.whatsapp.com",
                   "https://www.whatsapp.com"):  # fmt: skip
        args += ["--map-origin", f"{source}={origin}"]
    return args


def verdicts(run_json: Path) -> dict[tuple[str, str], str]:
    data = json.loads(run_json.read_text())
    return {(r["flow"], r["locale"]): r["verdict"] for r in data["results"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3/2", "'3/2': I must be between 1 and N, and N at least 1 (e.g. 1/3)"),
        ("0/0", "'0/0': I must be between 1 and N, and N at least 1 (e.g. 1/3)"),
        ("half", "'half' is not I/N (e.g. 1/3: the first of three shards)"),
    ],
)
def test_bad_shards_are_one_clear_line(value: str, message: str) -> None:
    """--shard with a value that is not a slice exits 2 with one line naming it."""
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_shard(value)
    result = invoke("verify", FACEBOOK_FORM, "--shard", value)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_shards_cover_every_pair_once_and_balance_by_duration() -> None:
    """Every pair goes to exactly one shard, the same way every time, the longest first."""
    keys = [(f"flow-{i}", loc) for i in range(7) for loc in ("fr-FR", "en-GB")]
    plain = assign(keys, 3, {})
    assert plain == assign(list(reversed(keys)), 3, {})
    assert sorted(plain.values()).count(1) in (4, 5)
    durations = {key: 1.0 for key in keys} | {("flow-0", "fr-FR"): 12.0}
    balanced = assign(keys, 3, durations)
    load = {s: sum(durations[k] for k, v in balanced.items() if v == s) for s in (1, 2, 3)}
    assert load[balanced[("flow-0", "fr-FR")]] == 12.0  # the long pair has a shard to itself
    assert set(balanced) == set(keys)


def test_three_shards_merged_give_the_run_of_one_machine(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    """Three sharded runs merged are one sealed run with the verdicts of an unsharded run.

    One locale (a pair per shipped flow, of mixed verdicts on the demo scenario) keeps it
    cheap: the split is over flow × locale pairs, and 9 pairs give each shard several."""
    common = ["--timeout", "4", "--workers", "2", "--locale", "en-GB", *maps(replica, "demo")]
    whole = invoke("verify", FLOWS, "--recordings", tmp_path / "whole", *common)
    assert whole.exit_code in (0, 4), whole.output
    shards = []
    for i in (1, 2, 3):
        out = tmp_path / f"shard-{i}"
        result = invoke("verify", FLOWS, "--recordings", out, "--shard", f"{i}/3", *common)
        assert result.exit_code in (0, 4), result.output
        shards += [p for p in out.iterdir() if (p / "run.json").is_file()]
    assert len(shards) == 3
    merged = invoke("merge", *shards, "--recordings", tmp_path / "rec")
    assert merged.exit_code == whole.exit_code, merged.output
    runs = [p for p in (tmp_path / "rec").iterdir() if (p / "run.json").is_file()]
    assert len(runs) == 1
    [single] = [p for p in (tmp_path / "whole").iterdir() if (p / "run.json").is_file()]
    assert verdicts(runs[0] / "run.json") == verdicts(single / "run.json")
    assert len(verdicts(single / "run.json")) == len(list(FLOWS.glob("*.yaml")))  # every flow
    assert len(set(verdicts(single / "run.json").values())) >= 3  # a mix, not one verdict
    assert invoke("evidence", "verify", "--recordings", tmp_path / "rec").exit_code == 0
    history = invoke("history", "--recordings", tmp_path / "rec", "--json")
    points = {len(s["points"]) for s in json.loads(history.output)}
    assert points == {1}  # history sees one run
    again = invoke("merge", *shards, "--recordings", tmp_path / "rec")
    assert again.exit_code == 0 or again.exit_code == whole.exit_code  # a second, later run


def test_a_tampered_shard_is_not_merged(replica: ReplicaServer, tmp_path: Path) -> None:
    """A shard whose files no longer match its manifest is refused, and nothing is written."""
    out = tmp_path / "shard"
    invoke("verify", FACEBOOK_FORM, "--locale", "en-GB", "--recordings", out,
           "--timeout", "4", *maps(replica, "form-available"))  # fmt: skip
    [run] = [p for p in out.iterdir() if (p / "run.json").is_file()]
    (run / "facebook-form" / "en-GB" / "final.html").write_text("edited")
    merged = invoke("merge", run, "--recordings", tmp_path / "rec")
    assert merged.exit_code == 2
    assert "final.html does not match the shard's manifest" in merged.stderr
    assert not (tmp_path / "rec").exists() or not [
        p for p in (tmp_path / "rec").iterdir() if not p.name.startswith(".")
    ]


@pytest.fixture
def run_server() -> Iterator[str]:
    """A `playwright run-server` on loopback (allowed to launch our system Chromium)."""
    port = free_port()
    cli = Path(sys.executable).parent / "playwright"
    proc = subprocess.Popen(
        [str(cli), "run-server", "--port", str(port), "--host", "127.0.0.1", "--unsafe"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for_port(port)
    yield f"ws://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def cdp_browser(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium exposing its DevTools endpoint on loopback."""
    port = free_port()
    proc = subprocess.Popen(
        [system_browser(), "--headless", "--no-sandbox", f"--remote-debugging-port={port}",
         "--remote-debugging-address=127.0.0.1", f"--user-data-dir={tmp_path / 'profile'}",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-sync", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def evidence_files(recordings: Path) -> list[str]:
    [run] = [p for p in recordings.iterdir() if (p / "run.json").is_file()]
    return sorted(str(p.relative_to(run)) for p in run.rglob("*") if p.is_file())


def test_remote_browsers_give_the_verdicts_and_evidence_of_a_local_one(
    replica: ReplicaServer, tmp_path: Path, run_server: str, cdp_browser: str
) -> None:
    """--connect to a Playwright server and --cdp to a Chromium give the local run's results."""
    common = ["--timeout", "4", "--locale", "en-GB", *maps(replica, "form-available")]
    local = invoke("verify", FACEBOOK_FORM, "--recordings", tmp_path / "local", *common)
    assert local.exit_code == 0, local.output
    remote = invoke(
        "verify", FACEBOOK_FORM, "--recordings", tmp_path / "remote", *common,
        "--connect", run_server, "--browser-path", system_browser(),
    )  # fmt: skip
    assert remote.exit_code == 0, remote.output
    cdp = invoke("verify", FACEBOOK_FORM, "--recordings", tmp_path / "cdp", *common,
                 "--cdp", cdp_browser)  # fmt: skip
    assert cdp.exit_code == 0, cdp.output
    expected = evidence_files(tmp_path / "local")
    assert evidence_files(tmp_path / "remote") == expected
    assert evidence_files(tmp_path / "cdp") == expected


@pytest.mark.parametrize(
    ("option", "url", "code", "message"),
    [
        ("--connect", "ws://127.0.0.1:{port}/", 3, "optout: cannot reach the browser at ws://"),
        ("--cdp", "http://127.0.0.1:{port}", 3, "optout: cannot reach the browser at http://"),
        ("--connect", "http://x", 2, "is not a ws/wss URL with a host"),
    ],
)
def test_unreachable_browsers_are_one_clear_line(
    tmp_path: Path, option: str, url: str, code: int, message: str
) -> None:
    """A browser endpoint nobody answers on exits 3 in one line; a bad URL exits 2."""
    value = url.format(port=free_port())
    result = invoke("verify", FACEBOOK_FORM, "--recordings", tmp_path / "r", option, value)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
