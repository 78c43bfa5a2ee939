"""GitHub Actions output: the job summary table, the annotations and when they are written."""

import io
from pathlib import Path

from helpers import RUN_ID, run_summary
from helpers import flow_result as result

from optout.check.results import RunSummary
from optout.outputs.github import annotations, cell, step_summary, write_github_outputs


def sample() -> RunSummary:
    """A run with a plain result, an inconclusive one, a regression and a change."""
    return run_summary(
        result("facebook-policy", "available", expected="available"),
        result("instagram-form", "unreachable", reason="HTTP 500 | 100% down\nretry later"),
        result("facebook-form-2025", "available", expected="missing", regression=True),
        result("facebook-form", "missing", change=True, changed_from="available"),
        exit_code=1,
    )


def table_rows(markdown: str) -> list[str]:
    """The body rows of the Markdown table."""
    return [line for line in markdown.splitlines() if line.startswith("| ")][1:]


def test_step_summary_puts_changes_and_regressions_first() -> None:
    """Changed and regressed results head the table, the others follow in run order."""
    text = step_summary(sample())
    assert text.startswith(f"## optout run {RUN_ID}\n")
    assert "| flow | locale | verdict | expected | reason | evidence |" in text
    flows = [row.split(" | ")[0][2:] for row in table_rows(text)]
    assert flows == ["facebook-form-2025", "facebook-form", "facebook-policy", "instagram-form"]
    rows = table_rows(text)
    assert "**missing** (changed from available)" in rows[1]
    assert "**available** (regression)" in rows[0]
    assert rows[1].endswith(f"| {RUN_ID}/facebook-form/fr-FR |")
    assert "4 flow × locale, **2 changed or not as expected**, 1 inconclusive, exit code 1" in text


def test_step_summary_escapes_cells() -> None:
    """Pipes, line breaks and HTML in a cell cannot break the table."""
    row = table_rows(step_summary(sample()))[3]
    assert "HTTP 500 \\| 100% down<br>retry later" in row
    assert row.count(" | ") == 5
    assert cell("a|b\r\nc\rd<e>&") == "a\\|b<br>c<br>d&lt;e&gt;&amp;"
    assert cell(None) == "-"


def test_step_summary_without_results() -> None:
    """An empty run says so instead of printing an empty table."""
    text = step_summary(run_summary())
    assert "No results." in text and "|" not in text


def test_annotations_for_changes_regressions_and_inconclusive_results() -> None:
    """Errors for a change or regression, warnings for inconclusive, nothing for the rest."""
    lines = annotations(sample())
    assert len(lines) == 3
    assert lines[0] == (
        "::warning title=optout inconclusive::instagram-form fr-FR unreachable: "
        "HTTP 500 | 100%25 down%0Aretry later "
        f"(evidence {RUN_ID}/instagram-form/fr-FR)"
    )
    assert lines[1].startswith(
        "::error title=optout change::facebook-form-2025 fr-FR available, expected missing: "
    )
    assert lines[2].startswith(
        "::error title=optout change::facebook-form fr-FR changed available → missing: "
    )


def test_annotations_escape_carriage_returns() -> None:
    """`%`, `\\r` and `\\n` are escaped so one annotation stays one line."""
    (line,) = annotations(run_summary(result("f", "broken", reason="a\r\nb 5%")))
    assert "a%0D%0Ab 5%25" in line and "\n" not in line and "\r" not in line


def test_nothing_outside_github_actions(tmp_path: Path) -> None:
    """Without GITHUB_ACTIONS=true, nothing is printed or written."""
    target = tmp_path / "summary.md"
    out = io.StringIO()
    write_github_outputs(sample(), {"GITHUB_STEP_SUMMARY": str(target)}, out)
    write_github_outputs(sample(), {"GITHUB_ACTIONS": "1", "GITHUB_STEP_SUMMARY": str(target)}, out)
    assert out.getvalue() == "" and not target.exists()


def test_on_github_actions_appends_summary_and_prints_annotations(tmp_path: Path) -> None:
    """On GitHub Actions the summary is appended (not overwritten) and annotations printed."""
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(target)}
    out = io.StringIO()
    write_github_outputs(sample(), env, out)
    content = target.read_text(encoding="utf-8")
    assert content.startswith("earlier step\n## optout run ")
    assert out.getvalue().splitlines() == annotations(sample())


def test_on_github_actions_without_summary_file_or_when_it_fails(tmp_path: Path) -> None:
    """No GITHUB_STEP_SUMMARY: only annotations; an unwritable one: a warning, no exception."""
    out = io.StringIO()
    write_github_outputs(sample(), {"GITHUB_ACTIONS": "true"}, out)
    assert out.getvalue().splitlines() == annotations(sample())
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "dir.md")}
    write_github_outputs(sample(), env, out)
    first = out.getvalue().splitlines()[0]
    assert first.startswith("::warning title=optout::cannot write the job summary")


def test_failed_notifications_become_warning_annotations() -> None:
    """Each delivery that failed is one escaped `optout notify` warning after the others."""
    out = io.StringIO()
    failure = "notify https://hooks.example.com/****: HTTP 500\nretry"
    write_github_outputs(sample(), {"GITHUB_ACTIONS": "true"}, out, [failure])
    assert out.getvalue().splitlines()[-1] == (
        "::warning title=optout notify::notify https://hooks.example.com/****: HTTP 500%0Aretry"
    )
