"""History of verdicts: series, changes, streaks and the `optout history` rendering."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from helpers import flow_result, step, write_run
from rich.console import Console

from optout.check.results import FlowResult
from optout.check.verdict import Verdict, is_change
from optout.store.history import inconclusive_streak, last_conclusive, series
from optout.store.records import saved_runs
from optout.terminal import timeline


def result(flow: str, locale: str, verdict: str, reason: str = "") -> FlowResult:
    """A result of one flow × locale with its reason (by default `<verdict> because`)."""
    return flow_result(flow, verdict, locale, reason=reason or f"{verdict} because")


def daily(recordings: Path, verdicts: str, flow: str = "facebook-form", day0: int = 20) -> None:
    """One run a day from 2026-05-<day0>, one letter per run (A M b u x) for fr-FR."""
    names = {"A": "available", "M": "missing", "b": "blocked", "u": "unreachable", "x": "broken"}
    for i, letter in enumerate(verdicts):
        run_id = f"202605{day0 + i:02d}T063000Z"
        write_run(recordings, run_id, [result(flow, "fr-FR", names[letter])])


def test_is_change_needs_two_different_conclusive_verdicts() -> None:
    """Only a conclusive verdict that differs from a known last conclusive one is a change."""
    assert is_change(Verdict.MISSING, Verdict.AVAILABLE)
    assert not is_change(Verdict.MISSING, Verdict.MISSING)
    assert not is_change(Verdict.MISSING, None)
    assert not is_change(Verdict.BLOCKED, Verdict.AVAILABLE)
    assert not is_change(Verdict.BROKEN, None)


def test_changes_are_between_conclusive_verdicts_only(tmp_path: Path) -> None:
    """Inconclusive runs in between neither count as a change nor hide one."""
    daily(tmp_path, "AAbMMuA")
    (s,) = series(tmp_path)
    assert [p.verdict for p in s.points] == [
        Verdict(v)
        for v in ("available", "available", "blocked", "missing", "missing", "unreachable")
    ] + [Verdict.AVAILABLE]
    assert [(c.run_id, c.from_, c.to) for c in s.changes] == [
        ("20260523T063000Z", Verdict.AVAILABLE, Verdict.MISSING),
        ("20260526T063000Z", Verdict.MISSING, Verdict.AVAILABLE),
    ]
    assert s.changes[0].at == datetime(2026, 5, 23, 6, 30, tzinfo=UTC)


def test_an_inconclusive_stretch_between_equal_verdicts_is_no_change(tmp_path: Path) -> None:
    """available, unreachable, broken, available: the form never changed."""
    daily(tmp_path, "AuxA")
    (s,) = series(tmp_path)
    assert s.changes == []


def test_streak_is_about_the_latest_verdict_inconclusive_included(tmp_path: Path) -> None:
    """The streak counts the latest verdict's runs in a row and gives when it began."""
    daily(tmp_path, "AMMbbb")
    (s,) = series(tmp_path)
    assert s.streak == (Verdict.BLOCKED, 3, datetime(2026, 5, 23, 6, 30, tzinfo=UTC))
    daily(tmp_path / "other", "bMMM")
    (s,) = series(tmp_path / "other")
    assert s.streak == (Verdict.MISSING, 3, datetime(2026, 5, 21, 6, 30, tzinfo=UTC))


def test_points_keep_reason_and_evidence(tmp_path: Path) -> None:
    """Each point carries the run id, the time, the reason and the evidence folder."""
    write_run(tmp_path, "20260520T063000Z", [result("f", "fr-FR", "missing", "gone")])
    (s,) = series(tmp_path)
    point = s.points[0]
    assert (point.run_id, point.reason, point.evidence) == ("20260520T063000Z", "gone", "f/fr-FR")
    assert point.at == datetime(2026, 5, 20, 6, 30, tzinfo=UTC)


