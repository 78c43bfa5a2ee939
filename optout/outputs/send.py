"""Delivering one message to one target: a plain webhook, or a service through Apprise.

Nothing here raises for a delivery that fails: each send returns a `Delivery` that says
whether it went and, if not, why, with the URL's secrets hidden. Apprise does not raise
either, and only answers True or False: what went wrong is in its log, which is captured
for the length of the send (as changedetection.io does), kept from reaching optout's own
log unscrubbed, and its warnings and errors become the delivery's error.
"""

from __future__ import annotations

import json
import logging
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optout.outputs import attachments
from optout.outputs.digest import Digest, cut_words, html_length, plain_length
from optout.outputs.targets import Target, scrub

WEBHOOK_LIMIT = 16000
"""A plain webhook's `text` (Mattermost takes 16383 characters, Slack 40000)."""
TIMEOUT = 10.0
REASON_MAX = 300


@dataclass
class Delivery:
    """What became of one message to one target (as `notifications.json` records it)."""

    url: str
    """The target's masked URL."""
    service: str
    what: str
    """`changes`, `problems` or `changes+problems`."""
    title: str = ""
    status: str = "sent"
    """`sent` or `failed`."""
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    attachments: int = 0
    at: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "sent"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "service": self.service,
            "what": self.what,
            "title": self.title,
            "status": self.status,
            "error": self.error,
            "attachments": self.attachments,
            "at": self.at,
        }
        if self.warnings:
            data["warnings"] = self.warnings
        return data

    @property
    def line(self) -> str:
        """One line for the log and stderr."""
        return f"notify {self.url}: {self.error or self.status}"


def send(target: Target, digest: Digest, at: str, timeout: float = TIMEOUT) -> Delivery:
    """Deliver the digest to the target; never raises for a failed delivery."""
    record = Delivery(target.masked, target.service, digest.what, digest.title, at=at)
    try:
        if target.is_webhook:
            error = post_webhook(target, digest, timeout)
        else:
            error = _send_apprise(target, digest, record)
    except Exception as exc:
        error = scrub(f"{type(exc).__name__}: {exc}", target)
    if error:
        record.status, record.error = "failed", error
    return record


def post_webhook(target: Target, digest: Digest, timeout: float = TIMEOUT) -> str | None:
    """POST the digest as JSON (`text` plus fields for scripts); the error, or None."""
    text = f"{digest.title}\n\n{digest.render(WEBHOOK_LIMIT - len(digest.title) - 2)}"
    body = json.dumps(digest.to_json(text), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        target.url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "optout"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        return f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        return scrub(str(exc.reason), target)
    except (OSError, ValueError) as exc:
        return scrub(str(exc), target)
    return None


def _send_apprise(target: Target, digest: Digest, record: Delivery) -> str | None:
    import apprise

    plugin = target.plugin or apprise.Apprise.instantiate(target.url)
    if plugin is None:
        return "Apprise cannot use this URL"
    title, body = fit(plugin, digest)
    sender = apprise.Apprise(asset=plugin.asset)
    sender.add(plugin)
    logger = logging.getLogger("apprise")
    propagate = logger.propagate
    logger.propagate = False  # its debug lines carry tokens: only the scrubbed capture goes on
    try:
        with tempfile.TemporaryDirectory(prefix="optout-attach-") as tmp:
            files: list[Path] = []
            if digest.changes and getattr(plugin, "attachment_support", False):
                limit = attachments.byte_limit(target.service)
                files = attachments.prepare(digest.attachments(), Path(tmp), limit)
            attach = apprise.AppriseAttachment([str(f) for f in files]) if files else None
            capture: Any = apprise.LogCapture  # untyped in Apprise
            with capture(level=logging.DEBUG, fmt="%(levelname)s %(message)s") as log:
                sent = sender.notify(
                    body=body,
                    title=title,
                    body_format=apprise.NotifyFormat.TEXT,
                    attach=attach,
                )
                captured = log.getvalue()
    finally:
        logger.propagate = propagate
    record.attachments = len(files)
    problems = [scrub(line, target) for line in _reasons(captured)]
    if sent:
        record.warnings = problems
        return None
    return "; ".join(problems) or "Apprise reported a failure and logged no reason"


def _reasons(log: str) -> list[str]:
    """What went wrong, from Apprise's log: its warnings and errors, and the exception or
    server answer it logs at debug level just after one ("SMTP AUTH extension not
    supported"), each cut to `REASON_MAX` characters."""
    found: list[str] = []
    for line in log.splitlines():
        level, _, message = line.partition(" ")
        message = " ".join(message.split())
        serious = level in ("WARNING", "ERROR", "CRITICAL")
        why = level == "DEBUG" and ("Exception" in message or "Response" in message)
        if serious or (found and why):
            found.append(message)
    return [m if len(m) <= REASON_MAX else m[: REASON_MAX - 1] + "…" for m in found if m]


def fit(plugin: Any, digest: Digest) -> tuple[str, str]:
    """The title and body cut to the service's limits (Apprise's `title_maxlen` and
    `body_maxlen`; a service without titles gets the title inside the body)."""
    formats = plugin.notify_format
    first = formats[0] if isinstance(formats, tuple) else formats
    measure = html_length if str(getattr(first, "value", first)) == "html" else plain_length
    title = digest.title
    body_max = int(plugin.body_maxlen or 0) or None
    title_max = int(plugin.title_maxlen or 0)
    if title_max and len(title) > title_max:
        title = cut_words(title, title_max) or title[:title_max]
    if body_max is not None and not title_max:
        body_max -= measure(title) + 16  # the title goes into the body, bold, on its own line
    return title, digest.render(body_max, measure)
