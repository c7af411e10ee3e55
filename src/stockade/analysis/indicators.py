"""Indicators shared by every analyser: endpoints that receive stolen data, paths that hold
secrets, mining pools, and text measures (entropy, invisible characters).

These are data, kept in one place so that the Python and JavaScript analysers agree. They come
from public incident reports on malicious PyPI and npm packages (webhook and paste-site
exfiltration, tunnelling services, credential paths targeted by stealers).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

EXFIL_HOST_SUFFIXES: dict[str, str] = {
    "discord.com": "Discord webhook",
    "discordapp.com": "Discord webhook",
    "api.telegram.org": "Telegram bot API",
    "hooks.slack.com": "Slack webhook",
    "webhook.site": "webhook.site request bin",
    "pipedream.net": "Pipedream request bin",
    "requestbin.net": "RequestBin",
    "requestcatcher.com": "request catcher",
    "beeceptor.com": "Beeceptor request bin",
    "interact.sh": "interactsh out-of-band server",
    "oast.fun": "interactsh out-of-band server",
    "oast.me": "interactsh out-of-band server",
    "oast.pro": "interactsh out-of-band server",
    "oast.live": "interactsh out-of-band server",
    "oast.site": "interactsh out-of-band server",
    "oast.online": "interactsh out-of-band server",
    "burpcollaborator.net": "Burp Collaborator",
    "canarytokens.com": "canary token",
    "dnslog.cn": "DNS logging service",
    "ceye.io": "DNS logging service",
    "pastebin.com": "paste site",
    "paste.ee": "paste site",
    "hastebin.com": "paste site",
    "ghostbin.com": "paste site",
    "rentry.co": "paste site",
    "transfer.sh": "file-drop service",
    "anonfiles.com": "file-drop service",
    "gofile.io": "file-drop service",
    "file.io": "file-drop service",
    "filebin.net": "file-drop service",
    "ngrok.io": "ngrok tunnel",
    "ngrok-free.app": "ngrok tunnel",
    "ngrok.app": "ngrok tunnel",
    "trycloudflare.com": "Cloudflare quick tunnel",
    "serveo.net": "serveo tunnel",
    "localtunnel.me": "localtunnel",
    "loca.lt": "localtunnel",
    "portmap.io": "portmap tunnel",
    "pagekite.me": "PageKite tunnel",
    "herokuapp.com": "free app host",
    "glitch.me": "free app host",
    "repl.co": "free app host",
}
"""Hosts (and their subdomains) that commonly receive exfiltrated data."""

SHORTENER_HOSTS = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "is.gd",
        "goo.gl",
        "cutt.ly",
        "rb.gy",
        "shorturl.at",
        "ow.ly",
        "tiny.cc",
        "v.gd",
        "rebrand.ly",
        "bl.ink",
        "t.ly",
        "shorturl.gg",
    }
)
"""URL shorteners, used to hide where a download comes from."""

SUSPICIOUS_TLDS = frozenset(
    {
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "xyz",
        "top",
        "zip",
        "mov",
        "ru",
        "su",
        "click",
        "work",
        "rest",
        "cyou",
        "icu",
        "buzz",
        "monster",
        "onion",
    }
)
"""Top-level domains over-represented in malware infrastructure."""

MINING_MARKERS = (
    "stratum+tcp://",
    "stratum+ssl://",
    "xmrig",
    "nicehash",
    "minexmr",
    "supportxmr",
    "nanopool.org",
    "2miners.com",
    "f2pool.com",
    "moneroocean",
    "cryptonight",
    "randomx",
    "coinhive",
)
"""Strings found in crypto-miners and their pool configuration."""

CREDENTIAL_PATHS: dict[str, str] = {
    ".ssh/id_rsa": "SSH private key",
    ".ssh/id_ed25519": "SSH private key",
    ".ssh/id_ecdsa": "SSH private key",
    ".ssh/id_dsa": "SSH private key",
    ".ssh": "SSH keys folder",
    ".aws/credentials": "AWS credentials",
    ".aws/config": "AWS configuration",
    ".azure": "Azure credentials",
    ".config/gcloud": "Google Cloud credentials",
    ".kube/config": "Kubernetes credentials",
    ".docker/config.json": "Docker registry credentials",
    ".npmrc": "npm token",
    ".pypirc": "PyPI token",
    ".netrc": "netrc passwords",
    ".git-credentials": "git credentials",
    ".gitconfig": "git configuration",
    ".bash_history": "shell history",
    ".zsh_history": "shell history",
    "/etc/passwd": "system accounts",
    "/etc/shadow": "system password hashes",
    "Login Data": "browser saved passwords",
    "Local State": "browser encryption key",
    "Cookies": "browser cookies",
    "Web Data": "browser autofill and cards",
    "Google/Chrome/User Data": "Chrome profile",
    "Chromium/User Data": "Chromium profile",
    "BraveSoftware": "Brave profile",
    "Microsoft/Edge/User Data": "Edge profile",
    "Mozilla/Firefox/Profiles": "Firefox profile",
    "key4.db": "Firefox key store",
    "logins.json": "Firefox saved passwords",
    "Exodus/exodus.wallet": "Exodus wallet",
    "Electrum/wallets": "Electrum wallet",
    "Ethereum/keystore": "Ethereum keystore",
    "wallet.dat": "cryptocurrency wallet",
    "discord/Local Storage/leveldb": "Discord token store",
    "Local Storage/leveldb": "Electron/Discord token store",
    "Telegram Desktop/tdata": "Telegram session",
    "keychain": "macOS keychain",
    "login.keychain": "macOS keychain",
    "Keychains": "macOS keychains",
    "gnome-keyring": "GNOME keyring",
    "kwallet": "KDE wallet",
    ".gnupg": "GPG keys",
    "id_rsa": "SSH private key",
    "MetaMask": "MetaMask wallet extension",
    "nkbihfbeogaeaoehlefnkodbefgpgknn": "MetaMask wallet extension",
}
"""Path fragments of files that hold secrets, with what they hold."""

SECRET_ENV_NAMES = re.compile(
    r"(?i)^(?:AWS_(?:SECRET_ACCESS_KEY|ACCESS_KEY_ID|SESSION_TOKEN)|GITHUB_TOKEN|GH_TOKEN|"
    r"NPM_TOKEN|NODE_AUTH_TOKEN|PYPI_TOKEN|TWINE_PASSWORD|.*(?:SECRET|TOKEN|PASSWORD|PASSWD|"
    r"API_?KEY|PRIVATE_KEY|CREDENTIALS?))$"
)
"""Environment variable names that hold secrets."""

PUBLIC_RESOLVERS = frozenset(
    {
        "8.8.8.8",
        "8.8.4.4",
        "1.1.1.1",
        "1.0.0.1",
        "9.9.9.9",
        "149.112.112.112",
        "208.67.222.222",
        "208.67.220.220",
        "4.2.2.2",
        "64.6.64.6",
    }
)
"""Public DNS resolvers: code connects to them to learn its own address, not to send data."""

_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?(?![\d.])")
_URL = re.compile(r"""(?i)\b(?:https?|wss?|ftp|tcp|stratum\+tcp)://[^\s'"<>`)\]}]+""")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Why a URL or host looks like a place stolen data goes."""

    value: str
    """The URL or host as found."""
    reason: str
    """What it is (``Discord webhook``, ``raw IP address``, ``URL shortener`` ...)."""
    strong: bool
    """True for endpoints that are rarely legitimate in a package (webhooks, request bins,
    tunnels, paste sites, raw public IPs); False for weaker signals (shorteners, odd TLDs)."""


