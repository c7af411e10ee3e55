"""Reading shell commands (npm lifecycle scripts, child_process command strings) for what
malware does with them: download and run, reverse shells, encoded payloads, exfiltration."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from stockade.analysis import indicators

_I = re.IGNORECASE
_DOWNLOAD = re.compile(
    r"\b(?:curl|wget|invoke-webrequest|iwr|invoke-restmethod|irm|downloadstring|downloadfile|"
    r"downloaddata|start-bitstransfer|bitsadmin|tftp)\b|\bcertutil(?:\.exe)?\b.*-urlcache",
    _I,
)
_PIPE_SHELL = re.compile(
    r"\|\s*(?:sudo\s+)?(?:/usr)?(?:/bin/)?(?:ba|z|da|k)?sh\b|\|\s*(?:python\d?|perl|ruby|node)\b",
    _I,
)
_SUBSHELL_DOWNLOAD = re.compile(
    r"\b(?:ba|z)?sh\s+(?:-c\s+)?[\"']?(?:\$\(|`|<\()\s*(?:curl|wget)\b|"
    r"\beval\s+[\"']?(?:\$\(|`)\s*(?:curl|wget)\b",
    _I,
)
_IEX = re.compile(r"\b(?:iex|invoke-expression)\b", _I)
_RUN_AFTER = re.compile(
    r"\bchmod\s+(?:[+ugoa]*x|[0-7]*[157][0-7]{0,2})\b|(?:^|[\s;&|])\./[\w.-]+|"
    r"\bstart-process\b|\bstart\s+(?:/b\s+)?\S+\.(?:exe|bat|cmd|vbs|ps1)\b|\bmsiexec\b|"
    r"\brundll32\b|\bwscript\b|\bcscript\b|&&\s*\S+\.exe\b|\bnohup\b",
    _I,
)
_LOLBIN_URL = re.compile(
    r"\b(?:mshta|regsvr32)\b[^;&|]*(?:https?:|\\\\)|\bmsiexec\b[^;&|]*/i\s*https?:", _I
)
_REVERSE = re.compile(
    r"/dev/(?:tcp|udp)/|\bnc(?:at)?\b[^|;&]*\s-[a-z]*[ec]\s|\bmkfifo\b[^;]*\bnc\b|"
    r"\bsocat\b[^;&|]*\bexec:|\b(?:ba)?sh\s+-i\b[^;|]*>&|"
    r"socket\.socket\(.*(?:pty\.spawn|subprocess|/bin/(?:ba)?sh)",
    _I,
)
_DECODE = re.compile(
    r"\bbase64\s+(?:-d|--decode|-D)\b|\bfrombase64string\b|\bcertutil\b[^;&|]*-decode\b|"
    r"\bopenssl\s+(?:enc\s+)?-?base64\s+-d\b|\bb64decode\b|\batob\(|"
    r"\bBuffer\.from\([^)]*['\"](?:base64|hex)['\"]",
    _I,
)
_RUN_DECODED = re.compile(
    r"\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\beval\b|\biex\b|\binvoke-expression\b|\bexec\(|"
    r"\bpowershell\b|\bpwsh\b|\bsh\s+-c\b|\bFunction\(",
    _I,
)
_PS_ENCODED = re.compile(
    r"\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-(?:e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}", _I
)
_PS_HIDDEN = re.compile(
    r"\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-(?:w|windowstyle)\s+h(?:idden)?\b", _I
)
_NET_TOOL = re.compile(
    r"\b(?:curl|wget|nslookup|dig|host|ping|nc|ncat|telnet|invoke-webrequest|iwr|"
    r"invoke-restmethod|irm)\b",
    _I,
)
_HOST_DATA = re.compile(
    r"\$\(\s*(?:whoami|hostname|id|pwd|uname\b[^)]*|cat\s[^)]*|env|printenv|ls\b[^)]*)\s*\)|"
    r"`\s*(?:whoami|hostname|id|pwd|uname\b[^`]*|cat\s[^`]*|env|printenv)\s*`|"
    r"\$\{?(?:HOSTNAME|USER|USERNAME|LOGNAME|PWD|HOME)\b|"
    r"%(?:USERNAME|COMPUTERNAME|USERDOMAIN|USERPROFILE)%|\$env:(?:USERNAME|COMPUTERNAME)\b|"
    r"\b(?:env|printenv|whoami|hostname)\s*\|\s*(?:curl|wget|nc|base64|xxd)\b|"
    r"--data(?:-binary|-raw)?\s+@|-d\s*@|-F\s*\S+=@|-T\s",
    _I,
)
_DESTRUCTIVE = re.compile(
    r"\brm\s+(?:-[a-z]+\s+)*-[a-z]*r[a-z]*\s+(?:-[a-z]+\s+)*(?:--no-preserve-root\s+)?"
    r"[\"']?(?:~|/|\$HOME|\$\{HOME\}|/\*|~/\*|\$HOME/\*)[\"']?(?=$|[\s;&|])|"
    r"\b(?:rd|rmdir)\s+/s\s+/q\s+[a-z]:\\?(?=$|[\s;&|\"'])|"
    r"\bdel\s+(?:/[a-z]\s+)*[a-z]:\\\*?|\bformat\s+[a-z]:",
    _I,
)
_BLOB = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_HOSTNAME = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b", _I)


@dataclass(frozen=True, slots=True)
class ShellSignal:
    """One thing a shell command does that malware does."""

    rule: str
    """The rule id (``js-shell-download-exec`` ...)."""
    message: str
    """One sentence about what the command does."""


def classify_command(command: str) -> list[ShellSignal]:
    """What a shell command does that malware does (at most one signal per rule)."""
    signals: list[ShellSignal] = []
    text = command.strip()
    if not text:
        return signals
    downloads = bool(_DOWNLOAD.search(text))
    if _LOLBIN_URL.search(text) or _SUBSHELL_DOWNLOAD.search(text):
        signals.append(ShellSignal("js-shell-download-exec", "downloads a script and runs it"))
    elif downloads and (_PIPE_SHELL.search(text) or _IEX.search(text)):
        signals.append(
            ShellSignal("js-shell-download-exec", "downloads a script and pipes it to a shell")
        )
    elif downloads and _RUN_AFTER.search(text):
        signals.append(
            ShellSignal("js-shell-download-exec", "downloads a file and makes it executable")
        )
    if _REVERSE.search(text):
        signals.append(ShellSignal("js-shell-reverse-shell", "opens a reverse shell"))
    if _PS_ENCODED.search(text):
        signals.append(ShellSignal("js-shell-encoded", "runs a PowerShell -EncodedCommand"))
    elif _DECODE.search(text) and _RUN_DECODED.search(text):
        signals.append(ShellSignal("js-shell-encoded", "decodes an encoded payload and runs it"))
    exfil = _exfil_reason(text)
    if exfil:
        signals.append(ShellSignal("js-shell-exfil", exfil))
    if _DESTRUCTIVE.search(text):
        signals.append(ShellSignal("js-destructive", "recursively deletes the home or root folder"))
    return signals


def hidden_powershell(command: str) -> bool:
    """Whether the command starts PowerShell with a hidden window."""
    return bool(_PS_HIDDEN.search(command))


def _exfil_reason(text: str) -> str | None:
    endpoint = suspicious_endpoint(text)
    if endpoint and _NET_TOOL.search(text):
        return f"contacts an endpoint that receives stolen data: {endpoint}"
    if not _NET_TOOL.search(text):
        return None
    if _HOST_DATA.search(text):
        return "sends host details or local files to a remote host"
    secret = indicators.credential_target(text.replace("\\", "/"))
    if secret and re.search(r"\b(?:curl|wget|nc|invoke-webrequest|iwr|irm)\b", text, _I):
        return f"sends a {secret} file to a remote host"
    return None


def suspicious_endpoint(text: str, *, whole_tokens: bool = False) -> str | None:
    """The reason the first strong suspicious endpoint in ``text`` is one (webhook, request
    bin, tunnel, raw public IP), or ``None``; with ``whole_tokens``, a bare IP address counts
    only as a value of its own (``hostname: "1.2.3.4"``), not inside other text."""
    for url in indicators.find_urls(text):
        found = indicators.classify_url(url)
        if found and found.strong:
            return f"{found.reason} ({url})"
    for host in _HOSTNAME.findall(text):
        found = indicators.classify_host(host)
        if found and found.strong:
            return f"{found.reason} ({host})"
    for address in indicators.find_public_ips(text):
        ip = address.split(":")[0]
        if ip in indicators.PUBLIC_RESOLVERS or ip.endswith(".0"):
            continue  # resolvers are connectivity checks; x.y.z.0 is a version ("Chrome/102.0.0.0")
        if whole_tokens and not re.search(
            rf"(?:^|[\s/@'\"]){re.escape(address)}(?:$|[\s/'\"])", text
        ):
            continue
        return f"raw IP address ({address})"
    return None


def has_encoded_blob(text: str) -> bool:
    """Whether ``text`` holds a long base64 or hex blob."""
    return any(indicators.looks_encoded(m.group(0), min_length=40) for m in _BLOB.finditer(text))


def split_segments(command: str) -> list[list[str]]:
    """A shell command split into simple commands (at ``;``, ``&&``, ``||``, ``|``, ``&``),
    each a list of words; shell keywords (``if``, ``then`` ...) are dropped."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        tokens = command.split()
    segments: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        if token and set(token) <= set(";&|()<>"):
            if current:
                segments.append(current)
            current = []
            continue
        if not current and token in ("if", "then", "else", "elif", "do", "while", "!", "fi"):
            continue
        if token in ("fi", "done"):
            continue
        current.append(token)
    if current:
        segments.append(current)
    return segments
