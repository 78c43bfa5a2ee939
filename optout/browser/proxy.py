"""`--proxy [LOCALE=]URL`: the network exit the browser goes out through.

Meta serves the version of its pages that belongs to where a request comes from, so a check of
the EU forms must leave from the EU/EEA: a self-hosted machine there, or a proxy with an EU
exit. The proxy is Playwright's own per-context option; its credentials come from the
environment (`OPTOUT_PROXY_USERNAME`, `OPTOUT_PROXY_PASSWORD`, or the same names with the
locale after them, `OPTOUT_PROXY_USERNAME_DE_DE`), never from the command line, and are never
logged or saved: the run's records name the proxy's scheme, host and port only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

SCHEMES = ("http", "https", "socks5")
USER_ENV = "OPTOUT_PROXY_USERNAME"
PASSWORD_ENV = "OPTOUT_PROXY_PASSWORD"
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


class ProxyError(ValueError):
    """A `--proxy` value that cannot be used, with what to do instead."""


@dataclass(frozen=True)
class Proxy:
    """One `--proxy` value: the server (scheme://host:port) and the locale it is for."""

    server: str
    locale: str | None = None
    """None: every locale that has no proxy of its own."""

    @classmethod
    def parse(cls, text: str) -> Proxy:
        """`http://host:port` or `de-DE=socks5://host:port`."""
        locale: str | None = None
        head, sep, rest = text.partition("=")
        if sep and "://" not in head:
            if not _LOCALE.match(head):
                raise ProxyError(f"{head!r} is not a locale (e.g. de-DE=http://host:3128)")
            locale, text = head, rest
        parts = urlsplit(text)
        if parts.scheme not in SCHEMES:
            raise ProxyError(
                f"{text!r}: a proxy is {', '.join(s + '://host:port' for s in SCHEMES)}"
            )
        if parts.username is not None or parts.password is not None:
            raise ProxyError(
                "put the proxy's credentials in the environment, not in its URL (a command "
                f"line is shown to every user of the machine and kept in logs): {USER_ENV} and "
                f"{PASSWORD_ENV}"
            )
        try:
            port = parts.port
        except ValueError:
            raise ProxyError(f"{text!r}: the port is not a number") from None
        if not parts.hostname or port is None:
            raise ProxyError(f"{text!r}: a proxy needs a host and a port (host:port)")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ProxyError(f"{text!r}: a proxy URL is scheme://host:port, nothing after it")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        return cls(server=f"{parts.scheme}://{host}:{port}", locale=locale)

    def describe(self) -> str:
        return f"{self.locale}={self.server}" if self.locale else self.server


def env_names(locale: str | None) -> list[tuple[str, str]]:
    """The variables that may hold the login for `locale`, the locale's own first."""
    names = [(USER_ENV, PASSWORD_ENV)]
    if locale:
        tail = "_" + locale.upper().replace("-", "_")
        names.insert(0, (USER_ENV + tail, PASSWORD_ENV + tail))
    return names


def credentials(locale: str | None, env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The proxy login for `locale` from the environment: the locale's own variables first."""
    env = os.environ if env is None else env
    for user_name, password_name in env_names(locale):
        if env.get(user_name):
            return env[user_name], env.get(password_name, "")
    return None


def proxy_for(proxies: Sequence[Proxy], locale: str) -> Proxy | None:
    """The proxy a locale goes out through: its own, else the one for every locale."""
    own = [p for p in proxies if p.locale == locale]
    common = [p for p in proxies if p.locale is None]
    return next(iter(own or common), None)


def check(
    proxies: Sequence[Proxy], locales: Sequence[str], env: Mapping[str, str] | None = None
) -> None:
    """Fail before the run on what Chromium cannot do: one proxy per locale at most, and no
    login for a SOCKS5 proxy."""
    seen: set[str | None] = set()
    for each in proxies:
        if each.locale in seen:
            raise ProxyError(f"two --proxy values for {each.locale or 'every locale'}")
        seen.add(each.locale)
    for locale in locales:
        chosen = proxy_for(proxies, locale)
        if chosen and chosen.server.startswith("socks5:") and credentials(locale, env):
            raise ProxyError(
                f"{chosen.server}: Chromium cannot log in to a SOCKS5 proxy; unset {USER_ENV} "
                f"and {PASSWORD_ENV}, or use an http(s) proxy"
            )


def settings(
    proxies: Sequence[Proxy], locale: str, env: Mapping[str, str] | None = None
) -> dict[str, str] | None:
    """Playwright's `proxy` option for a context of `locale` (None: no proxy)."""
    proxy = proxy_for(proxies, locale)
    if proxy is None:
        return None
    out = {"server": proxy.server}
    login = credentials(locale, env)
    if login is not None:
        out["username"], out["password"] = login
    return out


def recorded(proxies: Sequence[Proxy], env: Mapping[str, str] | None = None) -> list[str] | None:
    """What the run's records say of the proxies: each server, and whether it needed a login
    (never the login itself)."""
    if not proxies:
        return None
    out = []
    for proxy in proxies:
        login = credentials(proxy.locale, env)
        out.append(proxy.describe() + (" (with a login from the environment)" if login else ""))
    return out
