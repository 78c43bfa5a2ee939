"""`changes.xml`: an Atom feed (RFC 4287) of the confirmed changes, next to the report.

One entry per change, newest first: the flow, the locale, from → to, the reason quoting
the page, a link to the change's page and the final screenshots before and after as
enclosures. Every link is relative to the feed, like the report's own links, so the
folder works from any static host (a reader resolves them against the feed's address)
and from `file://`. Ids are `urn:uuid:` names derived from the run, flow and locale, so
an entry keeps its id from one build to the next, and the feed is only rewritten when a
change is added.
"""

from __future__ import annotations

import html
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from optout import __version__
from optout.report.views import ChangeView, Side, day

FEED = "changes.xml"
ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'optout:' + ':'.join(parts))}"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _size(path: Path | None) -> str | None:
    try:
        return str(path.stat().st_size) if path else None
    except OSError:
        return None


def _enclosure(entry: ET.Element, side: Side | None, what: str) -> str:
    """An enclosure link to one side's final screenshot; the `<img>` for the content."""
    if side is None or side.shot is None:
        return ""
    attrs = {
        "rel": "enclosure",
        "type": "image/png",
        "href": side.shot.href,
        "title": f"{what}: {side.point.verdict} on {day(side.point.at)}",
    }
    size = _size(side.final)
    if size:
        attrs["length"] = size
    _add(entry, "link", **attrs)
    alt = html.escape(side.shot.alt)
    return (
        f"<p>{what} ({html.escape(str(side.point.verdict))}, {day(side.point.at)}):<br>"
        f'<a href="{html.escape(side.shot.href)}"><img src="{html.escape(side.shot.href)}" '
        f'alt="{alt}" width="640"></a></p>'
    )


def atom(changes: list[ChangeView], feed_key: str, latest: datetime | None) -> str:
    """The feed of `changes` (newest first); `feed_key` names the recordings (their first
    run), `latest` is the latest run's time (the feed's date when there is no change)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", _id("changes", feed_key))
    _add(feed, "title", "optout: changes of Meta's AI objection forms")
    _add(feed, "subtitle", "Each confirmed change of a form's state, with the screenshots.")
    newest = changes[0].change.at if changes else latest
    _add(feed, "updated", rfc3339(newest or EPOCH))
    author = _add(feed, "author")
    _add(author, "name", "optout")
    _add(feed, "generator", "optout", version=__version__)
    _add(feed, "link", rel="alternate", type="text/html", href="index.html")
    _add(feed, "link", rel="self", type="application/atom+xml", href=FEED)
    for view in changes[:MAX_ENTRIES]:
        change = view.change
        entry = _add(feed, "entry")
        _add(entry, "id", _id("change", change.run_id, view.flow, view.locale))
        who = view.flow if view.name in ("", view.flow) else f"{view.name} ({view.flow})"
        _add(entry, "title", f"{who}, {view.locale}: {change.from_} → {change.to}")
        _add(entry, "updated", rfc3339(change.at))
        _add(entry, "published", rfc3339(change.at))
        _add(entry, "link", rel="alternate", type="text/html", href=view.href)
        _add(entry, "category", term=str(change.to))
        reason = view.after.point.reason
        held = ""
        if view.before is not None:
            held = f"{change.from_} when last seen on {day(view.before.point.at)}; "
        _add(entry, "summary", f"{held}{change.to} on {day(change.at)}: {reason}", type="text")
        images = _enclosure(entry, view.before, "before") + _enclosure(entry, view.after, "after")
        body = (
            f"<p>{html.escape(held)}<strong>{html.escape(str(change.to))}</strong> on "
            f"{day(change.at)}: {html.escape(reason)}</p>{images}"
            f'<p><a href="{html.escape(view.href)}">The change, side by side</a></p>'
        )
        _add(entry, "content", body, type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"
