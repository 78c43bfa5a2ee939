"""Apprise services: json://, form:// and mailto:// to loopback servers, attachments sized
for the service, failures read from Apprise's log, configuration files, a missing extra."""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest
from helpers import RUN_ID, run_summary
from helpers import flow_result as result
from inbox import changed, free_port, http_inbox, record, screenshot, smtp_inbox
from PIL import Image

from optout.outputs import attachments
from optout.outputs.digest import ChangeItem, Digest, change_items, html_length
from optout.outputs.notify import channels, notify_run
from optout.outputs.send import fit, send
from optout.outputs.targets import TargetError, check_url, load_config
from optout.store.history import series

pytest.importorskip("apprise")


def recorded_change(recordings: Path, height: int = 900) -> Digest:
    """Available yesterday, missing today, with both final screenshots; the run's digest."""
    before = run_summary(result("facebook-form", "available"), run_id="20261128T063000Z")
    record(recordings, before)
    now = record(recordings, run_summary(changed("facebook-form", reason="gone from the page")))
    screenshot(recordings / RUN_ID / "facebook-form/fr-FR/final.png", (1280, height), "red")
    return Digest(RUN_ID, change_items(now, recordings, series(recordings), None))


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_json_service_gets_the_digest_and_both_screenshots(tmp_path: Path) -> None:
    """An Apprise json:// server receives the digest text and the after/before PNGs."""
    digest = recorded_change(tmp_path)
    with http_inbox() as inbox:
        delivery = send(check_url(f"json://{inbox.origin}/notify"), digest, "")
    assert delivery.ok and delivery.attachments == 2
    [post] = inbox.posts
    body = post.json()
    assert body["title"] == "optout: facebook-form fr-FR: available → missing"
    assert "gone from the page" in body["message"]
    assert "available since 2026-11-28" in body["message"]
    names = [a["filename"] for a in body["attachments"]]
    assert names == [
        "facebook-form-fr-FR-missing-after.png",
        "facebook-form-fr-FR-available-before.png",
    ]
    assert png_size(base64.b64decode(body["attachments"][0]["base64"])) == (1280, 900)


def test_form_service_gets_the_screenshot_as_multipart(tmp_path: Path) -> None:
    """An Apprise form:// server receives the text as fields and the PNGs as files."""
    digest = recorded_change(tmp_path)
    with http_inbox() as inbox:
        assert send(check_url(f"form://{inbox.origin}/hook"), digest, "").ok
    [post] = inbox.posts
    assert post.content_type.startswith("multipart/form-data")
    fields = post.form()
    assert "gone from the page" in fields["message"]
    files = [v for v in fields.values() if isinstance(v, tuple)]
    assert [name for name, _ in files] == [
        "facebook-form-fr-FR-missing-after.png",
        "facebook-form-fr-FR-available-before.png",
    ]
    assert all(data.startswith(b"\x89PNG") for _, data in files)


def test_mail_arrives_with_the_screenshot_attached(tmp_path: Path) -> None:
    """A mailto:// target delivers one mail through a local SMTP server, PNGs attached."""
    digest = recorded_change(tmp_path)
    with smtp_inbox() as (port, mails):
        url = (
            f"mailto://127.0.0.1:{port}?from=optout@example.com&to=watch@example.org&mode=insecure"
        )
        delivery = send(check_url(url), digest, "")
    assert delivery.ok, delivery.error
    [mail] = mails
    assert mail["Subject"] == "optout: facebook-form fr-FR: available → missing"
    assert mail["To"].endswith("watch@example.org")
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None and "gone from the page" in text.get_content()
    files = [part.get_filename() for part in mail.iter_attachments()]
    assert "facebook-form-fr-FR-missing-after.png" in files


