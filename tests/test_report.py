"""The evidence report: built from replica runs, opened in Chromium from file://."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, PAIR
from helpers import write_json
from PIL import Image
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from optout.report.build import build_report
from optout.report.images import HIGHLIGHT, pixel_diff
from optout.store.records import read_run

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_REASON = "<script>alert('reason')</script> & \"quoted\" <b>bold</b>"
HOSTILE_URL = "javascript:alert('url')"
HOSTILE_FLOW = f"""\
name: "{HOSTILE_NAME}"
locales: [en-GB]
start: https://www.facebook.com/help/contact/6359191084165019
target:
  present:
    - {{role: button, name: "^(envoyer|send)$"}}
  missing_when:
    - {{text: "this content isn't available", reason: "<i>unavailable</i> page"}}
"""
EAGER_IMAGES = """() => Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.decode().catch(() => null);
}))"""
BROKEN_IMAGES = """() => [...document.images]
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.getAttribute("src"))"""


@dataclass
class Site:
    """Recordings of three replica runs (the third one a change) and the report built on them."""

    recordings: Path
    flows: Path
    runs: list[str]
    index: Path
    changed: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def out(self) -> Path:
        return self.index.parent


_SITE: dict[str, Site] = {}


def _make_site(verify: Any, root: Path) -> Site:
    """Run the replica three times into one recordings folder, sabotage one run, build."""
    flows = root / "flows"
    flows.mkdir()
    shutil.copy(FLOWS / "facebook-form.yaml", flows)
    shutil.copytree(FLOWS / "fragments", flows / "fragments")
    (flows / "hostile-title.yaml").write_text(HOSTILE_FLOW, encoding="utf-8")
    recordings = root / "recordings"
    both = [flows / "facebook-form.yaml", flows / "hostile-title.yaml"]
    first = verify(both, "form-available", locale=PAIR, recordings=recordings)
    second = verify(both, "form-available", locale=PAIR, recordings=recordings)
    third = verify(flows / "facebook-form.yaml", "form-missing", locale=PAIR, recordings=recordings)
    runs = [v.run_dir.name for v in (first, second, third)]
    assert first.verdicts()[("hostile-title", "en-GB")] == "available"
    assert set(third.verdicts().values()) == {"missing"}

    run_json = recordings / runs[1] / "run.json"
    summary = read_run(run_json)
    assert summary is not None
    for result in summary.results:
        if result.flow == "hostile-title":
            result.reason = HOSTILE_REASON
            result.title = HOSTILE_NAME
            result.steps[0].description = HOSTILE_REASON
            result.navigations[0].url = HOSTILE_URL
    write_json(run_json, summary.to_json())

    index = build_report(recordings, flows_dir=flows)
    changed = {(runs[2], "facebook-form", "fr-FR"), (runs[2], "facebook-form", "en-GB")}
    return Site(recordings, flows, runs, index, changed)


@pytest.fixture
def site(verify: Any, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The report site, made once for the whole module (three `optout verify` runs)."""
    if "site" not in _SITE:
        _SITE["site"] = _make_site(verify, tmp_path_factory.mktemp("report"))
    return _SITE["site"]