def find_urls(text: str) -> list[str]:
    """Every URL in ``text``."""
    return [m.group(0).rstrip(".,;") for m in _URL.finditer(text)]


def classify_host(host: str) -> Endpoint | None:
    """Why ``host`` is a suspicious destination, or ``None``."""
    host = host.lower().strip(".")
    if not host:
        return None
    for suffix, reason in EXFIL_HOST_SUFFIXES.items():
        if host == suffix or host.endswith("." + suffix):
            if suffix in ("discord.com", "discordapp.com"):
                return None  # only webhooks count; classify_url checks the path
            return Endpoint(host, reason, strong=True)
    if host in SHORTENER_HOSTS:
        return Endpoint(host, "URL shortener", strong=False)
    ip = _public_ip(host)
    if ip is not None:
        return Endpoint(host, "raw IP address", strong=True)
    tld = host.rsplit(".", 1)[-1]
    if tld in SUSPICIOUS_TLDS and "." in host:
        return Endpoint(host, f"domain under .{tld}", strong=False)
    return None


def classify_url(url: str) -> Endpoint | None:
    """Why ``url`` is a suspicious destination, or ``None``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    lowered = host.lower()
    if lowered in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"):
        if "/api/webhooks/" in parts.path:
            return Endpoint(url, "Discord webhook", strong=True)
        return None
    if lowered == "api.telegram.org" and "/bot" in parts.path:
        return Endpoint(url, "Telegram bot API", strong=True)
    found = classify_host(lowered)
    return Endpoint(url, found.reason, found.strong) if found else None


def find_public_ips(text: str) -> list[str]:
    """Public IPv4 addresses (with port, if written) in ``text``; private, loopback, reserved
    and version-like strings are left out."""
    found = []
    for match in _IPV4.finditer(text):
        if _public_ip(match.group(1)) is not None:
            found.append(match.group(0))
    return found


def _public_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if ip.is_private or ip.is_loopback or ip.is_reserved or ip.is_multicast:
        return None
    if ip.is_unspecified or ip.is_link_local:
        return None
    if isinstance(ip, ipaddress.IPv4Address) and int(str(ip).split(".")[0]) == 0:
        return None
    return ip


def credential_target(text: str) -> str | None:
    """What secret a path or string points at (``SSH private key`` ...), or ``None``."""
    for fragment, what in CREDENTIAL_PATHS.items():
        if fragment in text:
            return what
    return None


def shannon_entropy(data: str | bytes) -> float:
    """Bits per symbol of ``data`` (0 for empty)."""
    if not data:
        return 0.0
    counts = Counter(data)
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def looks_encoded(value: str, *, min_length: int = 200) -> str | None:
    """``base64``, ``hex`` or ``None``: whether a long string literal looks like an encoded
    payload rather than text."""
    if len(value) < min_length:
        return None
    compact = re.sub(r"\s+", "", value)
    if re.fullmatch(r"[0-9a-fA-F]+", compact) and len(compact) % 2 == 0:
        return "hex"
    if re.fullmatch(r"[A-Za-z0-9+/=_-]+", compact) and shannon_entropy(compact) > 4.5:
        return "base64"
    return None


INVISIBLE_CHARS: dict[str, str] = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u2060": "WORD JOINER",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\u3164": "HANGUL FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER",
    "\u115f": "HANGUL CHOSEONG FILLER",
    "\u1160": "HANGUL JUNGSEONG FILLER",
}
"""Characters that change how code reads without being seen."""

BIDI_CHARS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The bidirectional controls of Trojan Source (CVE-2021-42574)."""