def test_series_per_flow_and_locale_with_flow_filter(tmp_path: Path) -> None:
    """One series per flow × locale, sorted by flow; `flows` keeps only those flows."""
    for day in (20, 21):
        write_run(
            tmp_path,
            f"202605{day}T063000Z",
            [
                result("zeta", "fr-FR", "available"),
                result("alpha", "fr-FR", "missing"),
                result("alpha", "en-GB", "missing"),
            ],
        )
    assert [(s.flow, s.locale) for s in series(tmp_path)] == [
        ("alpha", "fr-FR"),
        ("alpha", "en-GB"),
        ("zeta", "fr-FR"),
    ]
    assert [(s.flow, s.locale) for s in series(tmp_path, ["zeta"])] == [("zeta", "fr-FR")]
    assert series(tmp_path, ["nope"]) == []
    assert len(series(tmp_path, [])) == 3


def test_since_keeps_later_points_but_the_whole_history_for_changes(tmp_path: Path) -> None:
    """With `since`, a change on its first day still counts and a streak may begin earlier."""
    daily(tmp_path, "AAAMMM")
    (s,) = series(tmp_path, since=datetime(2026, 5, 23))
    assert [p.run_id for p in s.points] == [
        "20260523T063000Z",
        "20260524T063000Z",
        "20260525T063000Z",
    ]
    assert [(c.from_, c.to) for c in s.changes] == [(Verdict.AVAILABLE, Verdict.MISSING)]
    (s,) = series(tmp_path, since=datetime(2026, 5, 24, tzinfo=UTC))
    assert s.changes == []
    assert s.streak == (Verdict.MISSING, 3, datetime(2026, 5, 23, 6, 30, tzinfo=UTC))
    assert series(tmp_path, since=datetime(2027, 1, 1, tzinfo=UTC)) == []


