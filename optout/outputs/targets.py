"""Where notifications go: plain webhooks and Apprise services, checked before a run starts.

A `--notify` value is a plain `http(s)://` webhook (a JSON body with a `text` field, as
Slack and Mattermost incoming webhooks take it) or any URL Apprise knows (`mailto://`,
`tgram://`, `matrix://`, `ntfy://`...). Apprise is the optional `notify` extra and is
imported only when such a URL is given. Every URL is a secret: what optout shows, logs
and records is `Target.masked`, and `scrub` takes the secret parts out of any error text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

WEBHOOK_SCHEMES = ("http", "https")
INSTALL_HINT = "pip install 'optout[notify]' (make install does it)"
OPS_TAG = "ops"
"""Entries of an Apprise configuration file with this tag get the checker problems."""
SECRET_PATHS = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "ntfy", "ntfys"})
"""Apprise services whose path is a secret that Apprise's privacy mode shows."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PIECES = re.compile(r"[/:@?&=#,;+]+")


class TargetError(ValueError):
    """A notification URL or configuration that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Target:
    """One place to deliver messages to."""

    url: str = field(repr=False)
    """The URL as given: it holds secrets, never show it."""
    masked: str
    """The URL with its secrets hidden: what logs and records show."""
    service: str
    """`webhook` for a plain http(s) webhook, else the Apprise scheme (`mailto`, `tgram`...)."""
    ops: bool = False
    """From an Apprise configuration entry tagged `ops`: gets the checker problems."""
    plugin: Any = field(default=None, repr=False, compare=False)
    """The Apprise service object (Apprise URLs only)."""

    @property
    def is_webhook(self) -> bool:
        return self.service == "webhook"


def split_urls(values: Iterable[str]) -> list[str]:
    """The URLs in option values: each value may hold several, separated by spaces or newlines
    (a URL never contains a raw space, so a secret's trailing newline is only a separator)."""
    return [url for value in values for url in value.split()]


def mask_webhook(url: str) -> str:
    """`https://hooks.slack.com/****`: scheme, host and port; the path and query are secrets."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    user = "****@" if parts.username or parts.password else ""
    hidden = "/****" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme.lower()}://{user}{host}{port}{hidden}"


def _hint(url: str) -> str:
    """What an error message may show of a URL it cannot parse: its scheme at most."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return f"{scheme}://…" if scheme.isalnum() else "the value"


def apprise_module() -> Any:
    """The `apprise` module, or TargetError saying how to install it."""
    try:
        import apprise
    except ImportError:
        raise TargetError(f"Apprise URLs need the notify extra: {INSTALL_HINT}") from None
    return apprise


def _asset(apprise: Any) -> Any:
    return apprise.AppriseAsset(app_id="optout", app_desc="optout", app_url="")


def check_url(url: str) -> Target:
    """The target for one URL, or TargetError saying in one line what is wrong with it."""
    if _CONTROL.search(url) or " " in url:
        raise TargetError(f"{_hint(url)} contains a space or a control character")
    if "://" not in url:
        raise TargetError(
            "not a URL: a part without scheme:// (URLs are separated by spaces, so a URL "
            "cannot hold one; a webhook is https://..., an Apprise service mailto://, "
            "tgram://, matrix://, ntfy://...)"
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme in WEBHOOK_SCHEMES:
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise TargetError(f"{mask_webhook(url)}: the port is not a number") from None
        if not parts.hostname:
            raise TargetError(f"{scheme}://…: no host")
        return Target(url=url, masked=mask_webhook(url), service="webhook")
    apprise = apprise_module()
    plugin = apprise.Apprise.instantiate(url, asset=_asset(apprise))
    if plugin is None:
        raise TargetError(
            f"{scheme}://…: not a URL Apprise can use "
            "(see https://github.com/caronc/apprise/wiki for each service's URL)"
        )
    return _from_plugin(plugin, url)


def _from_plugin(plugin: Any, url: str, ops: bool = False) -> Target:
    """A target shown as Apprise's privacy mode shows it, without its options; for the
    services whose path is the secret (a webhook's path, an ntfy topic), without its path."""
    scheme = url.split("://", 1)[0].lower()
    masked = str(plugin.url(privacy=True)).split("?", 1)[0]
    if scheme in SECRET_PATHS:
        head, sep, path = masked.partition("://")
        host, _, rest = path.partition("/")
        masked = f"{head}{sep}{host}/****" if rest.strip("/") else masked
    return Target(url=url, masked=masked, service=scheme, ops=ops, plugin=plugin)


def check_urls(values: Iterable[str]) -> list[Target]:
    """Every URL of the values (see `split_urls`), checked; TargetError at the first bad one."""
    return [check_url(url) for url in split_urls(values)]


def load_config(path: Path) -> list[Target]:
    """The services of an Apprise configuration file (text or YAML); entries tagged `ops`
    get the checker problems. TargetError when it cannot be read or names no service."""
    apprise = apprise_module()
    try:
        path.read_bytes()
    except OSError as exc:
        raise TargetError(f"cannot read {path}: {exc.strerror}") from None
    config = apprise.AppriseConfig(asset=_asset(apprise))
    if not config.add(path.resolve().as_uri()):  # a file:// URL: Apprise 1.7 needs one
        raise TargetError(f"{path}: Apprise cannot read this configuration file")
    found: list[Target] = []
    services = getattr(config, "services", None) or config.servers  # Apprise 2 / Apprise 1
    for plugin in services():
        url = str(plugin.url())
        found.append(_from_plugin(plugin, url, ops=OPS_TAG in set(plugin.tags or ())))
    if not found:
        raise TargetError(f"{path}: no notification URL Apprise can use in this file")
    return found


def scrub(text: str, target: Target) -> str:
    """`text` (an error, a log line) with every secret part of the target's URL hidden.

    A part of the URL is secret unless the masked URL or Apprise's privacy mode shows it.
    """
    public_url = target.masked
    if target.plugin is not None:  # its options (`?to=...&mode=...`) are public too
        public_url += "?" + str(target.plugin.url(privacy=True)).partition("?")[2]
    public = {unquote(p) for p in _PIECES.split(public_url)}
    text = text.replace(target.url, target.masked)
    raw = _PIECES.split(target.url)
    secrets = {p for piece in raw for p in (piece, unquote(piece)) if len(p) >= 3}
    secrets -= public
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "****")
    return text
