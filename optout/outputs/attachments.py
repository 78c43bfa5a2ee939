"""Screenshots sized for a chat or a mail: the top of the page, small enough for the service.

The evidence's screenshots are already masked (the flow's `mask:` is painted into every
screenshot when it is taken), so an attachment made from one shows no more than the
evidence does. A full-page screenshot can be tens of thousands of pixels tall: an
attachment keeps its top (at most `MAX_HEIGHT` pixels, `MAX_WIDTH` wide), which is where
a form or its absence shows, and is made smaller until it fits the service's byte limit.
The evidence file itself is never touched.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

MAX_WIDTH = 1280
MAX_HEIGHT = 2400
MIN_WIDTH = 320
DEFAULT_LIMIT = 5 * 1024 * 1024
BYTE_LIMITS: dict[str, int] = {
    "webhook": 0,  # a plain webhook gets no attachment
    "tgram": 10 * 1000 * 1000,  # Telegram: photos up to 10 MB, width + height <= 10000
    "discord": 8 * 1024 * 1024,
    "pover": 2_500_000,  # Pushover
    "ntfy": 2 * 1024 * 1024,
    "ntfys": 2 * 1024 * 1024,
    "mailto": 5 * 1024 * 1024,  # many mail servers refuse large messages
    "mailtos": 5 * 1024 * 1024,
}
"""The most an attachment may weigh, by service (Apprise scheme); others: `DEFAULT_LIMIT`."""


def byte_limit(service: str) -> int:
    return BYTE_LIMITS.get(service, DEFAULT_LIMIT)


def sized_png(path: Path, limit: int) -> bytes | None:
    """The screenshot's top as a PNG of at most `limit` bytes; None if it cannot be read
    or cannot be made that small."""
    try:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    width, height = image.size
    scale = min(1.0, MAX_WIDTH / width)
    if height * scale > MAX_HEIGHT:
        image = image.crop((0, 0, width, round(MAX_HEIGHT / scale)))
    if scale < 1:
        image = image.resize((MAX_WIDTH, max(1, round(image.height * scale))))
    while True:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data = buffer.getvalue()
        if len(data) <= limit:
            return data
        if image.width <= MIN_WIDTH:
            return None
        scale = max(0.5, (limit / len(data)) ** 0.5 * 0.95)
        size = (max(MIN_WIDTH, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size)


def prepare(files: list[tuple[str, Path]], folder: Path, limit: int) -> list[Path]:
    """Write each screenshot, sized within `limit`, into `folder` under its name; the files
    written (a screenshot that cannot be read or made small enough is left out)."""
    if limit <= 0:
        return []
    written: list[Path] = []
    for name, path in files:
        data = sized_png(path, limit)
        if data is None:
            continue
        out = folder / name
        out.write_bytes(data)
        written.append(out)
    return written
