"""Checks on the raw text of a JavaScript file: obfuscator and packer marks, one-line files,
encoded blobs, mining strings, embedded exfiltration endpoints, and the facts the code
detectors combine with (wallet address patterns, country checks)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

from tree_sitter import Node

from stockade.analysis import indicators
from stockade.analysis.javascript.emit import Emitter
from stockade.analysis.model import Confidence, Phase

LONG_LINE = 4000
"""A line at least this long makes a file "one huge line"."""

_LONG_LINE = re.compile(rb"(?m)^[^\n]{%d}" % LONG_LINE)
_OBFUSCATOR_ID = re.compile(rb"\b_0x[0-9a-f]{4,6}\b")
_ROTATE = re.compile(
    rb"""(?:\[['"]push['"]\]|\.push)\(\s*_0x\w+(?:\[['"]shift['"]\]|\.shift)\(\)"""
)
_LETTER_ESCAPE = re.compile(rb"\\x(?:4[1-9a-fA-F]|5[0-9aA]|6[1-9a-fA-F]|7[0-9aA])")
_PACKER = re.compile(
    rb"eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[rd]\s*\)"
)
_JSFUCK = re.compile(rb"[\[\]()!+]{150,}")
_BLOB = re.compile(rb"""['"`]([A-Za-z0-9+/_-]{200,}+={0,2})['"`]""")
_URL = re.compile(rb"""(?i)\b(?:https?|wss?)://[^\s'"<>`)\]}\\]+""")
_WALLET = re.compile(
    rb"0x\[a-fA-F0-9\]\{40\}|0x\[0-9a-fA-F\]\{40\}|0x\[a-f0-9\]\{40\}|"
    rb"\bbc1q[02-9ac-hj-np-z]{38,58}\b|\b0x[a-fA-F0-9]{40}\b|\[13\]\[a-km-zA-HJ-NP-Z1-9\]|"
    rb"\(bc1\||\bT[1-9A-HJ-NP-Za-km-z]{33}\b"
)
_GEO_SERVICE = re.compile(
    rb"ipgeolocation|ip-api\.com|ipapi\.co|ipinfo\.io|freegeoip|geoip-lite|country_?code"
)
_TARGET_COUNTRY = re.compile(rb"""['"](?:RU|BY|ru|by|[Rr]ussia|[Bb]elarus)['"]""")
_BUNDLED = re.compile(
    r"(?:^|/)(?:dist|build|bundles?|umd|min|vendor|cjs|esm|browser)/|"
    r"[.-](?:min|bundle|prod|production|umd)\.[cm]?js$"
)
_SINK_TOKENS = (
    b"child_process",
    b"eval",
    b"Function",
    b"_compile",
    b"runIn",
    b"process.binding",
    b"_linkedBinding",
    b"fetch",
    b"XMLHttpRequest",
    b"WebSocket",
    b"sendBeacon",
    b"$.ajax",
    b"$.post",
    b"$.getScript",
    b"jQuery.ajax",
    b"atob",
    b"fromCharCode",
    b"_0x",
    b"clipboard",
    b"Buffer.from",
    b"new Buffer",
)
_ENV_WHOLE = re.compile(rb"process\.env\b(?!\s*(?:\.|\[|\?\.))")
_DYNAMIC_REQUIRE = re.compile(
    rb"\brequire\s*(?:\(\s*[^'\"`\s)]|[,;)\]}])|\bimport\s*\(\s*[^'\"`\s]"
)
_MODULE_NAME = re.compile(rb"""(?:\brequire\s*\(|\bfrom|\bimport)\s*['"]([\w@./:-]+)['"]""")
_SINK_MODULES = frozenset(
    {
        b"child_process",
        b"http",
        b"https",
        b"http2",
        b"net",
        b"dns",
        b"dns/promises",
        b"tls",
        b"dgram",
        b"fs",
        b"fs/promises",
        b"fs-extra",
        b"graceful-fs",
        b"original-fs",
        b"vm",
        b"module",
        b"axios",
        b"node-fetch",
        b"request",
        b"got",
        b"needle",
        b"superagent",
        b"undici",
        b"ws",
        b"execa",
        b"cross-spawn",
        b"shelljs",
        b"rimraf",
        b"clipboardy",
        b"electron",
        b"copy-paste",
        b"ncp",
    }
)
_STRING_NODES = frozenset({"string_fragment", "string", "template_string", "escape_sequence"})
_CONCRETE_ENDPOINTS = frozenset(
    {
        "Slack webhook",
        "webhook.site request bin",
        "Pipedream request bin",
        "RequestBin",
        "request catcher",
        "Beeceptor request bin",
        "interactsh out-of-band server",
        "Burp Collaborator",
        "canary token",
        "DNS logging service",
    }
)
_STRONG_MINING = tuple(m for m in indicators.MINING_MARKERS if m not in ("randomx", "cryptonight"))


class TextFacts:
    """What the text says that code detectors combine with (computed when asked)."""

    def __init__(self, source: bytes, obfuscated: bool = False) -> None:
        self.source = source
        self.obfuscated = obfuscated
        """The file carries obfuscator or packer marks."""

    @cached_property
    def wallet(self) -> bool:
        """It matches or holds crypto-currency wallet addresses."""
        return bool(_WALLET.search(self.source))

    @cached_property
    def geo(self) -> bool:
        """It looks up the machine's country and compares it with targeted countries."""
        lowered = self.source.lower()
        return bool(_GEO_SERVICE.search(lowered) and _TARGET_COUNTRY.search(self.source))


def needs_code_analysis(source: bytes) -> bool:
    """Whether a file may call anything the code detectors look at (a cheap test on the text
    that spares parsing files that cannot)."""
    if any(token in source for token in _SINK_TOKENS):
        return True
    if _ENV_WHOLE.search(source) or _DYNAMIC_REQUIRE.search(source):
        return True
    return any(
        m.group(1).removeprefix(b"node:") in _SINK_MODULES for m in _MODULE_NAME.finditer(source)
    )


def is_bundled(relpath: str) -> bool:
    """Whether a path is a usual home of built, bundled or minified code."""
    return bool(_BUNDLED.search(relpath))


def scan_text(
    source: bytes,
    relpath: str,
    emit: Emitter,
    phase: Phase,
    root: Callable[[], Node],
) -> TextFacts:
    """Report the text-level rules for one file and return its :class:`TextFacts`; ``root``
    gives the syntax tree (parsed on demand) to tell strings from comments. One-line files are
    reported where code is reviewed and run: install and load-time files, and the package's top
    folder, outside build folders."""
    obfuscated = _obfuscation(source, emit, phase)
    if _packed(source, emit, phase):
        obfuscated = True
    if not is_bundled(relpath) and (phase is not Phase.RUNTIME or "/" not in relpath):
        _long_lines(source, emit, phase)
    _blob(source, emit, phase)
    _mining(source, emit, phase, root)
    _endpoints(source, emit, phase, root)
    return TextFacts(source, obfuscated)


def _obfuscation(source: bytes, emit: Emitter, phase: Phase) -> bool:
    ids = _OBFUSCATOR_ID.findall(source) if b"_0x" in source else []
    if len(ids) >= 10 and len(set(ids)) >= 3:
        first = _OBFUSCATOR_ID.search(source)
        rotate = " and a rotated string array" if _ROTATE.search(source) else ""
        emit.emit(
            "js-obfuscator",
            f"javascript-obfuscator output: {len(ids)} _0x identifiers{rotate}.",
            first.start() if first else 0,
            phase,
        )
        return True
    escapes = _LETTER_ESCAPE.findall(source) if b"\\x" in source else []
    if len(escapes) >= 60:
        first = _LETTER_ESCAPE.search(source)
        emit.emit(
            "js-obfuscator",
            f"{len(escapes)} plain letters are written as \\x escapes, hiding names and "
            "strings from review.",
            first.start() if first else 0,
            phase,
        )
        return True
    return False


def _packed(source: bytes, emit: Emitter, phase: Phase) -> bool:
    packer = _PACKER.search(source)
    if packer:
        emit.emit(
            "js-packed",
            "Code is packed with the eval(function(p,a,c,k,e,d)) packer, which unpacks and "
            "runs hidden code.",
            packer.start(),
            phase,
        )
        return True
    jsfuck = _JSFUCK.search(source) if b"+[]" in source and b"![]" in source else None
    if jsfuck:
        emit.emit(
            "js-packed",
            "JSFuck-style code ([]+!() only) that builds and runs hidden code.",
            jsfuck.start(),
            phase,
        )
        return True
    return False


def _long_lines(source: bytes, emit: Emitter, phase: Phase) -> None:
    if len(source) < LONG_LINE:
        return
    match = _LONG_LINE.search(source)
    if match is None:
        return
    start = match.start()
    end = source.find(b"\n", start)
    end = len(source) if end < 0 else end
    emit.emit(
        "js-minified",
        f"A {end - start}-character line outside the usual build folders hides code from review.",
        start,
        phase,
        snippet=source[start : start + 150].decode("utf-8", "replace"),
    )


def _blob(source: bytes, emit: Emitter, phase: Phase) -> None:
    for match in _BLOB.finditer(source):
        value = match.group(1).decode("ascii")
        kind = indicators.looks_encoded(value[:4096])
        if kind:
            emit.emit(
                "js-encoded-blob",
                f"A {len(value)}-character {kind} string literal may be an encoded payload.",
                match.start(),
                phase,
            )
            return


def _in_string(root: Callable[[], Node], start: int, end: int) -> bool:
    node = root().descendant_for_byte_range(start, end)
    return node is not None and node.type in _STRING_NODES


def _mining(source: bytes, emit: Emitter, phase: Phase, root: Callable[[], Node]) -> None:
    lowered = source.lower()
    for marker in _STRONG_MINING:
        offset = lowered.find(marker.encode())
        while offset >= 0:
            if _in_string(root, offset, offset + len(marker)):
                emit.emit(
                    "js-miner",
                    f"A string names crypto-mining software or a mining pool ({marker}).",
                    offset,
                    phase,
                )
                return
            offset = lowered.find(marker.encode(), offset + 1)


def _endpoints(source: bytes, emit: Emitter, phase: Phase, root: Callable[[], Node]) -> None:
    for match in _URL.finditer(source):
        url = match.group(0).decode("utf-8", "replace").rstrip(".,;")
        found = indicators.classify_url(url)
        if found is None or not found.strong or not _concrete(url, found.reason):
            continue
        if not _in_string(root, match.start(), match.end()):
            continue
        emit.emit(
            "js-exfil-endpoint",
            f"The code embeds the address of a {found.reason} ({url}), a common receiver of "
            "stolen data.",
            match.start(),
            phase,
            confidence=Confidence.MEDIUM,
        )


def _concrete(url: str, reason: str) -> bool:
    """Whether a URL is a concrete, working endpoint (a webhook with its id and token, a
    request bin's own subdomain) rather than a documentation placeholder or an API base."""
    if reason == "Discord webhook":
        return bool(re.search(r"/api/webhooks/\d+/[\w-]+", url))
    if reason == "Telegram bot API":
        return bool(re.search(r"/bot\d+:[\w-]+", url))
    if reason == "Slack webhook":
        return bool(re.search(r"/services/\w+/\w+/\w+", url))
    if reason in _CONCRETE_ENDPOINTS:
        host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0]
        return host.count(".") >= 2 or len(url.split("/", 3)[-1]) > 6
    return False
