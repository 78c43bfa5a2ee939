"""Notifications: one message per run that has something to say, the checker's problems apart.

`--notify` targets get the run's digest: every confirmed change, with the final screenshots
before and after where the service takes attachments. The checker's own problems (exit 3,
a flow inconclusive for `--stale-after` runs, an expired saved login, a failed delivery)
go to the `--notify-ops` targets; without any, they are added to the `--notify` message
under their own heading. Each problem is told once, and once more when it clears
(`problems.ProblemBook`). A delivery that fails is returned, never raised: a chat outage
never fails a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from optout.check.results import RunSummary
from optout.outputs.digest import Digest, change_items
from optout.outputs.problems import (
    ProblemBook,
    checker_failed,
    delivery_failed,
    now_iso,
    run_problems,
)
from optout.outputs.send import Delivery, send
from optout.outputs.targets import Target, TargetError, check_url, load_config, split_urls
from optout.store.history import series


@dataclass
class Channels:
    """Who gets what: the run's digest, and the checker's problems."""

    content: list[Target] = field(default_factory=list)
    ops: list[Target] = field(default_factory=list)
    report_url: str | None = None
    stale_after: int | None = None

    def __bool__(self) -> bool:
        return bool(self.content or self.ops)


def channels(
    notify: Iterable[str],
    notify_ops: Iterable[str] = (),
    config: Path | None = None,
    *,
    report_url: str | None = None,
    stale_after: int | None = None,
    at: str = "",
) -> tuple[Channels, list[Delivery]]:
    """The targets of the given URLs and configuration file, and a failed delivery for each
    that cannot be used (the command line refuses those before a run; this is for callers
    that did not check)."""
    found = Channels(report_url=report_url, stale_after=stale_after)
    bad: list[Delivery] = []
    for urls, ops in ((notify, False), (notify_ops, True)):
        for url in split_urls(urls):
            try:
                target = check_url(url)
            except TargetError as exc:
                bad.append(Delivery("(unusable URL)", "?", "", "", "failed", str(exc), at=at))
                continue
            (found.ops if ops else found.content).append(target)
    if config is not None:
        try:
            for target in load_config(config):
                (found.ops if target.ops else found.content).append(target)
        except TargetError as exc:
            bad.append(Delivery(str(config), "apprise-config", "", "", "failed", str(exc), at=at))
    return found, bad


def notify_run(
    summary: RunSummary, recordings: Path, to: Channels, now: datetime | None = None
) -> list[Delivery]:
    """Tell the targets about a recorded run; every delivery made, sent or failed."""
    if not to:
        return []
    at = now_iso(now or datetime.now(UTC))
    all_series = series(recordings)
    book = ProblemBook.load(recordings)
    found, scope = run_problems(summary, all_series, to.stale_after)
    book.observe(found, scope)
    changes = change_items(summary, recordings, all_series, to.report_url)
    digest = Digest(summary.run_id, changes, report_url=to.report_url)
    return _deliver(book, digest, to, at)


def notify_failure(
    message: str, recordings: Path, to: Channels, now: datetime | None = None
) -> list[Delivery]:
    """Tell the checker-problem targets that a run could not work (exit code 3), once until
    it changes or a run completes again."""
    if not to:
        return []
    at = now_iso(now or datetime.now(UTC))
    book = ProblemBook.load(recordings)
    book.observe([checker_failed(message, at)], {"checker"})
    return _deliver(book, Digest(run_id=""), to, at)


def _deliver(book: ProblemBook, digest: Digest, to: Channels, at: str) -> list[Delivery]:
    book.forget_deliveries(t.masked for t in [*to.content, *to.ops])
    done: list[Delivery] = []
    if to.ops:
        if digest.changes:
            done += _send_all(to.content, digest, book, at)
        news = book.news()
        if news:
            problems = Digest(digest.run_id, news=news, report_url=to.report_url)
            sent = _send_all(to.ops, problems, book, at)
            if any(d.ok for d in sent):
                book.told(news)
            done += sent
    else:
        digest.news = book.news()
        if digest:
            done += _send_all(to.content, digest, book, at)
            if any(d.ok for d in done):
                book.told(digest.news)
    book.save()
    return done


def _send_all(targets: list[Target], digest: Digest, book: ProblemBook, at: str) -> list[Delivery]:
    """Send to each target; a failed delivery opens a problem, a good one clears it."""
    done = [send(target, digest, at) for target in targets]
    for d in done:
        key = f"delivery {d.url}"
        if d.ok:
            book.observe([], {key})
        else:
            book.observe([delivery_failed(d.url, d.error or "failed", at)], {key})
    return done
