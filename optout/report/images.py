"""The report's generated images: screenshot thumbnails and pixel differences.

Each generated file is named by the SHA-256 of the screenshot(s) it comes from, so
it is made once and reused by every later build (and by every run whose screenshot
is byte-for-byte the same, which is most days). Nothing here knows about pages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

from optout.store.writer import sha256_file, write_atomic

THUMB_WIDTH = 400
"""Thumbnails are about this wide (a whole-number reduction of the screenshot)."""
THUMB_MAX_RATIO = 1.5
"""A thumbnail keeps at most this many times its width in height: the top of a long page."""
THUMB_SUFFIX = f".w{THUMB_WIDTH}.jpg"
DIFF_SUFFIX = ".diff.png"
DIFF_THRESHOLD = 24
"""A pixel differs when one colour channel differs by more than this (0-255): ignores dithering."""
HIGHLIGHT = (214, 0, 110)
"""Changed pixels are painted in this magenta, over a faded copy of the later screenshot."""
IMAGE_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)
"""What Pillow raises on a truncated, corrupt or absurdly large image (evidence, not a bug)."""


@dataclass
class Thumb:
    """A thumbnail under the assets folder; `ok` is False when it could not be made."""

    name: str
    source: Path
    ok: bool = True


@dataclass(frozen=True)
class Diff:
    """The pixel difference of two screenshots, as an image under the assets folder."""

    name: str
    changed: float
    """The share of pixels that differ, 0 to 1 (area covered by only one image included)."""
    box: tuple[int, int, int, int] | None
    """The smallest rectangle holding every changed pixel (left, top, right, bottom)."""
    sizes: tuple[tuple[int, int], tuple[int, int]]
    """(width, height) of the earlier and the later screenshot."""


class Assets:
    """Generated images in one folder, made at most once per source content."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: dict[str, Thumb] = {}
        self._made: dict[str, Thumb] = {}
        self._digests: dict[tuple[int, int, int, int], str] = {}

    def digest(self, path: Path) -> str:
        """The SHA-256 of a file, hashed once per build for hard-linked or repeated files."""
        st = path.stat()
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        found = self._digests.get(key)
        if found is None:
            found = self._digests[key] = sha256_file(path)
        return found

    def thumbnail(self, source: Path) -> Thumb | None:
        """The thumbnail of a screenshot (made by `make_pending`); None if it cannot be read."""
        try:
            digest = self.digest(source)
        except OSError:
            return None
        name = digest + THUMB_SUFFIX
        thumb = self._made.get(name) or self._pending.get(name)
        if thumb is None:
            thumb = Thumb(name, source)
            if (self.folder / name).is_file():
                self._made[name] = thumb
            else:
                self._pending[name] = thumb
        return thumb

    def make_pending(self) -> int:
        """Make every thumbnail asked for that does not exist yet, in parallel; how many."""
        pending = list(self._pending.values())
        self._pending.clear()
        if not pending:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
            for thumb, data in zip(pending, pool.map(_thumbnail_bytes, pending), strict=True):
                if data is None:
                    thumb.ok = False
                else:
                    write_atomic(self.folder / thumb.name, data)
                self._made[thumb.name] = thumb
        return len(pending)

    def diff(self, before: Path, after: Path) -> Diff | None:
        """The pixel difference of two screenshots (cached); None if either cannot be read."""
        try:
            name = f"{self.digest(before)}-{self.digest(after)}{DIFF_SUFFIX}"
        except OSError:
            return None
        image_path = self.folder / name
        info_path = image_path.with_suffix(".json")
        cached = _read_diff_info(name, info_path) if image_path.is_file() else None
        if cached is not None:
            return cached
        try:
            image, diff = pixel_diff(before, after, name)
        except IMAGE_ERRORS:
            return None
        buffer = BytesIO()
        image.save(buffer, "PNG", optimize=False, compress_level=6)
        write_atomic(image_path, buffer.getvalue())
        write_atomic(
            info_path,
            json.dumps({"changed": diff.changed, "box": diff.box, "sizes": diff.sizes}),
        )
        return diff

    def names(self) -> Iterable[str]:
        """Every asset this build uses."""
        return self._made.keys()


def _thumbnail_bytes(thumb: Thumb) -> bytes | None:
    """A JPEG of the top of a screenshot, about THUMB_WIDTH wide; None if unreadable."""
    try:
        with Image.open(thumb.source) as image:
            image.load()
            rgb = image.convert("RGB")
    except IMAGE_ERRORS:
        return None
    keep = int(rgb.width * THUMB_MAX_RATIO)
    if rgb.height > keep:
        rgb = rgb.crop((0, 0, rgb.width, keep))
    factor = max(1, rgb.width // THUMB_WIDTH)
    if factor > 1:
        rgb = rgb.reduce(factor)
    buffer = BytesIO()
    rgb.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def _read_diff_info(name: str, path: Path) -> Diff | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        box = data["box"]
        (w1, h1), (w2, h2) = data["sizes"]
        return Diff(
            name=name,
            changed=float(data["changed"]),
            box=(int(box[0]), int(box[1]), int(box[2]), int(box[3])) if box else None,
            sizes=((int(w1), int(h1)), (int(w2), int(h2))),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def pixel_diff(before: Path, after: Path, name: str = "") -> tuple[Image.Image, Diff]:
    """Paint the pixels that differ between two screenshots over a faded copy of the later one.

    Screenshots of different sizes are compared on the larger canvas; the area only
    one of them covers counts as changed. Changed areas are widened by two pixels so
    that a changed word stays visible when the image is shown smaller.
    """
    with Image.open(before) as first, Image.open(after) as second:
        a, b = first.convert("RGB"), second.convert("RGB")
    size = (max(a.width, b.width), max(a.height, b.height))
    canvas_a, canvas_b = Image.new("RGB", size, "white"), Image.new("RGB", size, "white")
    canvas_a.paste(a)
    canvas_b.paste(b)
    delta = ImageChops.difference(canvas_a, canvas_b)
    table = [0] * (DIFF_THRESHOLD + 1) + [255] * (255 - DIFF_THRESHOLD)
    red, green, blue = (band.point(table) for band in delta.split())
    mask = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    both = (min(a.width, b.width), min(a.height, b.height))
    if both != size:
        outside = Image.new("L", size, 255)
        outside.paste(0, (0, 0, *both))
        mask = ImageChops.lighter(mask, outside)
    changed = mask.histogram()[255] / (size[0] * size[1])
    faded = Image.blend(canvas_b.convert("L").convert("RGB"), Image.new("RGB", size, "white"), 0.6)
    faded.paste(HIGHLIGHT, (0, 0, *size), mask.filter(ImageFilter.MaxFilter(5)))
    diff = Diff(name=name, changed=changed, box=mask.getbbox(), sizes=(a.size, b.size))
    return faded, diff
