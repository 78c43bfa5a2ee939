"""JUnit XML: one testcase per flow × locale, for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from optout.check.results import RunSummary


def junit_xml(summary: RunSummary) -> str:
    """A regression is a failure; an inconclusive verdict is an error; the rest pass."""
    results = summary.results
    suite = ET.Element(
        "testsuite",
        name="optout",
        tests=str(len(results)),
        failures=str(sum(r.regression for r in results)),
        errors=str(sum(not r.verdict.conclusive for r in results)),
        timestamp=summary.started_at,
        time=f"{sum(r.duration_s for r in results):.2f}",
    )
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=r.flow, name=r.locale, time=f"{r.duration_s:.2f}"
        )
        message = f"{r.verdict}: {r.reason}"
        if r.regression:
            ET.SubElement(
                case, "failure", message=message, type="regression"
            ).text = (
                f"expected {r.expected}, got {r.verdict}\nevidence: {summary.run_id}/{r.evidence}"
            )
        elif not r.verdict.conclusive:
            ET.SubElement(
                case, "error", message=message, type=str(r.verdict)
            ).text = f"evidence: {summary.run_id}/{r.evidence}"
        ET.SubElement(case, "system-out").text = message
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )
