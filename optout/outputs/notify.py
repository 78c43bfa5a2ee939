"""Chat notifications (`--notify URL`): a changed verdict, or a flow inconclusive for too long.

Each message is POSTed on its own as JSON with a `text` field that Slack and Mattermost
incoming webhooks show as is; the other fields are there for scripts. Posting never
raises for network or HTTP errors: it returns them, so a chat outage cannot fail a run.
Error strings name the webhook by scheme and host only (its path is often the secret).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from optout.check.results import RunSummary

Kind = Literal["change", "stale"]


@dataclass
class Message:
    """One thing worth telling a person about a run."""

    kind: Kind
    flow: str
    locale: str
    from_: str | None
    """The previous conclusive verdict (a change); None for a stale flow."""
    to: str
    """The verdict of this run."""
    reason: str
    run_id: str
    evidence: str
    """The evidence folder, relative to the run folder."""
    streak: int | None = None
    """For a stale flow: how many runs in a row it has been inconclusive."""

    @property
    def text(self) -> str:
        """One line a person can read in a chat as is."""
        where = f"(run {self.run_id}, evidence {self.evidence or '-'})"
        if self.kind == "change":
            what = f"changed {self.from_ or '?'} → {self.to}"
        else:
            runs = self.streak or 0
            what = f"inconclusive for {runs} run{'s' if runs != 1 else ''} ({self.to})"
        return f"optout: {self.flow} {self.locale} {what}: {self.reason} {where}"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "flow": self.flow,
            "locale": self.locale,
            "from": self.from_,
            "to": self.to,
            "reason": self.reason,
            "run_id": self.run_id,
            "evidence": self.evidence,
            "streak": self.streak,
        }


def messages(
    summary: RunSummary,
    stale: dict[tuple[str, str], int],
    stale_after: int | None,
) -> list[Message]:
    """The messages for one run: a change each, and each flow × locale that just became stale.

    `stale` is `history.inconclusive_streak` read *after* the run was recorded (so it
    counts this run). A flow × locale of this run that is inconclusive for exactly
    `stale_after` runs in a row gets one message, which therefore fires once per stretch
    rather than every day; `stale_after` None (or below 1) turns these off.
    """
    out: list[Message] = []
    for result in summary.results:
        if result.change:
            kind: Kind = "change"
            from_ = str(result.changed_from) if result.changed_from else None
            streak = None
        elif (
            stale_after is not None
            and stale_after >= 1
            and not result.verdict.conclusive
            and stale.get((result.flow, result.locale)) == stale_after
        ):
            kind, from_, streak = "stale", None, stale_after
        else:
            continue
        out.append(
            Message(
                kind=kind,
                flow=result.flow,
                locale=result.locale,
                from_=from_,
                to=str(result.verdict),
                reason=result.reason,
                run_id=summary.run_id,
                evidence=result.evidence,
                streak=streak,
            )
        )
    return out


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}"


def post(url: str, messages: list[Message], timeout: float = 10) -> list[str]:
    """POST each message as JSON to `url`; the errors, one line each (empty when all went)."""
    if urlsplit(url).scheme not in ("http", "https"):
        return [f"notify: not an http(s) URL: {_where(url)}"] if messages else []
    errors: list[str] = []
    for message in messages:
        body = json.dumps(message.to_json(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "optout"},
        )
        what = f"notify {_where(url)} ({message.kind} {message.flow} {message.locale})"
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            errors.append(f"{what}: HTTP {exc.code} {exc.reason}")
            exc.close()
        except urllib.error.URLError as exc:
            errors.append(f"{what}: {exc.reason}")
        except (OSError, ValueError) as exc:
            errors.append(f"{what}: {exc}")
    return errors
