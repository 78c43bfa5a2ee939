"""Notifications: the run's one digest, its text and length, the URLs, and plain webhooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import RUN_ID, run_summary
from helpers import flow_result as result
from inbox import changed, free_port, http_inbox, record

from optout.outputs.digest import (
    ChangeItem,
    Digest,
    change_items,
    change_link,
    cut_words,
    html_length,
)
from optout.outputs.notify import channels, notify_run
from optout.outputs.send import send
from optout.outputs.targets import (
    Target,
    TargetError,
    check_url,
    mask_webhook,
    scrub,
    split_urls,
)
from optout.report.views import change_href
from optout.store.history import series

LINK = "https://example.org/optout/changes/20261129T063000Z-facebook-form-fr-FR.html"


def history(recordings: Path) -> None:
    """Available on 25 and 27 November (blocked on 26), missing on the 29th (the run)."""
    for day, verdict in (("25", "available"), ("26", "blocked"), ("27", "available")):
        run_id = f"202611{day}T063000Z"
        record(recordings, run_summary(result("facebook-form", verdict), run_id=run_id))
    record(recordings, run_summary(changed("facebook-form", reason='"content isn\'t available"')))


def test_a_change_says_since_when_the_old_state_held(tmp_path: Path) -> None:
    """The change quotes the reason, the first and last day of the old state, and links both
    final screenshots that exist."""
    history(tmp_path)
    summary = run_summary(changed("facebook-form", reason='"content isn\'t available"'))
    [item] = change_items(summary, tmp_path, series(tmp_path), None)
    assert item.text == (
        "facebook-form fr-FR: available → missing\n"
        '"content isn\'t available"\n'
        "available since 2026-11-25, last seen 2026-11-27; missing on 2026-11-29 "
        f"(run {RUN_ID})\n"
        f"Evidence: {RUN_ID}/facebook-form/fr-FR"
    )
    assert item.before == tmp_path / "20261127T063000Z/facebook-form/fr-FR/final.png"
    assert item.after == tmp_path / RUN_ID / "facebook-form/fr-FR/final.png"


def test_report_url_links_the_report_s_own_change_page(tmp_path: Path) -> None:
    """With a report URL the change links the page the report writes for it."""
    history(tmp_path)
    summary = run_summary(changed("facebook-form"))
    base = "https://example.org/optout/"
    [item] = change_items(summary, tmp_path, series(tmp_path), base)
    assert item.link == LINK == base + change_href(RUN_ID, "facebook-form", "fr-FR")
    assert item.text.endswith(f"Change: {LINK}")
    assert change_link(base, "2026 x", "a/b", "é") == base + change_href("2026 x", "a/b", "é")


def ten_changes() -> Digest:
    items = [
        ChangeItem(
            f"flow-{n}",
            "",
            "fr-FR",
            "available",
            "missing",
            f"reason {n} " * 8,
            RUN_ID,
            None,
            f"flow-{n}/fr-FR",
            link=f"https://example.org/r/changes/{n}.html",
        )
        for n in range(10)
    ]
    return Digest(RUN_ID, items, report_url="https://example.org/r/")


def test_ten_changes_are_one_message_to_a_webhook() -> None:
    """A run where ten flows changed posts exactly one JSON body listing all ten."""
    with http_inbox() as inbox:
        target = check_url(f"http://{inbox.origin}/hooks/SECRET")
        delivery = send(target, ten_changes(), "2026-11-29T06:31:00Z")
    assert delivery.ok and delivery.url == f"http://{inbox.origin}/****"
    [post] = inbox.posts
    body = post.json()
    assert post.content_type == "application/json"
    assert (body["kind"], len(body["changes"])) == ("digest", 10)
    assert body["text"].startswith(f"optout: 10 forms changed (run {RUN_ID})\n\n")
    assert all(f"flow-{n} fr-FR: available → missing" in body["text"] for n in range(10))


def test_a_long_digest_drops_whole_items_and_says_how_many() -> None:
    """Cut to a limit, the digest keeps whole changes, never half a link, and ends by
    saying how many were left out and where to see them."""
    digest = ten_changes()
    text = digest.render(700)
    assert len(text) <= 700
    kept = text.count("available → missing")
    assert 1 <= kept < 10
    assert text.endswith(f"… {10 - kept} more not shown: https://example.org/r/index.html")
    for n in range(kept):
        assert f"https://example.org/r/changes/{n}.html" in text
    assert "https://example.org/r/changes/" + str(kept) not in text


def test_one_item_too_long_is_cut_between_words() -> None:
    """An item longer than the limit on its own is cut after a whole word."""
    digest = ten_changes()
    text = digest.render(150)
    assert len(text) <= 150
    first = text.split("\n\n")[0]
    assert first.endswith(" …") and "reason 0" in first
    words = digest.changes[0].text.split()
    assert all(word in words or word == "…" for word in first.split())
    assert text.endswith("… 9 more not shown: https://example.org/r/index.html")


def test_cut_words_keeps_links_whole_and_counts_html_escapes() -> None:
    """A link is one word: cut before it, never inside it; `&` counts as `&amp;` for HTML."""
    text = "see https://example.org/a-very-long-link-to-a-change.html now"
    assert cut_words(text, 30) == "see …"
    assert cut_words(text, 1000) == text
    assert cut_words("x" * 50, 10) == ""
    assert html_length("a & b\nc") == len("a &amp; b<br/>c")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("hooks.slack.com/x", "not a URL: a part without scheme://"),
        ("https://h/a\x07b", "https://… contains a space or a control character"),
        ("https://exa:mple/x", "the port is not a number"),
        ("https:///x", "https://…: no host"),
        ("nosuch://x/y", "nosuch://…: not a URL Apprise can use"),
    ],
)
def test_unusable_urls_are_refused_in_one_line(value: str, message: str) -> None:
    """Each unusable URL gets one line saying what is wrong, without its secret part."""
    with pytest.raises(TargetError) as caught:
        check_url(value)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_several_urls_in_one_value_and_a_trailing_newline() -> None:
    """Spaces and newlines separate URLs, so a secret's trailing newline is harmless."""
    assert split_urls(["https://a/x  json://b/c\n", "\nmailto://d\n"]) == [
        "https://a/x",
        "json://b/c",
        "mailto://d",
    ]