def test_a_tall_screenshot_is_cut_to_its_top_and_fits_the_byte_limit(tmp_path: Path) -> None:
    """A very tall page becomes its top 2,400 pixels, 1,280 wide; a tight limit shrinks it."""
    tall = screenshot(tmp_path / "tall.png", (1600, 4000))
    data = attachments.sized_png(tall, 50_000_000)
    assert data is not None and png_size(data) == (1280, attachments.MAX_HEIGHT)
    path = tmp_path / "final.png"
    Image.effect_noise((640, 480), 80).convert("RGB").save(path)
    small = attachments.sized_png(path, 400_000)
    assert small is not None and len(small) <= 400_000 and png_size(small)[0] < 640
    assert attachments.prepare([("x.png", path)], tmp_path, 0) == []


def test_text_is_cut_to_the_service_s_own_limit() -> None:
    """Telegram (4096, HTML, no title) gets a body that fits once escaped, with the title."""
    items = [
        ChangeItem(
            f"flow-{n}",
            "",
            "fr-FR",
            "available",
            "missing",
            "a & b < c " * 60,
            RUN_ID,
            None,
            f"flow-{n}/fr-FR",
        )
        for n in range(20)
    ]
    plugin = check_url("tgram://123456789:AAbbCCddEEffGGhhIIjj/12345").plugin
    title, body = fit(plugin, Digest(RUN_ID, items))
    assert html_length(body) + len(title) <= plugin.body_maxlen
    assert "more not shown" in body


def test_an_unreachable_service_is_a_failed_delivery_without_its_secret() -> None:
    """Apprise answers False and logs why: the delivery fails with that reason, password hidden."""
    port = free_port()
    item = ChangeItem("f", "", "fr-FR", "available", "missing", "r", RUN_ID, None, "f/fr-FR")
    target = check_url(f"json://optout:TOPSECRET@127.0.0.1:{port}/x")
    delivery = send(target, Digest(RUN_ID, [item]), "")
    assert delivery.status == "failed"
    assert "connection error" in (delivery.error or "").lower()
    assert "TOPSECRET" not in str(delivery.to_json())
    assert delivery.url == f"json://optout:****@127.0.0.1:{port}/****"


def test_a_configuration_file_adds_targets_and_tags_ops(tmp_path: Path) -> None:
    """Entries of an Apprise configuration file are targets; those tagged `ops` get problems."""
    config = tmp_path / "apprise.yml"
    config.write_text(
        "urls:\n"
        "  - json://127.0.0.1:8001/content\n"
        "  - json://127.0.0.1:8002/ops:\n"
        "      tag: ops\n",
        encoding="utf-8",
    )
    found = load_config(config)
    assert sorted((t.masked, t.ops) for t in found) == [
        ("json://127.0.0.1:8001/****", False),
        ("json://127.0.0.1:8002/****", True),
    ]
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(TargetError, match="no notification URL"):
        load_config(empty)


def test_without_apprise_webhooks_work_and_apprise_urls_say_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the extra missing, an https webhook is accepted and tgram:// gets one install line."""
    monkeypatch.setitem(sys.modules, "apprise", None)
    assert check_url("https://hooks.example.com/x").is_webhook
    with pytest.raises(TargetError) as caught:
        check_url("tgram://123:abc/456")
    assert str(caught.value) == (
        "Apprise URLs need the notify extra: pip install 'optout[notify]' (make install does it)"
    )


def test_delivered_run_records_what_went_where(tmp_path: Path) -> None:
    """notify_run sends the digest to every target and returns one delivery each."""
    recorded_change(tmp_path)
    summary = run_summary(changed("facebook-form", reason="gone from the page"))
    with http_inbox() as inbox:
        to, _ = channels([f"json://{inbox.origin}/a", f"http://{inbox.origin}/b"])
        deliveries = notify_run(summary, tmp_path, to)
    assert [(d.service, d.status, d.attachments) for d in deliveries] == [
        ("json", "sent", 2),
        ("webhook", "sent", 0),
    ]
    assert [p.path for p in inbox.posts] == ["/a", "/b"]
