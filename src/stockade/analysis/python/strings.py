"""What a string literal says: endpoints, secret paths, autostart paths, miners, wallets.

The data comes from :mod:`stockade.analysis.indicators` where it is shared with the other
analysers; the few lists here (autostart locations, wallet address patterns) are specific to
how code uses them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from stockade.analysis import indicators

_SEP_BEFORE = r"(?:^|(?<=[/\\~\s'\"=:]))"
_SEP_AFTER = r"(?=$|[/\\\s'\"*.-])"


def _fragment_regex(fragments: list[str]) -> re.Pattern[str]:
    ordered = sorted(fragments, key=len, reverse=True)
    alternatives = "|".join(re.escape(f) for f in ordered)
    return re.compile(f"{_SEP_BEFORE}({alternatives}){_SEP_AFTER}", re.IGNORECASE)


_CREDENTIALS = {k.lower(): v for k, v in indicators.CREDENTIAL_PATHS.items()}
_CREDENTIAL_RE = _fragment_regex(list(indicators.CREDENTIAL_PATHS))

PERSISTENCE_PATHS: dict[str, str] = {
    "Start Menu/Programs/Startup": "the Windows Startup folder",
    "shell:startup": "the Windows Startup folder",
    "CurrentVersion/Run": "a Windows Run registry key",
    "CurrentVersion/RunOnce": "a Windows RunOnce registry key",
    "CurrentVersion/Policies/Explorer/Run": "a Windows Run registry key",
    "Winlogon": "the Windows Winlogon registry key",
    "Library/LaunchAgents": "a macOS LaunchAgent",
    "Library/LaunchDaemons": "a macOS LaunchDaemon",
    ".config/systemd/user": "a systemd user unit",
    "/etc/systemd/system": "a systemd system unit",
    ".config/autostart": "an XDG autostart entry",
    "/etc/xdg/autostart": "an XDG autostart entry",
    "/etc/cron.d": "a cron job",
    "/etc/crontab": "a cron job",
    "/var/spool/cron": "a cron job",
    "/etc/cron.hourly": "a cron job",
    "/etc/cron.daily": "a cron job",
    ".bashrc": "a shell start-up file",
    ".zshrc": "a shell start-up file",
    ".bash_profile": "a shell start-up file",
    ".bash_login": "a shell start-up file",
    ".profile": "a shell start-up file",
    ".zprofile": "a shell start-up file",
    "/etc/profile": "a shell start-up file",
    "/etc/profile.d": "a shell start-up file",
    "/etc/rc.local": "the rc.local boot script",
    "/etc/init.d": "an init script",
}
"""Path fragments of autostart locations, with what they are."""

_PERSISTENCE = {k.lower(): v for k, v in PERSISTENCE_PATHS.items()}
_PERSISTENCE_RE = _fragment_regex(list(PERSISTENCE_PATHS))

_TEMP_RE = re.compile(
    r"(?i)(?:^|[/\\])(?:tmp|temp|var/tmp|dev/shm)(?:$|[/\\])|%temp%|%tmp%|%appdata%|\$env:temp|"
    r"appdata[/\\](?:local|roaming)"
)

WELL_KNOWN_IPS = indicators.PUBLIC_RESOLVERS
"""Public DNS resolvers (from :mod:`stockade.analysis.indicators`)."""

_IP_LITERAL = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?\s*$")
_HOST_LITERAL = re.compile(r"^(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}$", re.IGNORECASE)
_URL_TEMPLATE = re.compile(r"[{}<>]|%s|%\(|\$\{|example\.(?:com|org|net)", re.IGNORECASE)
_DISCORD_HOOK = re.compile(r"/api/webhooks/[^/\s]+/[^/\s]+")
_TELEGRAM_BOT = re.compile(r"/bot\d+:[\w-]+")
_SLACK_HOOK = re.compile(r"/services/[^/\s]+/[^/\s]+/[^/\s]+")
_HOOK_SHAPES = {
    "Discord webhook": _DISCORD_HOOK,
    "Telegram bot API": _TELEGRAM_BOT,
    "Slack webhook": _SLACK_HOOK,
}

_MINER_RE = re.compile(
    "|".join(
        (r"\b" if m[0].isalnum() else "") + re.escape(m) + (r"\b" if m[-1].isalnum() else "")
        for m in indicators.MINING_MARKERS
    ),
    re.IGNORECASE,
)

_WALLET_REGEX_HINT = re.compile(
    r"0x\[(?:a-fA-F0-9|0-9a-fA-F|a-f0-9|0-9a-f|A-Fa-f0-9)\]|bc1|\[13\]|\[LM3\]|T\[A-Za-z1-9\]|"
    r"\^4\[0-9AB\]"
)
_WALLET_LITERAL = re.compile(
    r"^(?:bc1[a-z0-9]{38,58}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[a-fA-F0-9]{40}|"
    r"T[1-9A-HJ-NP-Za-km-z]{33}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})$"
)


CONTEXTUAL = frozenset(
    {"raw IP address", "raw IP address and port", "paste site", "file-drop service"}
    | {"free app host"}
)
"""Endpoint kinds that scrapers and download tools name legitimately: a threat only when code
that runs by itself names them or when they are passed to a network call."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A destination named in a string."""

    value: str
    reason: str
    strong: bool


