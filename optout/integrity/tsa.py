"""RFC 3161 trusted timestamps of a manifest: ask a timestamp authority, read and check a reply.

A timestamp authority (TSA) signs "this SHA-256 existed at this time". The request
and the reply's message imprint are plain DER, built and read here with the standard
library (so sealing and the quick check need no `openssl`); checking the TSA's
signature and certificate chain is left to `openssl ts -verify`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TIMEOUT_S = 30.0
MAX_REPLY = 1 << 20

_SHA256_OID = "2.16.840.1.101.3.4.2.1"
HASH_OIDS = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_TST_INFO = "1.2.840.113549.1.9.16.1.4"
STATUS_TEXT = {
    0: "granted",
    1: "granted with modifications",
    2: "rejected",
    3: "waiting",
    4: "revocation warning",
    5: "revocation notification",
}


class TimestampError(Exception):
    """A trusted timestamp could not be obtained, or its reply cannot be used."""


@dataclass(frozen=True)
class TimestampInfo:
    """What a time-stamp reply says, read without checking its signature."""

    status: int
    status_text: str
    hash_algorithm: str | None = None
    """`sha256`, ... or the raw OID when unknown; None when there is no token."""
    imprint: bytes | None = None
    """The hash of the document that was stamped."""
    time: datetime | None = None
    """When the TSA says it saw the hash (UTC)."""
    serial: int | None = None
    policy: str | None = None

    @property
    def granted(self) -> bool:
        """Whether the TSA granted the request and the reply carries a token."""
        return self.status in (0, 1) and self.imprint is not None


# --- DER, just enough of it -------------------------------------------------------------


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start, end) of the value of the DER element at `pos`."""
    if pos + 2 > end:
        raise ValueError("truncated element")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("high tag numbers are not used here")
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80 or first > 0x84:
        raise ValueError("unsupported length")
    else:
        count = first & 0x7F
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise ValueError("element longer than its container")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The elements inside a constructed value."""
    items = []
    while start < end:
        item = _tlv(data, start, end)
        items.append(item)
        start = item[2]
    return items


def _oid(value: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER value."""
    parts = [min(value[0] // 40, 2), value[0] - 40 * min(value[0] // 40, 2)]
    number = 0
    for byte in value[1:]:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(number)
            number = 0
    return ".".join(str(p) for p in parts)


def _der(tag: int, value: bytes) -> bytes:
    """One DER element."""
    if len(value) < 0x80:
        return bytes([tag, len(value)]) + value
    size = len(value).to_bytes((len(value).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + value


def _expect(item: tuple[int, int, int], tag: int, what: str) -> tuple[int, int, int]:
    if item[0] != tag:
        raise ValueError(f"{what}: unexpected tag 0x{item[0]:02x}")
    return item


def build_query(data: bytes) -> bytes:
    """A DER TimeStampReq for the SHA-256 of `data`, asking for the TSA's certificate, no nonce.

    Byte for byte what `openssl ts -query -sha256 -cert -no_nonce` writes.
    """
    sha256_oid = bytes.fromhex("608648016503040201")
    algorithm = _der(0x30, _der(0x06, sha256_oid) + b"\x05\x00")
    imprint = _der(0x30, algorithm + _der(0x04, hashlib.sha256(data).digest()))
    return _der(0x30, b"\x02\x01\x01" + imprint + b"\x01\x01\xff")


def read_timestamp(reply: bytes) -> TimestampInfo:
    """Read a DER TimeStampResp (a `.tsr` file); raise TimestampError if it is not one."""
    try:
        return _read_reply(reply)
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise TimestampError(f"not a readable RFC 3161 time-stamp reply ({exc})") from None


def _read_reply(der: bytes) -> TimestampInfo:
    _, start, end = _expect(_tlv(der, 0, len(der)), 0x30, "TimeStampResp")
    parts = _children(der, start, end)
    status_info = _children(der, *_expect(parts[0], 0x30, "PKIStatusInfo")[1:])
    status = int.from_bytes(der[status_info[0][1] : status_info[0][2]], "big")
    text = STATUS_TEXT.get(status, f"status {status}")
    if len(status_info) > 1 and status_info[1][0] == 0x30:
        said = [der[s:e].decode("utf-8") for _, s, e in _children(der, *status_info[1][1:])]
        text = f"{text}: {'; '.join(said)}" if said else text
    if len(parts) < 2:
        return TimestampInfo(status=status, status_text=text)
    content_info = _children(der, *_expect(parts[1], 0x30, "ContentInfo")[1:])
    if _oid(der[content_info[0][1] : content_info[0][2]]) != _SIGNED_DATA:
        raise ValueError("the token is not CMS SignedData")
    explicit = _children(der, *_expect(content_info[1], 0xA0, "content")[1:])
    signed = _children(der, *_expect(explicit[0], 0x30, "SignedData")[1:])
    encap = _children(der, *_expect(signed[2], 0x30, "EncapsulatedContentInfo")[1:])
    if _oid(der[encap[0][1] : encap[0][2]]) != _TST_INFO:
        raise ValueError("the token does not hold a TSTInfo")
    octets = _children(der, *_expect(encap[1], 0xA0, "eContent")[1:])
    _, t_start, t_end = _expect(octets[0], 0x04, "eContent")
    tst = _children(der, *_expect(_tlv(der, t_start, t_end), 0x30, "TSTInfo")[1:])
    policy = _oid(der[tst[1][1] : tst[1][2]])
    imprint = _children(der, *_expect(tst[2], 0x30, "MessageImprint")[1:])
    algorithm = _children(der, *_expect(imprint[0], 0x30, "AlgorithmIdentifier")[1:])
    oid = _oid(der[algorithm[0][1] : algorithm[0][2]])
    hashed = der[_expect(imprint[1], 0x04, "hashedMessage")[1] : imprint[1][2]]
    serial = int.from_bytes(der[tst[3][1] : tst[3][2]], "big", signed=True)
    gen = der[_expect(tst[4], 0x18, "genTime")[1] : tst[4][2]].decode("ascii")
    return TimestampInfo(
        status=status,
        status_text=text,
        hash_algorithm=HASH_OIDS.get(oid, oid),
        imprint=hashed,
        time=_generalized_time(gen),
        serial=serial,
        policy=policy,
    )


def _generalized_time(text: str) -> datetime:
    """`20261129063041Z` or `20261129063041.123Z` as an aware UTC datetime."""
    if not text.endswith("Z"):
        raise ValueError(f"genTime {text!r} is not in UTC")
    whole, _, fraction = text[:-1].partition(".")
    moment = datetime.strptime(whole, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    if fraction:
        moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return moment


# --- asking and checking ----------------------------------------------------------------


def imprint_problems(info: TimestampInfo, data: bytes) -> list[str]:
    """Why the reply does not stamp `data` (empty when it does)."""
    if not info.granted:
        return [f"the timestamp authority did not grant the timestamp ({info.status_text})"]
    algorithm = info.hash_algorithm or ""
    if algorithm not in HASH_OIDS.values():
        return [f"the timestamp uses an unknown hash algorithm ({algorithm})"]
    expected = hashlib.new(algorithm, data).hexdigest()
    stamped = info.imprint.hex() if info.imprint is not None else ""
    if stamped != expected:
        return [
            f"the timestamp is for another document: it stamps {algorithm} {stamped}, "
            f"but manifest.json has {expected}"
        ]
    return []


def request_timestamp(url: str, data: bytes, *, timeout: float = TIMEOUT_S) -> bytes:
    """Ask the TSA at `url` to stamp the SHA-256 of `data`; the checked DER reply."""
    if not url.startswith(("http://", "https://")):
        raise TimestampError(f"the timestamp server address must start with https:// ({url})")
    import urllib.error  # only a run with --tsa needs HTTP
    import urllib.request

    request = urllib.request.Request(
        url,
        data=build_query(data),
        method="POST",
        headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
            "User-Agent": "optout",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply: bytes = response.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(
            f"the timestamp server {url} answered HTTP {exc.code} {exc.reason}"
        ) from None
    except urllib.error.URLError as exc:
        raise TimestampError(f"cannot reach the timestamp server {url}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise TimestampError(f"cannot reach the timestamp server {url}: {exc}") from None
    if len(reply) > MAX_REPLY:
        raise TimestampError(f"the timestamp server {url} sent more than {MAX_REPLY} bytes")
    try:
        info = read_timestamp(reply)
    except TimestampError as exc:
        raise TimestampError(f"the timestamp server {url} sent {exc}") from None
    problems = imprint_problems(info, data)
    if problems:
        raise TimestampError(f"{url}: {problems[0]}")
    return reply


def check_timestamp(reply: bytes, data: bytes, *, tsa_ca: Path | None = None) -> list[str]:
    """Why `reply` is not a good timestamp of `data` (empty when it is).

    Without `tsa_ca`, only that the reply is granted and stamps this very data; with it,
    also the TSA's signature and certificate chain (`openssl ts -verify`), judged at the
    time of the stamp so that a TSA certificate that expired since still counts.
    """
    try:
        info = read_timestamp(reply)
    except TimestampError as exc:
        return [f"manifest.json.tsr is {exc}"]
    problems = imprint_problems(info, data)
    if problems or tsa_ca is None:
        return problems
    openssl = shutil.which("openssl")
    if openssl is None:
        return ["cannot check the timestamp's signature: the openssl command is not installed"]
    if not tsa_ca.is_file():
        return [f"cannot check the timestamp's signature: no CA file {tsa_ca}"]
    with tempfile.TemporaryDirectory(prefix="optout-ts-") as tmp:
        reply_file, data_file = Path(tmp, "reply.tsr"), Path(tmp, "manifest.json")
        reply_file.write_bytes(reply)
        data_file.write_bytes(data)
        command = [openssl, "ts", "-verify", "-in", str(reply_file), "-data", str(data_file)]
        command += ["-CAfile", str(tsa_ca)]
        if info.time is not None:
            command += ["-attime", str(int(info.time.timestamp()))]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode == 0 and "Verification: OK" in done.stdout:
        return []
    why = _openssl_reason(done.stderr) or f"openssl exited {done.returncode}"
    return [f"the timestamp's signature does not check out against {tsa_ca.name}: {why}"]


def _openssl_reason(stderr: str) -> str | None:
    """`certificate verify error (unable to get local issuer certificate)` from openssl's errors."""
    for line in stderr.splitlines():
        parts = line.split(":")
        if len(parts) >= 6 and parts[1] == "error":
            data = ":".join(parts[8:]).strip().removeprefix("Verify error:")
            return f"{parts[5]} ({data})" if data else parts[5]
    return None
