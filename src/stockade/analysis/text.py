"""Unicode tricks in any code file, and malicious shell, PowerShell and batch scripts.

- **Trojan Source** (CVE-2021-42574): bidirectional controls make code display in a different
  order than it runs; invisible characters make two identifiers look the same or hide a
  variable (the Hangul filler "invisible backdoor"). Checked in every code file.
- **Scripts**: shell (``.sh`` and ``#!`` scripts), PowerShell, batch and gyp files (whose
  ``<!(...)`` expansions run at install): download-and-run, decode-and-run, reverse shells,
  secrets piped to the network, miners and persistence.

Python and JavaScript behaviour is the job of their own analysers; this one does not look
for it in ``.py`` and ``.js`` files.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from stockade.analysis import indicators
from stockade.analysis.interface import Archive, Member, PackageContext, Reporter
from stockade.analysis.model import Category, Confidence, Finding, Kind, Phase, RuleInfo, Severity

RULES: list[RuleInfo] = [
    RuleInfo(
        id="text-trojan-source",
        category=Category.UNICODE,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="Bidirectional control characters in code make it display in a different "
        "order than it runs (Trojan Source, CVE-2021-42574).",
    ),
    RuleInfo(
        id="text-invisible-identifier",
        category=Category.UNICODE,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        kind=Kind.THREAT,
        description="An invisible character inside or as an identifier makes two names look "
        "alike or hides a variable (the Hangul filler invisible backdoor).",
    ),
    RuleInfo(
        id="text-shell-download-exec",
        category=Category.EXECUTION,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A script that runs at install or import time, or fetches from a suspicious "
        "host, downloads code and runs it (curl | sh, iex (iwr ...), download then chmod +x).",
    ),
    RuleInfo(
        id="text-shell-remote-script",
        category=Category.EXECUTION,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        kind=Kind.CAPABILITY,
        description="A helper script (not run at install or import) pipes a download into a "
        "shell, as build and CI scripts often do.",
    ),
    RuleInfo(
        id="text-shell-decode-exec",
        category=Category.EXECUTION,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A script decodes an encoded payload and runs it (base64 -d | sh, "
        "powershell -EncodedCommand).",
    ),
    RuleInfo(
        id="text-shell-reverse-shell",
        category=Category.PROCESS,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A script hands a shell to a remote host (/dev/tcp with an interactive "
        "shell, nc -e, a socket duplicated onto a shell).",
    ),
    RuleInfo(
        id="text-shell-credential-theft",
        category=Category.CREDENTIALS,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A script reads secrets (SSH keys, cloud credentials, the environment) and "
        "sends them over the network in one command.",
    ),
    RuleInfo(
        id="text-shell-miner",
        category=Category.CRYPTOMINING,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A script names crypto-mining software or a mining pool.",
    ),
    RuleInfo(
        id="text-shell-persistence",
        category=Category.PERSISTENCE,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        kind=Kind.THREAT,
        description="A script installs itself to start automatically (crontab, systemd or "
        "launchd units, Windows Run keys and scheduled tasks, shell rc files).",
    ),
]
"""The text analyser's rules."""

_RULES = {rule.id: rule for rule in RULES}

CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".pyw",
        ".pyi",
        ".pth",
        ".js",
        ".cjs",
        ".mjs",
        ".jsx",
        ".ts",
        ".tsx",
        ".mts",
        ".cts",
        ".sh",
        ".bash",
        ".zsh",
        ".ksh",
        ".command",
        ".ps1",
        ".psm1",
        ".bat",
        ".cmd",
        ".gyp",
        ".gypi",
        ".rb",
        ".pl",
        ".php",
        ".lua",
        ".json",
        ".toml",
        ".cfg",
        ".ini",
    }
)
"""File endings of code (and code-like configuration) checked for Unicode tricks."""
DATA_SUFFIXES = frozenset({".json", ".toml", ".cfg", ".ini"})
"""Configuration and data: Unicode tricks here matter less (``package.json`` excepted)."""
SCRIPT_SUFFIXES = frozenset(
    {".sh", ".bash", ".zsh", ".ksh", ".command", ".ps1", ".psm1", ".bat", ".cmd", ".gyp", ".gypi"}
)
"""Scripts whose commands are checked for malicious patterns."""
MAX_TEXT_CHARS = 4 << 20
"""Characters of one file examined; the rest is skipped."""
MAX_FINDINGS_PER_RULE = 5
"""Findings of one rule reported per file (the first ones)."""

