"""The typed reader of saved runs: golden records, old records, odd values and the run ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from helpers import RUN_ID, flow_result, run_summary, step, write_run

from optout.check.results import FlowResult, Navigation, RunSummary, StepRecord, StepStatus
from optout.check.verdict import Verdict
from optout.store.records import (
    RecordError,
    from_json,
    read_result,
    read_run,
    result_from_json,
    run_from_json,
    saved_runs,
)
from optout.store.runids import format_run_id, is_run_id, parse_run_id, run_key
from optout.store.writer import run_folders

RECORDS = Path(__file__).resolve().parent / "data" / "records"


def load(name: str) -> Any:
    return json.loads((RECORDS / name).read_text(encoding="utf-8"))


def known(written: Any, original: Any) -> Any:
    """`written` cut down to the keys `original` has, at every level."""
    if isinstance(original, dict) and isinstance(written, dict):
        return {k: known(written[k], v) for k, v in original.items() if k in written}
    if isinstance(original, list) and isinstance(written, list):
        return [known(w, o) for w, o in zip(written, original, strict=True)]
    return written


def test_todays_run_json_loads_and_round_trips() -> None:
    """A run.json written by today's version loads into the dataclasses and writes back the same."""
    data = load("run.json")
    summary = run_from_json(data)
    assert len(summary.results) == len(data["results"]) == 4
    by_flow = {r.flow: r for r in summary.results}
    policy = by_flow["facebook-policy"]
    assert policy.verdict is Verdict.AVAILABLE and policy.expected is None
    assert all(isinstance(s, StepRecord) for s in policy.steps)
    assert policy.steps[0].status is StepStatus.OK
    assert by_flow["meta-third-party-form"].navigations[0].via_router is True
    assert by_flow["facebook-notification"].http_status is None
    assert known(summary.to_json(), data) == data


def test_todays_result_json_round_trips() -> None:
    """A result.json written by today's version loads and writes back the same."""
    data = load("result.json")
    result = result_from_json(data)
    assert (result.flow, result.locale, result.verdict) == ("facebook-policy", "fr-FR", "available")
    assert known(result.to_json(), data) == data


def test_a_run_json_of_the_first_version_still_loads() -> None:
    """Keys added since the first version take their defaults; nothing else moves."""
    data = load("run-0.1.json")
    summary = run_from_json(data)
    first = next(r for r in summary.results if r.flow == "facebook-policy")
    assert (first.change, first.changed_from, first.confirmations, first.attempt) == (
        False,
        None,
        0,
        1,
    )
    assert first.steps[0].action == ""
    assert known(summary.to_json(), data) == data


def test_built_records_round_trip_exactly() -> None:
    """Every field the dataclasses write comes back, verdicts as verdicts, steps as steps."""
    result = flow_result(
        "facebook-form",
        "missing",
        expected="available",
        regression=True,
        change=True,
        changed_from="available",
        confirmations=2,
        http_status=404,
        steps=[step(1, matched="role=button", alternative=2, screenshot="01-see.png")],
        navigations=[Navigation("https://a.example/", 302, "https://b.example/", None, True)],
    )
    summary = run_summary(result, exit_code=1, options={"retries": 1})
    assert run_from_json(summary.to_json()) == summary
    assert from_json(StepRecord, result.steps[0].to_json()) == result.steps[0]


def test_without_details_results_keep_everything_but_steps_and_navigations() -> None:
    """`details=False` reads the verdicts and reasons and leaves steps and navigations empty."""
    data = load("run.json")
    light = run_from_json(data, details=False)
    full = run_from_json(data)
    assert all(not r.steps and not r.navigations for r in light.results)
    for r in full.results:
        r.steps, r.navigations = [], []
    assert light == full


def test_unknown_keys_are_ignored_and_odd_values_count_as_missing() -> None:
    """A newer key is ignored; a value of the wrong type takes the field's default."""
    data = flow_result("f", "blocked").to_json()
    data.update(
        {
            "from_the_future": [1, 2],
            "http_status": "two hundred",
            "regression": "yes",
            "expected": "maybe",
            "duration_s": None,
            "attempts": 2.0,
            "reason": 42,
            "steps": [{"index": 1, "status": "ok"}, {"index": 2, "status": "??"}, "x"],
            "navigations": [{"status": 200}, 7],
        }
    )
    result = result_from_json(data)
    assert (result.http_status, result.regression, result.expected) == (None, False, None)
    assert (result.duration_s, result.attempts, result.reason) == (0.0, 2, "42")
    assert result.steps == [StepRecord(1, "", "", StepStatus.OK, 0.0)]
    assert result.navigations == [Navigation("", 200)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "not a saved FlowResult: not a JSON object"),
        ({"flow": "f", "locale": "fr-FR"}, "FlowResult: no readable flow, locale and verdict"),
        ({"flow": "f", "locale": "fr-FR", "verdict": "maybe"}, "no readable"),
        ({"locale": "fr-FR", "verdict": "available"}, "no readable"),
    ],
)
def test_a_result_without_flow_locale_and_verdict_is_refused(data: Any, message: str) -> None:
    """Without its flow, locale and a known verdict a result says nothing and is refused."""
    with pytest.raises(RecordError, match=message):
        result_from_json(data)


