"""Which Python files of a package are worth a full analysis: triage by tokens.

Every threat rule of the analyser needs some spelling in the source to fire: a call it resolves
(``exec``, ``os.system``, a module such as ``subprocess`` or ``requests`` that must be
imported), a dynamic lookup (``getattr(os, ...)``, ``__import__``, ``globals()[...]``), or a
string it recognises (a webhook host, a credential or autostart path, a mining pool, a raw IP
address). The tokens here are derived from the tables the checks use (:mod:`symbols`,
:mod:`strings`, :mod:`stockade.analysis.indicators`), so a file in which none occurs cannot
yield a threat and need not be parsed. The search is case-insensitive; identifier tokens are
then confirmed where they occur (the exact spelling as a whole word, a module on an import line,
a builtin called rather than a method, a lookup on a module rather than on ``self``).

What it cannot see: names spelled only through aliases of aliases (``o = os; o.system``),
lookups on a module bound to a plain variable, and path or host names assembled from pieces
none of which is telling. Everything the package runs at install or import time by itself
(setup.py, ``__init__.py``, .pth files) is analysed in full whatever triage says.

Some tokens mark a file as *strong*: rare in ordinary code and typical of malware (webhooks,
shell start-up files, registry keys, secret paths next to network calls), or code that runs
something next to something that hides or fetches it; strong files are analysed past the byte
budget while a second budget lasts, and they are the only test or example files analysed at
all. A few mark it *alarming* (obfuscators, packers, reverse shells, miners, keyloggers, request
bins and tunnels, browser secret stores, ``exec`` next to a decoder): those are always analysed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from itertools import product

from stockade.analysis import indicators
from stockade.analysis.python import strings, symbols
from stockade.analysis.triage import Triage

THREAT = 1
"""Mark of a token some threat rule needs: the file must be analysed to be judged."""
STRONG = 2
"""Mark of a token rare in ordinary code and typical of malware."""
RUNS = 4
"""Mark of a token that runs code or processes."""
HIDES = 8
"""Mark of a token that decodes, fetches or rebuilds data."""
ADDRESS = 16
"""Mark of a token that may start a raw IP address literal (confirmed by a pattern)."""
ALARM = 32
"""Mark of a token that ordinary packages almost never hold: obfuscators, stealers, droppers."""
EXECS = 64
"""Mark of a token that runs code given as data (``exec(``, ``eval(``)."""
DECODES = 128
"""Mark of a token that decodes embedded data (``b64decode``, ``unhexlify``, ``decompress``)."""


class Check(IntEnum):
    """How an occurrence of a threat token is confirmed."""

    NONE = 0
    """Any occurrence counts."""
    WORD = 1
    """The exact spelling as a whole identifier."""
    CALL = 2
    """A builtin called, passed or bound (``exec(``, ``= eval``), not a method, a definition
    or a word in a string (``model.eval()``, ``def eval``, ``mode="eval"``)."""
    ATTR = 3
    """A module function: an attribute of something other than ``self`` or ``platform``, a
    name imported on an import line, or a bare call (``os.system``, ``from os import popen``)."""
    IMPORT = 4
    """A module named on an ``import`` or ``from`` line."""
    LOOKUP = 5
    """A dynamic lookup on something that may be a module, or with a key that is not plainly
    harmless (not ``getattr(self, ...)``, not ``globals()["__file__"]``)."""
    PATH = 6
    """A path piece not followed by an identifier character."""


@dataclass(frozen=True, slots=True)
class Token:
    """A threat token and how its occurrences are confirmed."""

    check: Check
    spellings: frozenset[bytes] = frozenset()
    """The exact spellings an identifier check accepts (empty: any case)."""


THREAT_TABLES: tuple[frozenset[str], ...] = (
    symbols.EXEC,
    symbols.UNPICKLERS,
    symbols.PROCESS,
    symbols.NETWORK,
    symbols.CLIPBOARD_READ,
    symbols.CLIPBOARD_WRITE,
    symbols.KEYLOGGER,
    symbols.SCREENSHOT,
    symbols.WINREG_WRITE,
    symbols.IMPORTERS,
    frozenset({"os.dup2", "os.chmod", "crontab.CronTab"}),
)
"""The call tables whose calls can make a threat (directly or as its necessary part)."""

_NAME_MODULES = frozenset(
    {"builtins", "os", "types", "ctypes", "asyncio", "importlib", "pandas", "PIL", "http"}
    | {"win32api", "win32process", "win32clipboard"}
)
"""Modules too common to stand for a call: the call's own name is the token instead."""

_GENERIC = frozenset({"grab", "run", "call"})
"""Call names too common to stand for a call."""

_CALLED = frozenset({b"FunctionType"})
"""Names that matter only when called (``isinstance(f, types.FunctionType)`` does not)."""

_LOOKUPS = (
    "getattr",
    "globals",
    "locals",
    "vars",
    "__dict__",
    "__import__",
    "import_module",
    "builtins",
    "__builtins__",
    "__builtin__",
)
"""Lookups through which a call can be reached without writing its name."""

_METHOD_WORDS = ("clipboard_get", "clipboard_append", "chmod")
"""Method names the checks look for on any object."""
_EXTRA_PLAIN = ("pyarmor", "__armor", "pytransform", "/dev/tcp", "/dev/udp", "://[")
_MODULE_PATHS = {"urllib": ("urllib.request", "urllib import request", "urlopen", "urlretrieve")}
"""Modules whose top name is common for other reasons (``urllib.parse``): the spellings of
the part that matters instead."""

_COMMON_PIECES = frozenset(
    {"config", ".config", "config.json", "credentials", "user", "profiles", "local storage"}
    | {"keystore", "etc", "var", "library", "programs", "start menu", "microsoft", "google"}
    | {"chrome", "chromium", "edge"}
)
"""Path pieces too common to stand for a secret or autostart location on their own."""

_FIRST_SEPARATORS = ("/", "\\", "'", '"', "~", "=", ":", " ", "\t", "\n")
"""What may stand before a path fragment for :mod:`strings` to recognise it."""
_INNER_SEPARATORS = ("/", "\\", "'", '"')
"""What stands before a later piece of a fragment (the same literal, or the next one)."""

_ALARMS = (
    "pyarmor",
    "pytransform",
    "__armor",
    "_0x",
    "/dev/tcp",
    "/dev/udp",
    "stratum+",
    "xmrig",
    "discord.com/api/webhooks",
    "discordapp.com/api/webhooks",
    "getasynckeystate",
    "setwindowshookex",
    "pynput",
    "imagegrab",
    "getattr(__builtins__",
    "mshta",
    "certutil",
    "-windowstyle hidden",
    "-w hidden",
    "-encodedcommand",
    *(sep + piece for piece in ("login data", "local state", "leveldb") for sep in "'\"/\\"),
)
"""Tokens ordinary packages almost never hold: analysed whatever the budget."""

_ALARM_REASONS = frozenset(
    {"Telegram bot API", "webhook.site request bin", "Pipedream request bin", "RequestBin"}
    | {"request catcher", "Beeceptor request bin", "interactsh out-of-band server"}
    | {"Burp Collaborator", "canary token", "DNS logging service", "ngrok tunnel"}
    | {"Cloudflare quick tunnel", "serveo tunnel", "localtunnel", "portmap tunnel"}
    | {"PageKite tunnel"}
)
"""Kinds of exfiltration host whose names are alarms (not paste sites or app hosts, which
download tools name, nor Slack, which chat integrations name)."""

_STRONG = (
    "webhook",
    "dup2",
    "winreg",
    "crontab",
    "launchagents",
    ".bashrc",
    "urlretrieve",
    "powershell",
    "leveldb",
    "discord",
    ".ssh/",
    ".aws/",
)
"""Tokens rare in ordinary code (with the alarms, also the filter for test and example
files)."""

_EXECS = ("exec(", "eval(")
_RUNS = (*_EXECS, "compile(", ".loads(", "os.system", "subprocess", "popen")
_DECODES = (
    "b64decode",
    "b32decode",
    "b16decode",
    "a85decode",
    "b85decode",
    "bytes.fromhex",
    "unhexlify",
    "decompress",
    "rot13",
    "rot_13",
    "marshal.loads",
)
"""Decoders that hide code (run together with exec or eval, an alarm)."""
_HIDES = (*_DECODES, "fromhex", "chr(", "[::-1]", "urlopen", "requests.get", "curl ", "wget ")

_ADDRESS = re.compile(rb"""(?:://|['"][ \t]*)(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])""")
_IDENT = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_HARMLESS_OWNERS = frozenset({b"self", b"cls", b"platform"})
_OWNER = re.compile(rb"\w+$")
_CHAIN = re.compile(rb"([A-Za-z_]\w*)(?:\s*\.\s*\w+)*\s*\.\s*$")
_HEAD = re.compile(rb"[A-Za-z_]\w*")
_KEY = re.compile(rb"""\s*\[\s*(['"])(\w+)\1\s*\]""")
_LOOKUP_CALL = re.compile(
    rb"""\(\s*([^,()]{1,80}(?:\([^()]{0,80}\))?[^,()]{0,40})(?:,\s*(?:(['"])(\w+)\2\s*[,)])?)?"""
)
_ATTRIBUTE = re.compile(rb"\s*\.\s*(\w+)")
_BUILTIN_NAMES = frozenset({b"builtins", b"__builtins__", b"__builtin__"})
_MODULE_CONSTANT = re.compile(rb"""\(\s*(['"])([\w.]+)\1\s*[,)]""")
_USE_AFTER = frozenset(b"()],;:}\n\r")
_CODE_BEFORE = frozenset(b" \t\n\r([{,=:;!&|%*+<>@")
_DEFINITIONS = (b"def", b"async def", b"class")
_IMPORT = (b"import ", b"import\t")
_FROM = (b"from ", b"from\t")


def symbol_token(symbol: str) -> tuple[str, Check]:
    """The spelling a call of ``symbol`` cannot be written without (short of a dynamic lookup):
    the module it must be imported from (``subprocess``, ``requests``), or, for modules nearly
    every file imports, the call's own name (``os.system`` gives ``system``)."""
    parts = [p.removesuffix("()") for p in symbol.split(".")]
    top = parts[0]
    if top not in _NAME_MODULES:
        return top, Check.IMPORT
    names = [p for p in parts[1:] if p not in _GENERIC]
    name = max(reversed(names), key=len)
    return name, Check.CALL if top == "builtins" else Check.ATTR


def module_spellings(module: str) -> list[str]:
    """``module`` and the old names it is also imported as (``commands`` for ``subprocess``)."""
    found = [module]
    for old, new in symbols.ALIASES:
        if new.split(".", 1)[0] == module and old.endswith("."):
            head = old.split(".", 1)[0]
            if head and head not in found and head not in ("posix", "nt"):
                found.append(head)
    return found


def fragment_token(fragment: str) -> tuple[str, bool]:
    """The most telling piece of a path fragment (the longest that is not a common folder
    name; ``Telegram Desktop/tdata`` gives ``telegram desktop``), and whether it comes first."""
    pieces = [p for p in re.split(r"[/\\]", fragment.lower()) if p]
    telling = [p for p in pieces if p not in _COMMON_PIECES] or pieces
    piece = max(reversed(telling), key=len)
    return piece, piece == pieces[0]


def _fragments(fragments: list[str]) -> list[str]:
    out: list[str] = []
    for fragment in fragments:
        piece, first = fragment_token(fragment)
        separators = _FIRST_SEPARATORS if first else _INNER_SEPARATORS
        out.extend(sep + piece for sep in separators)
    return out


def _obfuscated_names() -> list[str]:
    """Windows every identifier the obfuscated-identifier check counts must hold (``_0x...``,
    six of ``Il1`` with an ``I``, five of ``O0`` with both), in lower case."""
    out = ["_0x"]
    for letters in product("il1", repeat=6):
        word = "".join(letters)
        if "i" in word and ("l" in word or "1" in word):
            out.append(word)
    for letters in product("o0", repeat=5):
        word = "".join(letters)
        if "o" in word and "0" in word:
            out.append(word)
    return out


def threat_tokens() -> dict[str, Token]:
    """Every token some threat rule needs (lower case), with how an occurrence is confirmed."""
    spellings: dict[str, set[bytes]] = {}
    checks: dict[str, Check] = {}

    def add(name: str, check: Check) -> None:
        key = name.lower()
        spellings.setdefault(key, set()).add(name.encode())
        if checks.get(key, check) is not check:
            check = Check.WORD  # the least strict of two identifier checks
        checks[key] = check

    for table in THREAT_TABLES:
        for symbol in sorted(table):
            name, check = symbol_token(symbol)
            if check is Check.IMPORT:
                for spelling in module_spellings(name):
                    if spelling not in _MODULE_PATHS:
                        add(spelling, Check.IMPORT)
            else:
                add(name, check)
    for name in _LOOKUPS:
        checks[name] = Check.LOOKUP
        spellings[name] = {name.encode()}
    for name in _METHOD_WORDS:
        add(name, Check.WORD)
    tokens = {k: Token(checks[k], frozenset(spellings[k])) for k in checks}
    for fragment in _fragments([*indicators.CREDENTIAL_PATHS, *strings.PERSISTENCE_PATHS]):
        tokens[fragment] = Token(Check.PATH)
    plain = [*_EXTRA_PLAIN, *(p for paths in _MODULE_PATHS.values() for p in paths)]
    plain += [host.lower() for host in indicators.EXFIL_HOST_SUFFIXES]
    plain += ["discord", "api.telegram.org"]
    plain += [marker.lower() for marker in indicators.MINING_MARKERS]
    plain += _obfuscated_names()
    for token in plain:
        tokens[token] = Token(Check.NONE)
    return tokens


def _address_tokens() -> list[str]:
    out = [f"://{digit}" for digit in range(10)]
    for quote in ("'", '"'):
        out.extend(f"{quote}{number}." for number in range(1000))
    return out


@dataclass(frozen=True, slots=True)
class _Table:
    automaton: Triage
    marks: dict[bytes, int]
    tokens: dict[bytes, Token]
    confirmed: frozenset[bytes]
    """Threat tokens whose occurrences need confirming."""
    secrets: frozenset[bytes]
    """Tokens of paths that hold secrets."""
    network: frozenset[bytes]
    """Tokens of network calls."""


@cache
def _table() -> _Table:
    marks: dict[bytes, int] = {}

    def add(tokens: list[str], mark: int) -> None:
        for token in tokens:
            key = token.lower().encode()
            marks[key] = marks.get(key, 0) | mark

    threats = {k.encode(): v for k, v in threat_tokens().items()}
    add([k.decode() for k in threats], THREAT)
    add(list(_ALARMS), ALARM)
    add([h for h, why in indicators.EXFIL_HOST_SUFFIXES.items() if why in _ALARM_REASONS], ALARM)
    add(list(_STRONG), STRONG)
    add(list(_RUNS), RUNS)
    add(list(_HIDES), HIDES)
    add(list(_EXECS), EXECS)
    add(list(_DECODES), DECODES)
    add(_address_tokens(), ADDRESS)
    confirmed = frozenset(k for k, v in threats.items() if v.check is not Check.NONE)
    for token in confirmed:
        marks[token] &= ~THREAT
    secrets = frozenset(t.encode() for t in _fragments(list(indicators.CREDENTIAL_PATHS)))
    network: set[bytes] = {p.encode() for p in _MODULE_PATHS["urllib"]}
    for symbol in symbols.NETWORK:
        name, check = symbol_token(symbol)
        spelled = module_spellings(name) if check is Check.IMPORT else [name]
        network.update(s.lower().encode() for s in spelled if s not in _MODULE_PATHS)
    return _Table(
        Triage(marks, ignore_case=True), marks, threats, confirmed, secrets, frozenset(network)
    )


@cache
def _owner_modules() -> frozenset[bytes]:
    """Names a lookup's object has when it may be a module the rules look into."""
    heads = {s.split(".", 1)[0] for s in symbols.KNOWN} | set(symbols.STAR_MODULES)
    heads |= {"builtins", "__builtins__", "__builtin__", "sys", "importlib", "__import__"}
    return frozenset(h.encode() for h in heads)


@cache
def _threat_modules() -> frozenset[bytes]:
    return frozenset(s.split(".", 1)[0].encode() for table in THREAT_TABLES for s in table)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What triage says of one file."""

    threat: bool
    """Some threat rule could fire on it: analyse it when the budget allows."""
    strong: bool
    """It holds a token rare in ordinary code, or runs something next to something that hides
    or fetches: analyse it past the budget while the strong budget lasts (and even as a test
    or example file)."""
    alarming: bool
    """It holds a token ordinary packages almost never hold, or runs code next to a decoder:
    analyse it whatever the budgets."""


def triage(data: bytes) -> Verdict:
    """Triage one file's bytes (the head that would be analysed)."""
    table = _table()
    positions = table.automaton.positions(data)
    distinct = {token for token, _ in positions}
    marks = table.marks
    found = 0
    for token in distinct:
        found |= marks[token]
    if not found & THREAT and not distinct.isdisjoint(table.confirmed):
        owners: dict[bytes, bool] = {}
        confirmed = table.confirmed
        for token, start in positions:
            if token in confirmed and _confirm(
                data, start, table.tokens[token], len(token), owners
            ):
                found |= THREAT
                break
    if found & ADDRESS and not found & THREAT and _public_address(data):
        found |= THREAT
    alarming = bool(found & ALARM) or found & (EXECS | DECODES) == EXECS | DECODES
    strong = alarming or bool(found & STRONG) or found & (RUNS | HIDES) == RUNS | HIDES
    if not strong and found & THREAT and not distinct.isdisjoint(table.secrets):
        strong = _sends(data, positions, table)
    return Verdict(threat=bool(found & THREAT) or strong, strong=strong, alarming=alarming)


def _sends(data: bytes, positions: list[tuple[bytes, int]], table: _Table) -> bool:
    """Whether a file that names a secret's path also makes network calls (as stealers do)."""
    owners: dict[bytes, bool] = {}
    for token, start in positions:
        if token in table.network:
            info = table.tokens[token]
            if info.check is Check.NONE or _confirm(data, start, info, len(token), owners):
                return True
    return False


def _confirm(data: bytes, start: int, token: Token, length: int, owners: dict[bytes, bool]) -> bool:
    """Whether this occurrence of an identifier or path token is the kind the rules need."""
    end = start + length
    after = data[end] if end < len(data) else 0x0A
    if after in _IDENT:
        return False
    if token.check is Check.PATH:
        return True
    before = data[start - 1] if start > 0 else 0x0A
    word = data[start:end]
    if before in _IDENT or word not in token.spellings:
        return False
    check = token.check
    if check is Check.WORD:
        return True
    head = _line_head(data, start)
    if check is Check.IMPORT:
        if head.startswith(_IMPORT):
            return before != 0x2E
        return head.startswith(_FROM) and not head[5:].strip()
    if head.startswith(_DEFINITIONS) and head.endswith((b"def ", b"class ")):
        return False
    if check is Check.CALL:
        return before in _CODE_BEFORE and _used(data, end)
    if check is Check.ATTR:
        if head.startswith(_IMPORT + _FROM):
            return b" import " in b" " + head or head == b"import "
        if word in _CALLED:
            return data[end : end + 1] == b"(" or data[end : end + 1] == b"\n"
        if before == 0x2E:
            chain = _CHAIN.search(data, max(0, start - 80), start)
            return chain is not None and _module_owner(data, chain.group(1), owners)
        return before in _CODE_BEFORE and data[end : end + 1] == b"("
    return _lookup(data, word, end, before, owners)


def _line_head(data: bytes, start: int) -> bytes:
    return data[data.rfind(b"\n", 0, start) + 1 : start].lstrip()


def _used(data: bytes, end: int) -> bool:
    """Whether the name ending at ``end`` is called, passed or bound (not a word in text)."""
    after = data[end] if end < len(data) else 0x0A
    if after in _USE_AFTER or after == 0x2C:
        return True
    return after in (0x20, 0x09) and data[end : end + 8].lstrip()[:1] in (b"(", b"#", b"")


def _lookup(data: bytes, word: bytes, end: int, before: int, owners: dict[bytes, bool]) -> bool:
    tail = data[end : end + 200]
    if word == b"__dict__":
        owner = _OWNER.search(data, max(0, end - 40), end - 9)
        if owner is None or not _module_owner(data, owner.group(0), owners):
            return False
        key = _KEY.match(tail)
        if key is not None:
            return _sensitive(key.group(2))
        return tail[:1] in (b"[", b"\n", b"\r", b")", b",", b"")
    if word in _BUILTIN_NAMES:
        if _line_head(data, end).startswith(_IMPORT + _FROM):
            return False
        attribute = _ATTRIBUTE.match(tail)
        if attribute is not None:
            return _sensitive(attribute.group(1))
        return tail[:1] in (b"[", b",", b")", b"\n", b"\r", b"")
    if before == 0x2E and word != b"import_module":
        return False
    if word == b"import_module" and b"importlib" not in data:
        return False
    head = _line_head(data, end)
    if head.startswith(_IMPORT + _FROM):
        return head.startswith((b"from importlib", b"from builtins"))
    if not tail.startswith(b"("):
        return word in (b"getattr", b"__import__", b"import_module") and _used(data, end)
    if word in (b"getattr", b"vars"):
        call = _LOOKUP_CALL.match(tail)
        if call is None:
            return True
        if not _module_owner(data, call.group(1), owners):
            return False
        return word != b"getattr" or call.group(3) is None or _sensitive(call.group(3))
    if word in (b"globals", b"locals"):
        key = _KEY.match(tail[2:]) if tail.startswith(b"()") else None
        if key is None:
            return tail[2:].lstrip()[:1] == b"["
        return _sensitive(key.group(2))
    named = _MODULE_CONSTANT.match(tail)
    if named is None:
        return True
    module = named.group(2).split(b".", 1)[0]
    return _sensitive(module) or module in _threat_modules()


def _sensitive(name: bytes) -> bool:
    return name.decode("latin-1") in symbols.SENSITIVE_NAMES


def _module_owner(data: bytes, owner: bytes, owners: dict[bytes, bool]) -> bool:
    """Whether a lookup's object may be a module whose functions the rules look for: such a
    module by name, ``__builtins__``, ``__import__(...)``, or a name an import binds with
    ``as``."""
    head = _HEAD.match(owner.lstrip())
    if head is None:
        return True
    name = head.group(0)
    if name in _HARMLESS_OWNERS:
        return False
    if name in _owner_modules():
        return True
    known = owners.get(name)
    if known is None:
        known = b"as " + name in data
        owners[name] = known
    return known


def _public_address(data: bytes) -> bool:
    for match in _ADDRESS.finditer(data):
        text = match.group(1).decode("ascii")
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.is_global and text not in strings.WELL_KNOWN_IPS:
            return True
    return False
