"""GitHub Actions output: a Markdown job summary and annotations for changes and failures.

Only written when `GITHUB_ACTIONS=true`; everywhere else optout prints nothing extra.
"""

from collections.abc import Mapping
from typing import Any, TextIO

from optout.check.verdict import Verdict

COLUMNS = ("flow", "locale", "verdict", "expected", "reason", "evidence")


def _results(summary_json: dict[str, Any]) -> list[dict[str, Any]]:
    results = summary_json.get("results")
    if not isinstance(results, list):
        return []
    return [r for r in results if isinstance(r, dict)]


def _verdict(result: dict[str, Any]) -> Verdict | None:
    value = result.get("verdict")
    try:
        return Verdict(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _flagged(result: dict[str, Any]) -> bool:
    """A change of the form's state, or a verdict other than the one expected."""
    return result.get("change") is True or result.get("regression") is True


def cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no `|` or line break to end it, no raw HTML."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return text or "-"


def _evidence(run_id: str, result: dict[str, Any]) -> str:
    evidence = str(result.get("evidence") or "")
    return f"{run_id}/{evidence}" if evidence and run_id else evidence


def step_summary(summary_json: dict[str, Any]) -> str:
    """The run as Markdown: changes and regressions first, then every other result."""
    run_id = str(summary_json.get("run_id") or "?")
    results = _results(summary_json)
    flagged = [r for r in results if _flagged(r)]
    rest = [r for r in results if not _flagged(r)]
    inconclusive = sum(1 for r in rest if (v := _verdict(r)) is not None and not v.conclusive)
    lines = [f"## optout run {cell(run_id)}", ""]
    counts = [f"{len(results)} flow × locale"]
    if flagged:
        counts.append(f"**{len(flagged)} changed or not as expected**")
    if inconclusive:
        counts.append(f"{inconclusive} inconclusive")
    if "exit_code" in summary_json:
        counts.append(f"exit code {cell(summary_json['exit_code'])}")
    lines += [", ".join(counts), ""]
    if not results:
        lines.append("No results.")
        return "\n".join(lines) + "\n"
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for r in flagged + rest:
        verdict = cell(r.get("verdict"))
        if r.get("change") is True:
            verdict = f"**{verdict}** (changed from {cell(r.get('changed_from') or '?')})"
        elif r.get("regression") is True:
            verdict = f"**{verdict}** (regression)"
        row = [
            cell(r.get("flow")),
            cell(r.get("locale")),
            verdict,
            cell(r.get("expected")),
            cell(r.get("reason")),
            cell(_evidence(run_id, r)),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def escape_data(text: str) -> str:
    """The message of a workflow command, escaped as GitHub requires."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property of a workflow command (`title=`), escaped as GitHub requires."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(summary_json: dict[str, Any]) -> list[str]:
    """`::error` lines for changes and regressions, `::warning` lines for inconclusive results."""
    run_id = str(summary_json.get("run_id") or "?")
    lines = []
    for r in _results(summary_json):
        verdict = _verdict(r)
        if verdict is None:
            continue
        what = f"{r.get('flow', '')} {r.get('locale', '')}"
        where = f"(evidence {_evidence(run_id, r) or '-'})"
        reason = str(r.get("reason") or "")
        if r.get("change") is True:
            was = r.get("changed_from") or "?"
            message = f"{what} changed {was} → {verdict}: {reason} {where}"
            title = "optout change"
            level = "error"
        elif r.get("regression") is True:
            expected = r.get("expected") or "?"
            message = f"{what} {verdict}, expected {expected}: {reason} {where}"
            title = "optout change"
            level = "error"
        elif not verdict.conclusive:
            message = f"{what} {verdict}: {reason} {where}"
            title = "optout inconclusive"
            level = "warning"
        else:
            continue
        lines.append(f"::{level} title={escape_property(title)}::{escape_data(message)}")
    return lines


def write_github_outputs(
    summary_json: dict[str, Any], env: Mapping[str, str], stdout: TextIO
) -> None:
    """On GitHub Actions, append the job summary and print the annotations; elsewhere nothing.

    A job summary that cannot be written becomes a warning annotation, not an error:
    the run's own exit code says what matters.
    """
    if env.get("GITHUB_ACTIONS") != "true":
        return
    path = env.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(step_summary(summary_json) + "\n")
        except OSError as exc:
            message = escape_data(f"cannot write the job summary to {path}: {exc}")
            print(f"::warning title=optout::{message}", file=stdout)
    for line in annotations(summary_json):
        print(line, file=stdout)
    stdout.flush()