def test_unreadable_runs_and_results_are_skipped(tmp_path: Path) -> None:
    """Broken JSON, a non-object summary and malformed results are left out, not fatal."""
    daily(tmp_path, "AM")
    (tmp_path / "20260522T063000Z").mkdir()
    (tmp_path / "20260522T063000Z" / "run.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "20260523T063000Z").mkdir()
    (tmp_path / "20260523T063000Z" / "run.json").write_text("[1, 2]", encoding="utf-8")
    bad = result("facebook-form", "fr-FR", "available").to_json()
    (tmp_path / "20260524T063000Z").mkdir()
    (tmp_path / "20260524T063000Z" / "run.json").write_text(
        json.dumps({"results": [{"flow": "facebook-form"}, "x", {**bad, "verdict": "maybe"}]}),
        encoding="utf-8",
    )
    (tmp_path / "20260526T063000Z").mkdir()  # a run still going: no run.json yet
    (tmp_path / "notes").mkdir()
    (s,) = series(tmp_path)
    assert [p.run_id for p in s.points] == ["20260520T063000Z", "20260521T063000Z"]
    assert [run.run_id for run in saved_runs(tmp_path)] == [
        "20260520T063000Z",
        "20260521T063000Z",
        "20260524T063000Z",
    ]
    assert inconclusive_streak(tmp_path) == {("facebook-form", "fr-FR"): 0}


def test_same_second_runs_are_ordered_by_suffix(tmp_path: Path) -> None:
    """`-2` and `-10` runs follow their base run in numeric order."""
    write_run(tmp_path, "20260520T063000Z", [result("f", "fr-FR", "available")])
    write_run(tmp_path, "20260520T063000Z-10", [result("f", "fr-FR", "blocked")])
    write_run(tmp_path, "20260520T063000Z-2", [result("f", "fr-FR", "missing")])
    (s,) = series(tmp_path)
    assert [p.run_id[17:] for p in s.points] == ["", "2", "10"]
    assert [(c.from_, c.to) for c in s.changes] == [(Verdict.AVAILABLE, Verdict.MISSING)]


def test_inconclusive_streak_counts_trailing_inconclusive_runs(tmp_path: Path) -> None:
    """Inconclusive runs at the end count; a conclusive run resets; absent runs do not break."""
    daily(tmp_path, "AbMbux")
    daily(tmp_path, "bbbA", flow="other", day0=10)
    write_run(tmp_path, "20260530T063000Z", [result("third", "fr-FR", "broken")])
    assert inconclusive_streak(tmp_path) == {
        ("other", "fr-FR"): 0,
        ("facebook-form", "fr-FR"): 3,
        ("third", "fr-FR"): 1,
    }
    assert inconclusive_streak(tmp_path / "none") == {}


def test_last_conclusive_is_the_latest_available_or_missing(tmp_path: Path) -> None:
    """The last conclusive verdict per flow × locale skips the inconclusive runs after it."""
    daily(tmp_path, "AMb")
    assert last_conclusive(tmp_path) == {("facebook-form", "fr-FR"): Verdict.MISSING}


def test_a_year_of_daily_runs_is_read_without_their_steps(tmp_path: Path) -> None:
    """365 runs of 16 results each are summed up from their results alone (bounded loosely:
    speed is measured by the benchmark, not by tests on a shared machine)."""
    verdicts = ["available", "missing", "blocked"]
    for day in range(365):
        moment = datetime.fromtimestamp(1_767_225_600 + day * 86_400, tz=UTC)
        run_id = moment.strftime("%Y%m%dT063000Z")
        steps = [step(n, "x" * 200) for n in range(6)]
        results = [
            flow_result(f"flow-{i}", verdicts[(day // 30 + i) % 3], loc, steps=steps)
            for i in range(8)
            for loc in ("fr-FR", "en-GB")
        ]
        write_run(tmp_path, run_id, results)
    start = time.perf_counter()
    all_series = series(tmp_path)
    streaks = inconclusive_streak(tmp_path)
    elapsed = time.perf_counter() - start
    assert len(all_series) == 16 and all(len(s.points) == 365 for s in all_series)
    assert len(streaks) == 16
    assert elapsed < 30  # catches only an accidental quadratic read; bench/ measures speed


def plain_console(width: int = 160) -> tuple[Console, io.StringIO]:
    """A console without colours that writes to a string."""
    out = io.StringIO()
    return Console(file=out, width=width, color_system=None, highlight=False), out


def test_render_shows_strip_streak_and_changes(tmp_path: Path) -> None:
    """A row shows the letters per run, the current streak and each change with its date."""
    daily(tmp_path, "AAAMMb")
    daily(tmp_path, "u", flow="instagram-form", day0=10)
    console, out = plain_console()
    timeline.render(series(tmp_path), console)
    text = out.getvalue()
    assert "AAAMMb" in text
    assert "blocked for 1 run since 2026-05-25" in text
    assert "2026-05-23 available → missing" in text
    assert "unreachable for 1 run since 2026-05-10" in text
    rows = [line for line in text.splitlines() if "facebook-form" in line]
    assert len(rows) == 1 and "fr-FR" in rows[0]


def test_render_plural_streak_and_long_strip(tmp_path: Path) -> None:
    """A streak of several runs is plural, and a long history shows only its latest runs."""
    daily(tmp_path, "M" * 3)
    console, out = plain_console()
    timeline.render(series(tmp_path), console)
    assert "missing for 3 runs since 2026-05-20" in out.getvalue()
    (s,) = series(tmp_path)
    s.points = s.points * 30
    assert timeline.strip(s).plain == "…" + "M" * timeline.STRIP_MAX


def test_render_colours_letters_with_the_verdict_styles(tmp_path: Path) -> None:
    """On a colour console the letters carry the verdict styles."""
    daily(tmp_path, "AM")
    (s,) = series(tmp_path)
    spans = [(span.start, str(span.style)) for span in timeline.strip(s).spans]
    assert spans == [(0, "bold green"), (1, "bold red")]


def test_render_without_runs(tmp_path: Path) -> None:
    """No runs: one line says so."""
    console, out = plain_console()
    timeline.render(series(tmp_path), console)
    assert out.getvalue().strip() == "no runs recorded"


def test_to_json_is_plain_data(tmp_path: Path) -> None:
    """The JSON form has the current streak, the changes and every point, with UTC times."""
    daily(tmp_path, "AbM")
    data = timeline.to_json(series(tmp_path))
    assert json.loads(json.dumps(data)) == data
    (entry,) = data
    assert entry["flow"] == "facebook-form" and entry["locale"] == "fr-FR"
    assert entry["current"] == {"verdict": "missing", "runs": 1, "since": "2026-05-22T06:30:00Z"}
    assert entry["changes"] == [
        {
            "run_id": "20260522T063000Z",
            "at": "2026-05-22T06:30:00Z",
            "from": "available",
            "to": "missing",
        }
    ]
    assert [p["verdict"] for p in entry["points"]] == ["available", "blocked", "missing"]
    assert entry["points"][1]["evidence"] == "facebook-form/fr-FR"
