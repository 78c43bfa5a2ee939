"""`--proxy [LOCALE=]URL`: the browser goes out through a proxy, its login read from the
environment and never written anywhere; the run's records name the proxy without it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, invoke
from proxy import running_proxy

from optout.browser import proxy
from optout.browser.proxy import Proxy, ProxyError

FORM = FLOWS / "facebook-form.yaml"
LOGIN = ("eu-exit-user", "s3cret-Pr0xy-pass")


@pytest.mark.parametrize(
    ("text", "server", "locale"),
    [
        ("http://127.0.0.1:3128", "http://127.0.0.1:3128", None),
        ("https://proxy.example:443/", "https://proxy.example:443", None),
        ("socks5://[::1]:1080", "socks5://[::1]:1080", None),
        ("de-DE=http://de.proxy.example:8080", "http://de.proxy.example:8080", "de-DE"),
    ],
)
def test_a_proxy_value_is_read(text: str, server: str, locale: str | None) -> None:
    """Scheme, host and port, for every locale or for the one before `=`."""
    assert Proxy.parse(text) == Proxy(server=server, locale=locale)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("ftp://host:21", "a proxy is http://host:port, https://host:port, socks5://host:port"),
        ("http://user:pw@host:3128", "put the proxy's credentials in the environment"),
        ("http://host", "a proxy needs a host and a port"),
        ("http://host:port", "the port is not a number"),
        ("http://host:3128/path", "nothing after it"),
        ("Germany=http://host:3128", "'Germany' is not a locale"),
    ],
)
def test_a_bad_proxy_value_says_why(text: str, fragment: str) -> None:
    """Each wrong value is refused with what to write instead."""
    with pytest.raises(ProxyError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        Proxy.parse(text)


def test_each_locale_gets_its_own_proxy_or_the_common_one() -> None:
    """A locale's own `--proxy` wins; the others use the one without a locale; its login comes
    from the locale's variables first, then the common ones."""
    proxies = [Proxy.parse("http://all.example:1"), Proxy.parse("de-DE=http://de.example:2")]
    env = {
        "OPTOUT_PROXY_USERNAME": "u",
        "OPTOUT_PROXY_PASSWORD": "p",
        "OPTOUT_PROXY_USERNAME_DE_DE": "du",
        "OPTOUT_PROXY_PASSWORD_DE_DE": "dp",
    }
    de = {"server": "http://de.example:2", "username": "du", "password": "dp"}
    assert proxy.settings(proxies, "de-DE", env) == de
    fr = {"server": "http://all.example:1", "username": "u", "password": "p"}
    assert proxy.settings(proxies, "fr-FR", env) == fr
    assert proxy.settings(proxies, "fr-FR", {}) == {"server": "http://all.example:1"}
    assert proxy.settings([], "fr-FR", env) is None
    recorded = proxy.recorded(proxies, env)
    assert recorded == [
        "http://all.example:1 (with a login from the environment)",
        "de-DE=http://de.example:2 (with a login from the environment)",
    ]
    assert not any(secret in str(recorded) for secret in ("du", "dp", "'u'", "'p'"))


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["--proxy", "http://user:hunter2@127.0.0.1:1"], {}, "not in its URL"),
        (["--proxy", "gopher://127.0.0.1:1"], {}, "a proxy is http://host:port"),
        (["--proxy", "http://127.0.0.1:1", "--proxy", "http://127.0.0.1:2"], {}, "two --proxy"),
        (
            ["--proxy", "socks5://127.0.0.1:1080"],
            {"OPTOUT_PROXY_USERNAME": "u", "OPTOUT_PROXY_PASSWORD": "p"},
            "Chromium cannot log in to a SOCKS5 proxy",
        ),
    ],
    ids=["login-in-url", "scheme", "twice", "socks5-login"],
)
def test_a_bad_proxy_is_one_line_and_exit_2(
    args: list[str], env: dict[str, str], fragment: str, tmp_path: Path
) -> None:
    """Before any browser starts: one line, exit 2, nothing run, and a password given in the
    URL is not repeated back."""
    result = invoke("verify", FORM, "--out", tmp_path / "rec", *args, env=env)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "hunter2" not in result.output
    assert not (tmp_path / "rec").exists()


def _all_text(folder: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()
    )


def test_the_browser_goes_out_through_the_proxy_with_its_login(
    verify: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against a loopback proxy that asks for a login: the pages come through it, with the
    login from the environment; the verdict is the replica's; run.json says a proxy was used;
    neither the login nor the password is in the evidence or the output."""
    monkeypatch.setenv("OPTOUT_PROXY_USERNAME", LOGIN[0])
    monkeypatch.setenv("OPTOUT_PROXY_PASSWORD", LOGIN[1])
    with running_proxy(login=LOGIN) as server:
        run = verify(FORM, "form-available", "--proxy", server.url, timeout=6, page_timeout=90)
    assert run.verdicts() == {("facebook-form", "en-GB"): "available"}, run.result.output
    through = [s for s in server.seen if s[2] == server.expected_authorization()]
    assert through, server.seen
    options = json.loads((run.run_dir / "run.json").read_text())["options"]
    assert options["proxy"] == [f"{server.url} (with a login from the environment)"]
    written = _all_text(run.recordings) + run.result.output
    assert LOGIN[1] not in written
    assert LOGIN[0] not in written


def test_a_proxy_that_refuses_the_login_is_never_missing(
    verify: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy that does not let the browser through (a wrong login) leaves the check unable
    to look: `unreachable`, never a verdict about the form."""
    monkeypatch.setenv("OPTOUT_PROXY_USERNAME", "wrong")
    monkeypatch.setenv("OPTOUT_PROXY_PASSWORD", "wrong")
    with running_proxy(login=LOGIN) as server:
        run = verify(FORM, "form-missing", "--proxy", server.url, timeout=6)
    assert run.verdicts() == {("facebook-form", "en-GB"): "unreachable"}, run.result.output