_SHELLS = ("sh", "bash", "zsh", "dash", "ksh", "ash")
_TEST_PARTS = frozenset({"test", "tests", "testing", "__tests__", "spec", "fixtures", "testdata"})
_PUSH_EMBED = frozenset("\u202a\u202b\u202d\u202e")
_PUSH_ISOLATE = frozenset("\u2066\u2067\u2068")
_POP_EMBED = "\u202c"
_POP_ISOLATE = "\u2069"
_HANGUL_FILLERS = frozenset("\u3164\uffa0\u115f\u1160")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u180e")
_UNICODE = re.compile("[" + "".join(indicators.INVISIBLE_CHARS) + "]")
_BIDI = re.compile("[" + "".join(sorted(indicators.BIDI_CHARS)) + "]")
_HIDDEN = re.compile("[" + "".join(sorted(_ZERO_WIDTH | _HANGUL_FILLERS)) + "]")
_RTL_LETTER = re.compile(
    "[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u0780-\u07bf\u07c0-\u07ff"
    "\u0800-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]"
)
_HANGUL_TEXT = re.compile("[\u1100-\u115e\u1161-\u11ff\u3131-\u3163\u3165-\u318e\uac00-\ud7a3]")
_IDENT = re.compile(r"[A-Za-z0-9_$]")
_CODE_PUNCT = re.compile(r"[\s,(){}\[\]=;:.]")


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One malicious script pattern."""

    rule: str
    regex: re.Pattern[str]
    what: str


_SH = (
    r"(?:sudo\s+(?:-\S+\s+)*)?(?:/\S*/)?(?:env\s+)?"
    r"(?:(?:ba|z|k|da|a)?sh|python[\d.]*|perl|node|ruby)\b"
    r"(?!\s+-(?:\w*[ce]|m)\b)"  # -c/-e/-m: the code is an argument, the download only data
)
_DOWNLOAD_CHMOD = _Pattern(
    "download",
    re.compile(
        r"\b(?:curl|wget)\b[^\n]*(?:https?|ftp)://[^\n]*\bchmod\s+(?:[ugoa]*\+x|[0-7]?[1357][0-7]{2})\b",
        re.I,
    ),
    "downloads a file and makes it executable",
)
_DOWNLOAD_EXEC = (
    _Pattern(
        "download",
        re.compile(rf"\b(?:curl|wget)\b[^\n|;&]*\|\s*{_SH}", re.I),
        "pipes a download into an interpreter",
    ),
    _Pattern(
        "download",
        re.compile(r"\b(?:(?:ba|z)?sh|source|\.)\s+(?:-\S+\s+)*<\(\s*(?:curl|wget)\b", re.I),
        "runs a downloaded script through process substitution",
    ),
    _Pattern(
        "download",
        re.compile(r"(?:\b(?:ba|z)?sh\s+-c|\beval)\s+[\"']?\$\(\s*(?:curl|wget)\b", re.I),
        "evaluates a downloaded script",
    ),
    _Pattern(
        "download",
        re.compile(
            r"\b(?:iex|invoke-expression)\b[^\n]*(?:downloadstring|invoke-webrequest|\biwr\b|"
            r"\birm\b|invoke-restmethod|net\.webclient)|(?:downloadstring|invoke-webrequest|"
            r"\biwr\b|\birm\b|invoke-restmethod)[^\n]*\|\s*(?:iex|invoke-expression)\b",
            re.I,
        ),
        "evaluates a downloaded PowerShell script",
    ),
    _DOWNLOAD_CHMOD,
    _Pattern(
        "download",
        re.compile(
            r"\bcertutil(?:\.exe)?\b[^\n]*-urlcache\b|\bbitsadmin(?:\.exe)?\b[^\n]*/transfer\b",
            re.I,
        ),
        "downloads with a Windows system tool (certutil, bitsadmin)",
    ),
)
_THREATS = (
    _Pattern(
        "text-shell-decode-exec",
        re.compile(
            rf"\bbase64\s+(?:-\w*d\w*|--decode)\b[^\n]*\|\s*{_SH}|"
            rf"\b(?:xxd\s+-r|openssl\s+(?:enc\s+)?[^\n|]*-d)\b[^\n|]*\|\s*{_SH}|"
            r"(?:\beval|\b(?:ba|z)?sh\s+-c)\s+[\"']?\$\([^)\n]*\bbase64\s+(?:-\w*d\w*|--decode)",
            re.I,
        ),
        "decodes a payload and runs it",
    ),
    _Pattern(
        "text-shell-decode-exec",
        re.compile(
            r"\bpowershell(?:\.exe)?\b[^\n]*\s[-/](?:e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{20,}|"
            r"frombase64string[^\n]*\b(?:iex|invoke-expression)\b|"
            r"\b(?:iex|invoke-expression)\b[^\n]*frombase64string",
            re.I,
        ),
        "runs an encoded PowerShell command",
    ),
    _Pattern(
        "text-shell-decode-exec",
        re.compile(
            r"\bpython[\d.]*\s+-c\s+[^\n]*\b(?:exec|eval)\s*\([^\n]*(?:b64decode|decodebytes|"
            r"zlib\.decompress|bytes\.fromhex)",
            re.I,
        ),
        "runs a Python one-liner that executes decoded data",
    ),
    _Pattern(
        "text-shell-reverse-shell",
        re.compile(
            r"^(?=[^\n]*/dev/(?:tcp|udp)/)(?=[^\n]*(?:\b(?:ba|z|k)?sh\s+-i\b|0>&1|0<&\s*\d|"
            r">&\s*/dev/(?:tcp|udp)/))"
        ),
        "connects an interactive shell to a remote host through /dev/tcp",
    ),
    _Pattern(
        "text-shell-reverse-shell",
        re.compile(
            r"\b(?:nc|ncat|netcat)(?:\.exe)?\b[^\n|;]*\s-[ec]\s*[\"']?(?:/bin/|/usr/bin/)?"
            r"(?:(?:ba|z|da)?sh|cmd(?:\.exe)?|powershell)\b|"
            r"\bmkfifo\b[^\n]*\|\s*(?:/bin/)?(?:ba)?sh\s+-i\b[^\n]*\|\s*(?:nc|ncat|netcat|openssl)\b|"
            r"\bsocat\b[^\n]*\bexec:[^\n]*\b(?:ba)?sh\b",
            re.I,
        ),
        "hands a shell to a network connection",
    ),
    _Pattern(
        "text-shell-reverse-shell",
        re.compile(
            r"\bsocket\b[^\n]*\bdup2\s*\([^\n]*(?:pty\.spawn|subprocess|/bin/(?:ba)?sh)|"
            r"\bperl\b[^\n]*\bsocket\b[^\n]*\bexec\b[^\n]*/bin/(?:ba)?sh|"
            r"net\.sockets\.tcpclient[^\n]*(?:getstream|iex|invoke-expression)",
            re.I,
        ),
        "duplicates a socket onto a shell",
    ),
    _Pattern(
        "text-shell-persistence",
        re.compile(
            r"\|\s*crontab\s+-(?:\s|$)|>>?\s*/etc/cron|/var/spool/cron/|"
            r"/etc/systemd/system/[^\s]*\.service[^\n]*|\bsystemctl\s+enable\b[^\n]*&&[^\n]*\bstart\b|"
            r"Library/LaunchAgents/[^\n]*\blaunchctl\s+load|"
            r"\breg(?:\.exe)?\s+add\s+[^\n]*\\CurrentVersion\\Run\b|\bschtasks(?:\.exe)?\s+/create\b",
            re.I,
        ),
        "makes a program start automatically",
    ),
    _Pattern(
        "text-shell-persistence",
        re.compile(
            r"^(?=[^\n]*>>\s*[\"']?(?:~|\$HOME|\$\{HOME\})?/?[^\s]*\.(?:bashrc|bash_profile|profile|"
            r"zshrc|zprofile)\b)(?=[^\n]*(?:\bcurl\b|\bwget\b|\bnc\b|base64|/dev/tcp))",
            re.I,
        ),
        "adds a command that fetches or connects out to a shell start-up file",
    ),
)
_TRIGGERS = (
    "curl",
    "wget",
    "iex",
    "invoke-",
    "iwr",
    "irm",
    "downloadstring",
    "certutil",
    "bitsadmin",
    "base64",
    "xxd",
    "openssl",
    "powershell",
    "python",
    "perl",
    "/dev/",
    "nc ",
    "nc.exe",
    "ncat",
    "netcat",
    "mkfifo",
    "socat",
    "socket",
    "cron",
    "systemd",
    "systemctl",
    "launch",
    "reg ",
    "reg.exe",
    "schtasks",
    "tcpclient",
    "chmod",
    "eval",
    *indicators.MINING_MARKERS,
)
"""Words of which a line must hold one for any script pattern to match (a fast pre-test)."""
_SENDER = re.compile(
    r"\b(?:curl|wget|nc|ncat|netcat|invoke-webrequest|invoke-restmethod|iwr|irm)\b", re.I
)
_SEND_DATA = re.compile(
    r"\|\s*(?:curl|wget|nc|ncat|netcat)\b|\s(?:-d|--data[\w-]*|-F|--form|-T|--upload-file|"
    r"--post-file|--body-file|-Body|-InFile)[\s=]",
    re.I,
)
_ENV_DUMP = re.compile(
    r"(?:^|[|;&(`$]\s*|\$\(\s*)(?:env|printenv|set|export\s+-p)\s*(?:\||\))", re.I
)
_DOWNLOAD_TARGET = re.compile(
    r"\b(?:curl\b[^\n]*?\s-o\s*|wget\b[^\n]*?\s-O\s*)[\"']?([^\s\"';&|]+)"
)
_CHMOD_TARGET = re.compile(r"\bchmod\s+(?:[ugoa]*\+x|[0-7]?[1357][0-7]{2})\s+[\"']?([^\s\"';&|]+)")


class TextAnalyzer:
    """Unicode tricks in code files; malicious commands in shell, PowerShell, batch and gyp
    files."""

    name = "text"
    rules: Sequence[RuleInfo] = RULES

    def wants(self, relpath: str) -> bool:
        """Code files by ending, and files without one in ``bin/`` or ``scripts/`` folders."""
        suffix = _suffix(relpath)
        if suffix in CODE_SUFFIXES:
            return True
        parts = relpath.split("/")
        return not suffix and any(p in ("bin", "scripts", "script") for p in parts[:-1])

    def analyze(self, archive: Archive, package: PackageContext) -> Iterator[Finding]:
        """Findings for every code member and every script."""
        for member in archive.members:
            suffix = _suffix(member.relpath)
            script = _script_kind(member, suffix)
            if suffix not in CODE_SUFFIXES and script is None:
                continue
            if script is None and member.data.isascii():
                continue  # pure ASCII: no invisible or bidirectional characters
            text = member.text()
            if text is None and not member.complete and b"\x00" not in member.data[:8192]:
                # Only the head was read: it may end inside a multi-byte character.
                text = member.data.decode("utf-8", "ignore")
            if text is None:
                continue
            text = text[:MAX_TEXT_CHARS]
            reporter = Reporter(_RULES, member.path)
            phase = package.phase_of(member.relpath)
            _unicode(reporter, member, text, suffix, phase)
            if script is not None:
                _script(reporter, text, phase)
            yield from reporter.findings


def _suffix(relpath: str) -> str:
    base = posixpath.basename(relpath).lower()
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def _script_kind(member: Member, suffix: str) -> str | None:
    """``shell``, ``powershell``, ``batch`` or ``gyp`` for the scripts checked for commands."""
    if suffix in (".ps1", ".psm1"):
        return "powershell"
    if suffix in (".bat", ".cmd"):
        return "batch"
    if suffix in (".gyp", ".gypi"):
        return "gyp"
    if suffix in SCRIPT_SUFFIXES:
        return "shell"
    if suffix in CODE_SUFFIXES and suffix not in DATA_SUFFIXES:
        return None  # Python, JavaScript ...: their analysers' job
    if member.data.startswith(b"#!"):
        words = member.data[2:128].split(b"\n", 1)[0].decode("latin-1").split()
        if words and posixpath.basename(words[0]) == "env" and len(words) > 1:
            words = words[1:]
        if words and posixpath.basename(words[0]) in _SHELLS:
            return "shell"
    return None


def _in_tests(relpath: str) -> bool:
    return any(part.lower() in _TEST_PARTS for part in relpath.split("/")[:-1])


def escape_invisible(text: str) -> str:
    """``text`` with every invisible and bidirectional character written as ``\\uXXXX``."""
    return _UNICODE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _snippet(line: str, at: int) -> str:
    start = max(0, at - 60)
    return escape_invisible(line[start : start + 120])


def _unicode(reporter: Reporter, member: Member, text: str, suffix: str, phase: Phase) -> None:
    if text.isascii() or _UNICODE.search(text) is None:
        return
    data = suffix in DATA_SUFFIXES and posixpath.basename(member.relpath) != "package.json"
    tests = _in_tests(member.relpath)
    counts = {"text-trojan-source": 0, "text-invisible-identifier": 0}
    line_no, counted, position = 1, 0, 0
    while (found := _UNICODE.search(text, position)) is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.start())
        end = len(text) if end < 0 else end
        line_no += text.count("\n", counted, start)
        counted = start
        line = text[start:end]
        _unicode_line(reporter, line, line_no, data, tests, phase, counts, _comment_marks(suffix))
        if all(n >= MAX_FINDINGS_PER_RULE for n in counts.values()):
            return
        position = end + 1


def _unicode_line(
    reporter: Reporter,
    line: str,
    line_no: int,
    data: bool,
    tests: bool,
    phase: Phase,
    counts: dict[str, int],
    comments: tuple[str, ...],
) -> None:
    bidi = [m.start() for m in _BIDI.finditer(line)]
    if bidi and counts["text-trojan-source"] < MAX_FINDINGS_PER_RULE:
        rtl = _RTL_LETTER.search(line) is not None
        unbalanced = _unbalanced(line[i] for i in bidi)
        if not (rtl and (data or not unbalanced)):
            names = sorted({indicators.INVISIBLE_CHARS[line[i]] for i in bidi})
            severity, confidence = None, None
            if data or tests:
                severity, confidence = Severity.MEDIUM, Confidence.LOW
            elif rtl or not unbalanced:
                severity, confidence = Severity.MEDIUM, Confidence.MEDIUM
            state = "left open" if unbalanced else "closed on the same line"
            reporter.report(
                "text-trojan-source",
                f"Bidirectional control characters ({', '.join(names)}, {state}) reorder how "
                "this line displays, so the code that runs differs from the code shown.",
                line=line_no,
                snippet=_snippet(line, bidi[0]),
                phase=phase,
                severity=severity,
                confidence=confidence,
            )
            counts["text-trojan-source"] += 1
    if data or counts["text-invisible-identifier"] >= MAX_FINDINGS_PER_RULE:
        return
    hangul: bool | None = None
    tracker = _CodeTracker(line, comments)
    for examined, found in enumerate(_HIDDEN.finditer(line)):
        if examined >= _MAX_CANDIDATES:
            return
        i = found.start()
        ch = line[i]
        before = line[i - 1] if i > 0 else " "
        after = line[i + 1] if i + 1 < len(line) else " "
        strong = False
        if ch in _ZERO_WIDTH:
            if not (_IDENT.match(before) and _IDENT.match(after)):
                continue
            what = f"{indicators.INVISIBLE_CHARS[ch]} inside an identifier"
        else:
            if not (_code_side(before) and _code_side(after)):
                continue
            if hangul is None:
                hangul = _HANGUL_TEXT.search(line) is not None
            if hangul:
                continue
            what = f"{indicators.INVISIBLE_CHARS[ch]} used as a name"
            strong = bool(_CODE_PUNCT.match(before) and _CODE_PUNCT.match(after))
        if not tracker.in_code(i):
            continue  # inside a string literal or a comment: shown as it is, runs as it is
        reporter.report(
            "text-invisible-identifier",
            f"An invisible character ({what}) makes this code read differently from what runs.",
            line=line_no,
            snippet=_snippet(line, i),
            phase=phase,
            severity=Severity.MEDIUM if tests else None,
            confidence=Confidence.HIGH if strong and not tests else None,
        )
        counts["text-invisible-identifier"] += 1
        return


def _comment_marks(suffix: str) -> tuple[str, ...]:
    if suffix in (".py", ".pyw", ".pyi", ".pth", ".sh", ".bash", ".zsh", ".ksh", ".rb", ".pl"):
        return ("#",)
    if suffix in (".js", ".cjs", ".mjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".php"):
        return ("//", "/*")
    return ()


_CLOSING = {q: re.compile(r"\\.|" + q) for q in ("'", '"', "`")}
_MAX_CANDIDATES = 1000
"""Invisible characters examined per line at most (hostile files can hold millions)."""


class _CodeTracker:
    """Tells whether positions of one line, asked in increasing order, lie outside string
    literals and comments (quotes paired from the line's start). Linear in the line length
    over all questions: the special characters are found with regular expressions."""

    def __init__(self, line: str, comments: tuple[str, ...]) -> None:
        self._line = line
        marks = "|".join(re.escape(m) for m in comments)
        self._outside = re.compile(r"['\"`]" + (f"|{marks}" if marks else ""))
        self._pos = 0
        self._quote = ""
        self._comment = ""  # "" (code), "line" or "block"

    def in_code(self, index: int) -> bool:
        """Whether ``line[index]`` is code."""
        line = self._line
        while self._pos <= index:
            if self._comment == "line":
                return False
            if self._comment == "block":
                end = line.find("*/", self._pos)
                if end < 0 or end >= index:
                    self._pos = index + 1 if end < 0 else self._pos
                    return False
                self._comment, self._pos = "", end + 2
                continue
            if self._quote:
                found = _CLOSING[self._quote].search(line, self._pos)
                if found is None or found.start() >= index:
                    return False
                self._pos = found.end()
                if found.group(0) == self._quote:
                    self._quote = ""
                continue
            found = self._outside.search(line, self._pos)
            if found is None or found.start() >= index:
                return True
            token = found.group(0)
            self._pos = found.end()
            if token in "'\"`":
                self._quote = token
            else:
                self._comment = "block" if token == "/*" else "line"
        return not self._quote and not self._comment


def _code_side(ch: str) -> bool:
    return bool(_CODE_PUNCT.match(ch) or _IDENT.match(ch))


def _unbalanced(controls: Iterable[str]) -> bool:
    """Whether a bidirectional embedding, override or isolate is left open at the line's end
    (``controls``: the line's bidirectional characters in order)."""
    embeds = isolates = 0
    for ch in controls:
        if ch in _PUSH_EMBED:
            embeds += 1
        elif ch in _PUSH_ISOLATE:
            isolates += 1
        elif ch == _POP_EMBED:
            embeds = max(0, embeds - 1)
        elif ch == _POP_ISOLATE:
            isolates = max(0, isolates - 1)
    return embeds > 0 or isolates > 0


def _script(reporter: Reporter, text: str, phase: Phase) -> None:
    """Malicious command patterns in a shell, PowerShell, batch or gyp file."""
    counts: dict[str, int] = {}
    downloads: dict[str, tuple[int, str]] = {}

    def report(rule: str, message: str, line_no: int, line: str) -> None:
        if counts.get(rule, 0) >= MAX_FINDINGS_PER_RULE:
            return
        counts[rule] = counts.get(rule, 0) + 1
        reporter.report(rule, message, line=line_no, snippet=line.strip(), phase=phase)

    for line_no, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped or _is_comment(stripped):
            continue
        lowered = stripped.lower()
        if not any(word in lowered for word in _TRIGGERS):
            continue  # none of the patterns can match: skip them (long build scripts)
        for pattern in _DOWNLOAD_EXEC:
            if pattern.regex.search(stripped):
                rule, why = _download_rule(stripped, phase)
                report(rule, f"This script {pattern.what}{why}.", line_no, stripped)
                break
        reported: set[str] = set()
        for pattern in _THREATS:
            if pattern.rule not in reported and pattern.regex.search(stripped):
                reported.add(pattern.rule)
                report(pattern.rule, f"This script {pattern.what}.", line_no, stripped)
        if _SENDER.search(stripped) and _SEND_DATA.search(stripped):
            secret = indicators.credential_target(stripped)
            if secret is None and _ENV_DUMP.search(stripped):
                secret = "the environment (tokens and keys)"
            if secret is not None:
                report(
                    "text-shell-credential-theft",
                    f"This script sends {secret} over the network.",
                    line_no,
                    stripped,
                )
        marker = next((m for m in indicators.MINING_MARKERS if m in lowered), None)
        if marker is not None:
            report(
                "text-shell-miner",
                f"This script names crypto-mining software or a pool ({marker}).",
                line_no,
                stripped,
            )
        for target in _DOWNLOAD_TARGET.findall(stripped):
            downloads.setdefault(target, (line_no, stripped))
        for target in _CHMOD_TARGET.findall(stripped):
            if target in downloads and not _DOWNLOAD_CHMOD.regex.search(stripped):
                first_line, fetched = downloads[target]
                rule, why = _download_rule(fetched, phase)
                report(
                    rule,
                    f"This script downloads {target} (line {first_line}) and makes it "
                    f"executable{why}.",
                    line_no,
                    f"{fetched} ... {stripped}",
                )


def _download_rule(line: str, phase: Phase) -> tuple[str, str]:
    """The rule for a download-and-run line (a threat when the script runs unasked or the
    host is suspicious) and the reason to add to the message."""
    for url in indicators.find_urls(line):
        endpoint = indicators.classify_url(url)
        if endpoint is not None:
            return "text-shell-download-exec", f" from a {endpoint.reason} ({url})"
    ips = indicators.find_public_ips(line)
    if ips:
        return "text-shell-download-exec", f" from a raw IP address ({ips[0]})"
    if phase is Phase.INSTALL:
        return "text-shell-download-exec", ", and it runs at install time"
    if phase is Phase.IMPORT:
        return "text-shell-download-exec", ", and it runs on import"
    return "text-shell-remote-script", " (a helper script not run at install or import)"


def _is_comment(line: str) -> bool:
    if line.startswith("#"):
        return not line.startswith("#!")
    lowered = line.lower()
    return lowered.startswith(("rem ", "::", "<#")) or lowered == "rem"


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines with continuations (``\\``, PowerShell's backtick, batch's ``^``) joined, each
    with the number of its first physical line."""
    pending: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            first = number
        stripped = line.rstrip()
        if stripped.endswith(("\\", "`", "^")) and len(pending) < 200:
            pending.append(stripped[:-1])
            continue
        pending.append(line)
        yield first, " ".join(pending)
        pending = []
    if pending:
        yield first, " ".join(pending)
