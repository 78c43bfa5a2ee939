"""The one message a run sends: its confirmed changes, and the checker's problems apart.

A change says which flow and locale, from which state to which, the reason quoting the
page, and since when the old state held; with `--report-url` it links the change's page
in the published report. `Digest.render` fits the text into a service's length limit by
leaving out whole items (saying how many) and, for one item too long on its own, by
cutting between words: never inside a word or a link.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from optout.check.results import RunSummary
from optout.outputs.problems import News, Problem
from optout.store.history import Series
from optout.store.writer import slug

FINAL_PNG = "final.png"
MAX_CHANGES_WITH_SCREENSHOTS = 3
"""Screenshots are attached for the first changes only (two images each)."""
PROBLEMS_HEADING = "Checker problems (about optout, not about the forms):"
RECOVERED_HEADING = "Recovered:"
MORE = "… {n} more not shown: {where}"

Measure = Callable[[str], int]


def plain_length(text: str) -> int:
    return len(text)


def html_length(text: str) -> int:
    """The length of text once a service that takes HTML has it escaped, lines as `<br/>`."""
    return len(html.escape(text, quote=False)) + 4 * text.count("\n")


def change_link(base: str, run_id: str, flow: str, locale: str) -> str:
    """The change's page in the report published at `base` (as the report names it)."""
    page = f"changes/{quote(slug(run_id))}-{quote(slug(flow))}-{quote(slug(locale))}.html"
    return f"{base.rstrip('/')}/{page}"


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "?"


@dataclass
class ChangeItem:
    """One confirmed change of a form's state."""

    flow: str
    name: str
    locale: str
    from_: str
    to: str
    reason: str
    run_id: str
    at: datetime | None
    evidence: str
    since: datetime | None = None
    """Since when the old state held (its first run after the change before it)."""
    last_seen: datetime | None = None
    """The last run that saw the old state."""
    before: Path | None = None
    """The final screenshot of that last run, if it is still there."""
    after: Path | None = None
    link: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.flow} {self.locale}: {self.from_} → {self.to}"

    @property
    def text(self) -> str:
        name = f" ({self.name})" if self.name and self.name != self.flow else ""
        held = f"{self.from_} since {_day(self.since)}"
        if self.last_seen:
            held += f", last seen {_day(self.last_seen)}"
        lines = [
            f"{self.heading}{name}",
            self.reason,
            f"{held}; {self.to} on {_day(self.at)} (run {self.run_id})",
            f"Change: {self.link}" if self.link else f"Evidence: {self.run_id}/{self.evidence}",
        ]
        return "\n".join(line for line in lines if line)

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "name": self.name,
            "locale": self.locale,
            "from": self.from_,
            "to": self.to,
            "reason": self.reason,
            "run_id": self.run_id,
            "evidence": self.evidence,
            "since": self.since.strftime("%Y-%m-%dT%H:%M:%SZ") if self.since else None,
            "last_seen": self.last_seen.strftime("%Y-%m-%dT%H:%M:%SZ") if self.last_seen else None,
            "link": self.link,
        }


def change_items(
    summary: RunSummary, recordings: Path, all_series: list[Series], report_url: str | None
) -> list[ChangeItem]:
    """The confirmed changes of a recorded run, with since when the old state held."""
    by_key = {(s.flow, s.locale): s for s in all_series}
    items: list[ChangeItem] = []
    for r in summary.results:
        if not r.change:
            continue
        item = ChangeItem(
            flow=r.flow,
            name=r.name,
            locale=r.locale,
            from_=str(r.changed_from or "?"),
            to=str(r.verdict),
            reason=r.reason,
            run_id=summary.run_id,
            at=None,
            evidence=r.evidence,
            link=change_link(report_url, summary.run_id, r.flow, r.locale) if report_url else None,
        )
        after = recordings / summary.run_id / r.evidence / FINAL_PNG
        item.after = after if r.evidence and after.is_file() else None
        _old_state(item, by_key.get((r.flow, r.locale)), recordings)
        items.append(item)
    return items


def _old_state(item: ChangeItem, s: Series | None, recordings: Path) -> None:
    """Fill in when the change happened, since when the old state held and its last picture."""
    if s is None:
        return
    index = next((i for i, p in enumerate(s.points) if p.run_id == item.run_id), None)
    if index is None:
        return
    item.at = s.points[index].at
    earlier = [p for p in s.points[:index] if p.verdict.conclusive]
    if not earlier:
        return
    last = earlier[-1]
    item.last_seen = last.at
    item.since = last.at
    for point in reversed(earlier):
        if point.verdict != last.verdict:
            break
        item.since = point.at
    before = recordings / last.run_id / last.evidence / FINAL_PNG
    item.before = before if last.evidence and before.is_file() else None