def test_malformed_results_are_left_out_of_a_run() -> None:
    """A run keeps its readable results and leaves the others out; a non-object is refused."""
    good = flow_result("f", "available").to_json()
    summary = run_from_json({"results": [good, {"flow": "x"}, "junk", {**good, "verdict": "?"}]})
    assert [r.flow for r in summary.results] == ["f"]
    assert (summary.run_id, summary.started_at, summary.tool) == ("", "", {})
    assert run_from_json({"results": "nope"}).results == []
    with pytest.raises(RecordError):
        run_from_json("run")
    assert isinstance(run_from_json({}), RunSummary)


def test_file_readers_give_none_for_what_cannot_be_read(tmp_path: Path) -> None:
    """A missing file, broken JSON or a non-object reads as None, not as an exception."""
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    for name in ("absent.json", "broken.json", "list.json"):
        assert read_run(tmp_path / name) is None
        assert read_result(tmp_path / name) is None
    folder = write_run(tmp_path, RUN_ID, [flow_result("f", "missing")], result_files=True)
    assert read_run(folder / "run.json") == run_summary(flow_result("f", "missing"))
    assert isinstance(read_result(folder / "f" / "fr-FR" / "result.json"), FlowResult)


def test_saved_runs_are_the_readable_complete_runs_in_run_id_order(tmp_path: Path) -> None:
    """Runs in id order (suffixes numerically), going runs and unreadable run.json left out."""
    for run_id in ("20260520T063000Z-10", "20260520T063000Z", "20260520T063000Z-2"):
        write_run(tmp_path, run_id, [flow_result("f", "available")])
    (tmp_path / "20260519T063000Z").mkdir()  # still going: no run.json
    (tmp_path / "20260518T063000Z").mkdir()
    (tmp_path / "20260518T063000Z" / "run.json").write_text("{", encoding="utf-8")
    (tmp_path / "20261399T063000Z").mkdir()  # no real date, no started_at: no time
    (tmp_path / "20261399T063000Z" / "run.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    runs = list(saved_runs(tmp_path))
    assert [r.run_id for r in runs] == [
        "20260520T063000Z",
        "20260520T063000Z-2",
        "20260520T063000Z-10",
    ]
    assert runs[1].summary.run_id == "20260520T063000Z-2"
    assert runs[0].at == datetime(2026, 5, 20, 6, 30, tzinfo=UTC)
    assert len(run_folders(tmp_path)) == 5


def test_a_run_starts_at_its_started_at_else_at_its_run_id(tmp_path: Path) -> None:
    """`started_at` wins (in UTC); without a readable one the run id's time counts."""
    folder = tmp_path / RUN_ID
    folder.mkdir()
    (folder / "run.json").write_text(
        json.dumps({"started_at": "2026-11-29T08:31:02+01:00"}), encoding="utf-8"
    )
    (run,) = saved_runs(tmp_path)
    assert run.at == datetime(2026, 11, 29, 7, 31, 2, tzinfo=UTC)
    (folder / "run.json").write_text(json.dumps({"started_at": "soon"}), encoding="utf-8")
    (run,) = saved_runs(tmp_path)
    assert run.at == datetime(2026, 11, 29, 6, 30, tzinfo=UTC)


def test_run_ids_format_parse_and_sort() -> None:
    """Run ids come from UTC times, parse back, and sort by time then numeric suffix."""
    paris = timezone(timedelta(hours=1))
    assert format_run_id(datetime(2026, 11, 29, 7, 30, 0, 999, tzinfo=paris)) == RUN_ID
    assert format_run_id(datetime(2026, 11, 29, 6, 30)) == RUN_ID
    assert parse_run_id(RUN_ID + "-3") == datetime(2026, 11, 29, 6, 30, tzinfo=UTC)
    for bad in ("20261399T063000Z", "latest", "../20261129T063000Z", "20261129T063000Z-"):
        with pytest.raises(ValueError):
            parse_run_id(bad)
    assert is_run_id(RUN_ID) and is_run_id(RUN_ID + "-12") and not is_run_id("x" + RUN_ID)
    ids = [RUN_ID + "-10", "20261130T000000Z", RUN_ID, RUN_ID + "-2"]
    assert sorted(ids, key=run_key) == [RUN_ID, RUN_ID + "-2", RUN_ID + "-10", "20261130T000000Z"]