def test_webhook_urls_are_masked_and_errors_scrubbed() -> None:
    """The path, query and password of a webhook are secrets, in the URL shown and in errors."""
    url = "https://user:pw123@hooks.example.com:8443/services/T000/SECRETTOKEN?key=abcd"
    assert mask_webhook(url) == "https://****@hooks.example.com:8443/****"
    target = check_url(url)
    error = f"failed to POST {url}: SECRETTOKEN refused (pw123, abcd)"
    scrubbed = scrub(error, target)
    assert "SECRETTOKEN" not in scrubbed and "pw123" not in scrubbed and "abcd" not in scrubbed
    assert "hooks.example.com" in scrubbed


def test_a_url_with_a_space_fails_its_delivery_instead_of_raising() -> None:
    """A target built around the checks (a space in the URL) is a failed delivery, not a
    traceback."""
    target = Target(
        url="http://127.0.0.1:9/a b", masked="http://127.0.0.1:9/****", service="webhook"
    )
    delivery = send(target, ten_changes(), "")
    assert delivery.status == "failed" and delivery.error


@pytest.mark.parametrize("status", [500, 404])
def test_http_errors_are_returned_without_the_secret_path(status: int) -> None:
    """An error answer is a failed delivery naming the status and the masked URL only."""
    with http_inbox(status) as inbox:
        delivery = send(check_url(f"http://{inbox.origin}/hooks/SECRET"), ten_changes(), "")
    assert delivery.status == "failed" and delivery.error is not None
    assert delivery.error.startswith(f"HTTP {status}")
    assert "SECRET" not in str(delivery.to_json()) and len(inbox.posts) == 1


def test_a_refused_connection_is_a_failed_delivery() -> None:
    """Nothing listening: the delivery fails with the reason, nothing is raised."""
    delivery = send(check_url(f"http://127.0.0.1:{free_port()}/hook"), ten_changes(), "")
    assert delivery.status == "failed" and "refused" in (delivery.error or "").lower()


def test_no_change_and_no_problem_sends_nothing(tmp_path: Path) -> None:
    """A run with nothing to say sends no message and leaves no state behind."""
    record(tmp_path, run_summary(result("facebook-form", "available")))
    with http_inbox() as inbox:
        to, bad = channels([f"http://{inbox.origin}/hook"])
        assert notify_run(run_summary(result("facebook-form", "available")), tmp_path, to) == []
    assert bad == [] and inbox.posts == []
    assert not (tmp_path / "notify-state.json").exists()
