"""The Atom feed of changes (`changes.xml`): valid Atom, links to files that exist, stable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

from helpers import flow_result as result
from helpers import run_summary
from inbox import record

from optout.report.build import build_report
from optout.report.feed import ATOM, FEED

A = f"{{{ATOM}}}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def recordings_with_changes(recordings: Path) -> None:
    """facebook-form: available, missing, available; instagram-form: missing throughout."""
    for day, verdict in (("25", "available"), ("26", "missing"), ("27", "available")):
        summary = run_summary(
            result("facebook-form", verdict, reason=f"the page on the {day}th"),
            result("instagram-form", "missing"),
            run_id=f"202611{day}T063000Z",
        )
        record(recordings, summary)


def one(parent: ET.Element, tag: str) -> ET.Element:
    """The one child `tag` that RFC 4287 requires exactly once."""
    found = parent.findall(A + tag)
    assert len(found) == 1, f"{parent.tag} must have exactly one {tag}, has {len(found)}"
    return found[0]


def check_atom(feed: ET.Element) -> None:
    """The rules of RFC 4287 a feed and its entries must follow."""
    assert feed.tag == A + "feed"
    for tag in ("id", "title", "updated"):
        one(feed, tag)
    assert RFC3339.match(one(feed, "updated").text or "")
    assert one(one(feed, "author"), "name").text
    alternates = [link for link in feed.findall(A + "link") if link.get("rel") == "alternate"]
    assert len(alternates) <= 1
    ids = set()
    for entry in feed.findall(A + "entry"):
        for tag in ("id", "title", "updated"):
            one(entry, tag)
        entry_id = one(entry, "id").text or ""
        assert entry_id.startswith("urn:uuid:") and entry_id not in ids
        ids.add(entry_id)
        assert RFC3339.match(one(entry, "updated").text or "")
        links = entry.findall(A + "link")
        assert all(link.get("href") for link in links)
        assert [link.get("rel") for link in links].count("alternate") == 1
        content = one(entry, "content")
        assert content.get("type") == "html"


def test_the_feed_is_atom_and_its_links_point_to_files_that_exist(tmp_path: Path) -> None:
    """Each change is one entry, newest first, whose page and before/after screenshots exist
    where the feed's relative links lead."""
    recordings = tmp_path / "rec"
    recordings_with_changes(recordings)
    build_report(recordings)
    report = recordings / "report"
    feed = ET.parse(report / FEED).getroot()
    check_atom(feed)
    entries = feed.findall(A + "entry")
    assert [one(e, "title").text for e in entries] == [
        "facebook-form, fr-FR: missing → available",
        "facebook-form, fr-FR: available → missing",
    ]
    assert "the page on the 27th" in (one(entries[0], "summary").text or "")
    for entry in entries:
        enclosures = [link for link in entry.findall(A + "link") if link.get("rel") == "enclosure"]
        assert [e.get("title", "").split(":")[0] for e in enclosures] == ["before", "after"]
        for link in entry.findall(A + "link"):
            target = (report / unquote(link.get("href") or "")).resolve()
            assert target.is_file(), link.get("href")
            if link.get("length"):
                assert int(link.get("length") or 0) == target.stat().st_size


def test_rebuilding_keeps_the_feed_as_it_was(tmp_path: Path) -> None:
    """A second build writes the same feed: ids and dates come from the runs, not the clock."""
    recordings = tmp_path / "rec"
    recordings_with_changes(recordings)
    build_report(recordings)
    first = (recordings / "report" / FEED).read_bytes()
    build_report(recordings)
    assert (recordings / "report" / FEED).read_bytes() == first


def test_recordings_without_a_change_give_an_empty_valid_feed(tmp_path: Path) -> None:
    """No change yet: a feed with no entry, dated by the latest run."""
    recordings = tmp_path / "rec"
    record(recordings, run_summary(result("facebook-form", "available")))
    build_report(recordings)
    feed = ET.parse(recordings / "report" / FEED).getroot()
    check_atom(feed)
    assert feed.findall(A + "entry") == []
    assert one(feed, "updated").text == "2026-11-29T06:30:00Z"