def credential_in(text: str) -> str | None:
    """What secret a path-shaped string points at (``SSH private key`` ...), or ``None``."""
    if len(text) > 4096:
        return None
    match = _CREDENTIAL_RE.search(text.replace("\\", "/"))
    if match is None:
        return None
    found = match.group(1)
    if found.lower() in ("id_rsa", ".ssh/id_rsa") and text.endswith(".pub"):
        return None
    return _CREDENTIALS.get(found.lower())


def persistence_in(text: str) -> str | None:
    """Which autostart location a string names, or ``None``."""
    if len(text) > 4096:
        return None
    match = _PERSISTENCE_RE.search(text.replace("\\\\", "/").replace("\\", "/"))
    return _PERSISTENCE.get(match.group(1).lower()) if match else None


def is_temp_path(text: str) -> bool:
    """Whether a string names a temporary or per-user data folder."""
    return len(text) < 4096 and _TEMP_RE.search(text) is not None


def public_ip(text: str) -> str | None:
    """The address when the whole string is a public IPv4 address (with optional port)."""
    match = _IP_LITERAL.match(text)
    if match is None:
        return None
    address = match.group(1)
    if address in WELL_KNOWN_IPS or not _is_global(address):
        return None
    return match.group(0).strip()


def _is_global(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def endpoints(text: str) -> list[Endpoint]:
    """Suspicious destinations in a string: URLs, ``ip:port`` and bare exfiltration hosts."""
    found: list[Endpoint] = []
    if "://" in text:
        for url in indicators.find_urls(text):
            endpoint = _classify(url)
            if endpoint is not None:
                found.append(endpoint)
    elif len(text) < 256:
        stripped = text.strip().strip(".")
        match = _IP_LITERAL.match(stripped)
        if match and match.group(2) and public_ip(stripped):
            found.append(Endpoint(stripped, "raw IP address and port", strong=True))
        elif _HOST_LITERAL.match(stripped):
            host = indicators.classify_host(stripped)
            if host is not None and host.strong and host.reason != "raw IP address":
                found.append(Endpoint(stripped, host.reason, strong=True))
    return found


def _classify(url: str) -> Endpoint | None:
    template = _URL_TEMPLATE.search(url) is not None
    found = indicators.classify_url(url)
    if found is None:
        return None
    strong = found.strong and not template
    reason = found.reason
    if reason == "raw IP address":
        host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if host in WELL_KNOWN_IPS or not _is_global(host):
            return None
    else:
        shape = _HOOK_SHAPES.get(reason)
        if shape is not None and not shape.search(url):
            strong = False
    return Endpoint(url, reason, strong)


def miner_marker(text: str) -> str | None:
    """The crypto-mining marker a string holds, or ``None``."""
    if len(text) > 100_000:
        text = text[:100_000]
    match = _MINER_RE.search(text)
    return match.group(0) if match else None


def wallet_pattern(text: str) -> bool:
    """Whether a string is a cryptocurrency address or a regular expression matching them."""
    if len(text) > 2048:
        return False
    stripped = text.strip()
    if _WALLET_LITERAL.match(stripped):
        return True
    regex_like = ("[" in stripped and "{" in stripped) or "bc1" in stripped
    return regex_like and _WALLET_REGEX_HINT.search(stripped) is not None


def encoded(value: str | bytes) -> str | None:
    """``base64``, ``hex`` or ``binary`` when a long literal looks like an encoded payload."""
    if isinstance(value, bytes):
        if len(value) < 200:
            return None
        try:
            text = value.decode("ascii")
        except UnicodeDecodeError:
            sample = value[:4096]
            return "binary" if indicators.shannon_entropy(sample) > 6.0 else None
        return indicators.looks_encoded(text)
    if len(value) < 200:
        return None
    return indicators.looks_encoded(value[:200_000])


def is_test_path(relpath: str) -> bool:
    """Whether a file belongs to tests, documentation or examples rather than the package."""
    parts = relpath.lower().split("/")
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in _NON_PACKAGE_DIRS for part in parts[:-1])


_NON_PACKAGE_DIRS = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "samples", "sample"}
    | {"benchmarks", "benchmark", "demo", "demos"}
)