@dataclass
class Digest:
    """What one message tells: changes, and (apart) the checker's problems."""

    run_id: str
    changes: list[ChangeItem] = field(default_factory=list)
    news: News = field(default_factory=News)
    report_url: str | None = None

    def __bool__(self) -> bool:
        return bool(self.changes or self.news)

    @property
    def what(self) -> str:
        """`changes`, `problems` or `changes+problems`: for the delivery record."""
        parts = (["changes"] if self.changes else []) + (["problems"] if self.news else [])
        return "+".join(parts)

    @property
    def title(self) -> str:
        problems, recovered = self.news.problems, self.news.recovered
        if self.changes:
            if len(self.changes) == 1:
                title = f"optout: {self.changes[0].heading}"
            else:
                title = f"optout: {len(self.changes)} forms changed (run {self.run_id})"
            if problems:
                title += f" + {len(problems)} checker problem{'s' * (len(problems) > 1)}"
            return title
        if len(problems) == 1 and not recovered:
            return f"optout checker problem: {_short(problems[0])}"
        if problems:
            return f"optout checker problems: {len(problems)}"
        if len(recovered) == 1:
            return f"optout recovered: {recovered[0].subject}"
        return f"optout: {len(recovered)} checker problems recovered"

    def entries(self) -> list[tuple[str, str]]:
        """The items of the body, in order, each with the heading of its section."""
        found = [("", c.text) for c in self.changes]
        found += [(PROBLEMS_HEADING, f"- {p.text}") for p in self.news.problems]
        found += [(RECOVERED_HEADING, f"- {_recovery(p)}") for p in self.news.recovered]
        return found

    def render(self, limit: int | None = None, measure: Measure = plain_length) -> str:
        """The body, within `limit` as `measure` counts it (None: no limit)."""
        entries = self.entries()
        full = _join(entries)
        if limit is None or measure(full) <= limit:
            return full
        where = f"{self.report_url.rstrip('/')}/index.html" if self.report_url else None
        where = where or f"see run {self.run_id}"
        kept: list[tuple[str, str]] = []
        for n, (heading, text) in enumerate(entries):
            rest = len(entries) - n - 1
            tail = MORE.format(n=rest, where=where) if rest else ""
            if measure(_join([*kept, (heading, text)], tail)) <= limit:
                kept.append((heading, text))
                continue
            tail = MORE.format(n=rest + 1, where=where)
            if not kept:
                room = limit - measure(_join([(heading, "")], tail)) - 1
                cut = cut_words(text, room, measure)
                if cut:
                    kept.append((heading, cut))
                    tail = MORE.format(n=rest, where=where) if rest else ""
            return _join(kept, tail) if measure(_join(kept, tail)) <= limit else _join(kept)
        return _join(kept)

    def attachments(self) -> list[tuple[str, Path]]:
        """(name, file) of the screenshots to attach: after, then before, of the first changes."""
        found: list[tuple[str, Path]] = []
        for c in self.changes[:MAX_CHANGES_WITH_SCREENSHOTS]:
            stem = f"{slug(c.flow)}-{slug(c.locale)}"
            if c.after:
                found.append((f"{stem}-{c.to}-after.png", c.after))
            if c.before:
                found.append((f"{stem}-{c.from_}-before.png", c.before))
        return found

    def to_json(self, text: str) -> dict[str, Any]:
        """The body of a plain webhook: `text` for a chat, the rest for scripts."""
        return {
            "text": text,
            "kind": "digest" if self.changes else "problems",
            "run_id": self.run_id,
            "changes": [c.to_json() for c in self.changes],
            "problems": [p.to_json() for p in self.news.problems],
            "recovered": [p.to_json() for p in self.news.recovered],
        }


def _short(problem: Problem) -> str:
    if problem.kind == "session":
        return f"log in again ({problem.subject})"
    return problem.subject


def _recovery(problem: Problem) -> str:
    since = f" (a problem since {problem.since[:10]})" if problem.since else ""
    return f"{problem.subject}: recovered{since}"


def _join(entries: list[tuple[str, str]], tail: str = "") -> str:
    """Entries as text: a blank line between changes, a heading before each section."""
    blocks: list[str] = []
    heading = ""
    for section, text in entries:
        if section and section != heading:
            blocks.append(section + "\n" + text)
        elif section:
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
        heading = section
    if tail:
        blocks.append(tail)
    return "\n\n".join(blocks)


def cut_words(text: str, room: int, measure: Measure = plain_length) -> str:
    """The longest start of `text` that ends between two words, with `…`, within `room`
    ("" when not even one word fits). A link is a word: it is kept whole or left out."""
    if measure(text) <= room:
        return text
    ends = [i for i, ch in enumerate(text) if ch.isspace()]
    best = ""
    low, high = 0, len(ends) - 1
    while low <= high:
        mid = (low + high) // 2
        candidate = text[: ends[mid]].rstrip() + " …"
        if measure(candidate) <= room:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    return best
