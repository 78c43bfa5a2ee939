"""GitHub Actions output: a Markdown job summary and annotations for changes and failures.

Only written when `GITHUB_ACTIONS=true`; everywhere else optout prints nothing extra.
"""

from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from optout.check.results import FlowResult, RunSummary

COLUMNS = ("flow", "locale", "verdict", "expected", "reason", "evidence")


def _flagged(result: FlowResult) -> bool:
    """A change of the form's state, or a verdict other than the one expected."""
    return result.change or result.regression


def cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no `|` or line break to end it, no raw HTML."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return text or "-"


def _evidence(run_id: str, result: FlowResult) -> str:
    evidence = result.evidence
    return f"{run_id}/{evidence}" if evidence and run_id else evidence


def step_summary(summary: RunSummary) -> str:
    """The run as Markdown: changes and regressions first, then every other result."""
    run_id = summary.run_id or "?"
    results = summary.results
    flagged = [r for r in results if _flagged(r)]
    rest = [r for r in results if not _flagged(r)]
    inconclusive = sum(1 for r in rest if not r.verdict.conclusive)
    lines = [f"## optout run {cell(run_id)}", ""]
    counts = [f"{len(results)} flow × locale"]
    if flagged:
        counts.append(f"**{len(flagged)} changed or not as expected**")
    if inconclusive:
        counts.append(f"{inconclusive} inconclusive")
    counts.append(f"exit code {cell(summary.exit_code)}")
    lines += [", ".join(counts), ""]
    if not results:
        lines.append("No results.")
        return "\n".join(lines) + "\n"
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for r in flagged + rest:
        verdict = cell(r.verdict)
        if r.change:
            verdict = f"**{verdict}** (changed from {cell(r.changed_from or '?')})"
        elif r.regression:
            verdict = f"**{verdict}** (regression)"
        row = [
            cell(r.flow),
            cell(r.locale),
            verdict,
            cell(r.expected),
            cell(r.reason),
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


def annotations(summary: RunSummary) -> list[str]:
    """`::error` lines for changes and regressions, `::warning` lines for inconclusive results."""
    run_id = summary.run_id or "?"
    lines = []
    for r in summary.results:
        what = f"{r.flow} {r.locale}"
        where = f"(evidence {_evidence(run_id, r) or '-'})"
        if r.change:
            message = f"{what} changed {r.changed_from or '?'} → {r.verdict}: {r.reason} {where}"
            title = "optout change"
            level = "error"
        elif r.regression:
            message = f"{what} {r.verdict}, expected {r.expected or '?'}: {r.reason} {where}"
            title = "optout change"
            level = "error"
        elif not r.verdict.conclusive:
            message = f"{what} {r.verdict}: {r.reason} {where}"
            title = "optout inconclusive"
            level = "warning"
        else:
            continue
        lines.append(f"::{level} title={escape_property(title)}::{escape_data(message)}")
    return lines


def write_github_outputs(
    summary: RunSummary,
    env: Mapping[str, str],
    stdout: TextIO,
    notify_failures: Sequence[str] = (),
) -> None:
    """On GitHub Actions, append the job summary and print the annotations; elsewhere nothing.

    A job summary that cannot be written, and each notification that could not be
    delivered (`notify_failures`, URLs masked), become warning annotations, not errors:
    the run's own exit code says what matters.
    """
    if env.get("GITHUB_ACTIONS") != "true":
        return
    path = env.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(step_summary(summary) + "\n")
        except OSError as exc:
            message = escape_data(f"cannot write the job summary to {path}: {exc}")
            print(f"::warning title=optout::{message}", file=stdout)
    for line in annotations(summary):
        print(line, file=stdout)
    for failure in notify_failures:
        print(f"::warning title=optout notify::{escape_data(failure)}", file=stdout)
    stdout.flush()