@dataclass
class Watch:
    """What a page reported while the test looked at it: console errors, page errors, dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def watched(page: Page) -> tuple[Page, Watch]:
    """The pytest-playwright page, with its console errors and dialogs recorded."""
    watch = Watch()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watch.errors.append(f"{message.type}: {message.text} at {page.url}")

    def on_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.errors.append(f"pageerror: {exc} at {page.url}"))
    page.on("dialog", on_dialog)
    return page, watch


def _broken_images(page: Page) -> list[str]:
    """Load every image (lazy ones too) and return the sources of those that did not load."""
    page.evaluate(EAGER_IMAGES)
    broken: list[str] = page.evaluate(BROKEN_IMAGES)
    return broken


def test_overview_lists_every_flow_and_locale_with_its_verdict_word(
    site: Site, page: Page
) -> None:
    """The overview has one row per flow × locale, with the latest verdict written out."""
    page.goto(site.index.as_uri())
    rows = page.locator("table.overview tbody tr")
    found = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        flow = row.locator(".flow-id").inner_text()
        locale = row.locator("td.locale").inner_text()
        found[(flow, locale)] = row.locator("td.latest .badge").first.inner_text()
    assert found == {
        ("facebook-form", "fr-FR"): "missing",
        ("facebook-form", "en-GB"): "missing",
        ("hostile-title", "en-GB"): "available",
    }
    strip = rows.filter(has_text="facebook-form").first.locator(".strip a.cell")
    expect(strip).to_have_count(3)
    assert strip.first.get_attribute("aria-label", timeout=1000) is not None
    assert [strip.nth(i).inner_text() for i in range(3)] == ["A", "A", "M"]


def test_every_image_loads_from_file_urls(site: Site, page: Page) -> None:
    """Every image of the overview, a run page, a change page and a flow page shows."""
    change_run = site.runs[2]
    pages = [
        site.index,
        site.out / "runs" / f"{change_run}.html",
        site.out / "runs" / f"{site.runs[0]}.html",
        site.out / "changes" / f"{change_run}-facebook-form-en-GB.html",
        site.out / "flows" / "facebook-form.html",
    ]
    counts = []
    for path in pages:
        page.goto(path.as_uri())
        assert _broken_images(page) == [], path.name
        counts.append(page.locator("img").count())
        for alt in page.locator("img").evaluate_all("imgs => imgs.map(i => i.alt)"):
            assert alt.strip(), f"an image without alt text on {path.name}"
    assert counts[1] > 10 and counts[2] > 10, "run pages show the final and step screenshots"
    assert counts[3] == 3, "a change page shows before, after and the pixel difference"


def test_links_between_pages_work_from_file_urls(site: Site, page: Page) -> None:
    """Following links from the overview reaches runs, changes, flows and back."""
    page.goto(site.index.as_uri())
    page.locator("table.overview tbody tr").filter(has_text="fr-FR").locator(
        "a.cell"
    ).last.click()
    expect(page.locator("h1")).to_have_text(f"Run of {_when(site, 2)}")
    expect(page.locator("#facebook-form--fr-FR h2")).to_contain_text("fr-FR")

    page.get_by_role("link", name="Compare before and after").first.click()
    expect(page.locator("h1")).to_contain_text("available → missing")
    page.get_by_role("link", name="that run").first.click()
    expect(page.locator("h1")).to_have_text(f"Run of {_when(site, 1)}")

    page.get_by_role("link", name="Next run →").click()
    expect(page.locator("h1")).to_have_text(f"Run of {_when(site, 2)}")
    page.get_by_role("link", name="facebook-form", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Facebook AI objection form")
    expect(page.locator("pre.yaml")).to_contain_text("start: https://www.facebook.com/help")
    page.get_by_role("navigation", name="Report").get_by_role("link", name="All runs").click()
    expect(page.locator("h1")).to_have_text("All runs, newest first")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Overview").click()
    expect(page.locator("h1")).to_have_text("Are Meta's AI objection forms there?")


def test_no_page_logs_an_error_or_opens_a_dialog(
    site: Site, watched: tuple[Page, Watch]
) -> None:
    """Every page of the report loads without console errors, page errors or dialogs."""
    page, watch = watched
    pages = [site.index, *sorted(site.out.glob("*/*.html"))]
    assert len(pages) >= 1 + 4 + 2 + 2, [p.name for p in pages]
    for path in pages:
        page.goto(path.as_uri())
        page.evaluate(EAGER_IMAGES)
    assert watch.errors == []
    assert watch.dialogs == []


def test_hostile_flow_name_and_reason_show_as_text(
    site: Site, watched: tuple[Page, Watch]
) -> None:
    """A flow named like an HTML tag and a reason holding a script show as text and run nothing."""
    page, watch = watched
    page.goto(site.index.as_uri())
    expect(page.get_by_text(HOSTILE_NAME, exact=True).first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    assert "&lt;img src=x onerror=alert(1)&gt;" in site.index.read_text(encoding="utf-8")

    page.goto((site.out / "runs" / f"{site.runs[1]}.html").as_uri())
    section = page.locator("#hostile-title--en-GB")
    expect(section.locator(".verdict-line .reason")).to_have_text(HOSTILE_REASON)
    expect(section.locator(".steps .step").first).to_contain_text(HOSTILE_REASON)
    expect(section.locator("table.navs")).to_contain_text(HOSTILE_URL)
    expect(section.locator("dl.facts")).to_contain_text(f"Page title{HOSTILE_NAME}")
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("script, b, i").count() == 0

    page.goto((site.out / "flows" / "hostile-title.html").as_uri())
    expect(page.locator("h1")).to_have_text(HOSTILE_NAME)
    expect(page.locator("pre.yaml")).to_contain_text(f'name: "{HOSTILE_NAME}"')
    assert watch.dialogs == []
    assert watch.errors == []


def test_change_view_exists_exactly_where_the_verdict_changed(site: Site, page: Page) -> None:
    """Change pages exist for the run, flow and locale that changed, and nowhere else."""
    pages = {p.name for p in (site.out / "changes").glob("*.html")}
    assert pages == {f"{run}-{flow}-{locale}.html" for run, flow, locale in site.changed}
    for run, count in zip(site.runs, (0, 0, 2), strict=True):
        page.goto((site.out / "runs" / f"{run}.html").as_uri())
        expect(page.get_by_role("link", name="Compare before and after")).to_have_count(count)
    page.goto(site.index.as_uri())
    expect(page.locator("ul.changes li")).to_have_count(2)
    page.goto((site.out / "changes" / f"{site.runs[2]}-facebook-form-fr-FR.html").as_uri())
    expect(page.locator(".compare h2").first).to_contain_text("available")
    expect(page.locator(".compare h2").last).to_contain_text("missing")
    expect(page.locator("#difference ~ p").first).to_contain_text("of the pixels differ")


def test_rebuild_reuses_assets_and_rewrites_nothing(site: Site) -> None:
    """A second build of the same recordings makes no image and leaves every page untouched."""
    files = sorted(p for p in site.out.rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    assert any(p.name.endswith(".w400.jpg") for p in files)
    assert any(p.name.endswith(".diff.png") for p in files)
    build_report(site.recordings, flows_dir=site.flows)
    after = {p: p.stat().st_mtime_ns for p in sorted(site.out.rglob("*")) if p.is_file()}
    assert after == before


def test_pruned_run_built_elsewhere_shows_no_broken_image(
    site: Site, page: Page, tmp_path: Path
) -> None:
    """A run whose screenshots were pruned says so, and a report outside recordings/ still links."""
    recordings = tmp_path / "recordings"
    shutil.copytree(site.recordings, recordings, ignore=shutil.ignore_patterns("report"))
    pruned = recordings / site.runs[0]
    for png in pruned.rglob("*.png"):
        png.unlink()
    (pruned / "PRUNED.json").write_text("{}", encoding="utf-8")
    index = build_report(recordings, tmp_path / "elsewhere" / "site")
    for run in (site.runs[0], site.runs[2]):
        page.goto((index.parent / "runs" / f"{run}.html").as_uri())
        assert _broken_images(page) == [], run
    expect(page.locator("img").first).to_be_visible()
    page.goto((index.parent / "runs" / f"{site.runs[0]}.html").as_uri())
    expect(page.locator(".no-shot").first).to_contain_text("deleted when the run was pruned")


def test_empty_recordings_build_an_overview_that_says_so(tmp_path: Path) -> None:
    """Without any run, the report still builds and says there is nothing yet."""
    index = build_report(tmp_path / "recordings", tmp_path / "site")
    assert index == tmp_path / "site" / "index.html"
    assert "No runs recorded yet" in index.read_text(encoding="utf-8")
    assert (tmp_path / "site" / "assets" / "report.css").is_file()


def test_pixel_diff_paints_changed_pixels_and_counts_them(tmp_path: Path) -> None:
    """The difference image highlights exactly the changed square and measures its share."""
    before, after = tmp_path / "before.png", tmp_path / "after.png"
    Image.new("RGB", (100, 50), "white").save(before)
    changed = Image.new("RGB", (100, 50), "white")
    changed.paste((0, 0, 0), (10, 10, 20, 20))
    changed.save(after)
    image, diff = pixel_diff(before, after)
    assert diff.changed == pytest.approx(100 / 5000)
    assert diff.box == (10, 10, 20, 20)
    assert image.getpixel((15, 15)) == HIGHLIGHT
    assert image.getpixel((60, 40)) != HIGHLIGHT

    taller = tmp_path / "taller.png"
    Image.new("RGB", (100, 100), "white").save(taller)
    _, grown = pixel_diff(before, taller)
    assert grown.changed == pytest.approx(0.5)
    assert grown.sizes == ((100, 50), (100, 100))


def _when(site: Site, i: int) -> str:
    """The time of the i-th run as the report writes it."""
    summary = read_run(site.recordings / site.runs[i] / "run.json")
    assert summary is not None
    started = summary.started_at
    return f"{started[:10]} {started[11:16]} UTC"


HOSTILE_DOM = "<html><body><img src=x onerror=alert(1)><script>alert(2)</script></body></html>"


def test_a_captured_page_never_runs_from_the_report(
    site: Site, watched: tuple[Page, Watch], tmp_path: Path
) -> None:
    """A captured DOM with scripts is linked as escaped text; opening it runs nothing."""
    page, watch = watched
    recordings = tmp_path / "recordings"
    shutil.copytree(site.recordings / site.runs[0], recordings / site.runs[0])
    captured = recordings / site.runs[0] / "facebook-form" / "en-GB" / "final.html"
    captured.write_text(HOSTILE_DOM, encoding="utf-8")
    index = build_report(recordings, tmp_path / "out")
    run_page = index.parent / "runs" / f"{site.runs[0]}.html"
    raw_links = [
        href
        for path in index.parent.rglob("*.html")
        for href in _hrefs(path)
        if href.split("?")[0].lower().endswith((".html", ".htm", ".svg", ".xml"))
        and "/recordings/" in f"/{href}"
    ]
    assert raw_links == []
    page.goto(run_page.as_uri())
    link = page.locator("#facebook-form--en-GB a", has_text="final.html")
    expect(link).to_have_attribute("href", re.compile(r"^\.\./source/[0-9a-f]{64}\.html$"))
    page.goto((run_page.parent / str(link.get_attribute("href"))).resolve().as_uri())
    expect(page.locator("pre.source")).to_contain_text("<script>alert(2)</script>")
    assert watch.dialogs == []


def _hrefs(path: Path) -> list[str]:
    return re.findall(r'href="([^"]+)"', path.read_text(encoding="utf-8"))
