"""Bad options of `optout verify`: one line on stderr, exit 2 (3 for unwritable recordings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEST_FLOWS, invoke

FLOW = TEST_FLOWS / "valid" / "click-send.yaml"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--workers", "0"],
            "optout: verify: Invalid value for '--workers': 0 is not in the range x>=1. "
            "(see --help)",
        ),
        (
            ["--timeout", "-1"],
            "optout: verify: Invalid value for '--timeout': -1.0 is not in the range x>=0.1. "
            "(see --help)",
        ),
        (
            ["--map-origin", "nonsense"],
            "optout: verify: Invalid value for '--map-origin': expected FROM=TO, got 'nonsense' "
            "(see --help)",
        ),
    ],
    ids=["workers-0", "timeout-negative", "map-origin-nonsense"],
)
def test_a_bad_option_gets_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    """A bad --workers, --timeout or --map-origin is one line on stderr, exit 2, and no run."""
    result = invoke("verify", FLOW, "--out", tmp_path / "recordings", *args)
    assert result.stderr.splitlines() == [message]
    assert result.exit_code == 2
    assert not (tmp_path / "recordings").exists()


def test_unwritable_recordings_get_one_line_and_exit_3(tmp_path: Path) -> None:
    """An --out below a regular file is one line on stderr and exit 3, before any browser."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke(
        "verify", FLOW, "--out", blocker / "recordings", "--browser-path", tmp_path / "none"
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"optout: cannot create the recordings folder {blocker}/recordings")
    assert result.exit_code == 3
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["verify", "--map-origin", "www.facebook.com=http://127.0.0.1:1"],
            "FROM must be an http(s)",
        ),
        (["verify", "--map-origin", "https://www.facebook.com"], "expected FROM=TO"),
        (["verify", "--retries", "-1"], "-1 is not in the range x>=0"),
        (["verify", "--timeout", "0"], "0.0 is not in the range x>=0.1"),
        (["verify", "--page-timeout", "0"], "0.0 is not in the range x>=0.1"),
        (["verify", "--workers", "zero"], "'zero' is not a valid integer"),
        (["verify", "--locale", "ga-IE"], "no flow has the locale(s) ga-IE"),
        (["verify", "no/such/file.yaml"], "no/such/file.yaml:0: no such file or folder"),
    ],
)
def test_bad_options_exit_2(args: list[str], fragment: str) -> None:
    """A wrong option or path gets one clear message and exit code 2."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.output
