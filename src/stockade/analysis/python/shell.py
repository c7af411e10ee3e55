"""What a command line handed to a shell or ``subprocess`` does."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOWNLOAD_EXEC = (
    re.compile(r"\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b"),
    re.compile(r"\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?python[0-9.]*\b"),
    re.compile(
        r"\b(?:curl|wget)\b.*(?:&&|;)\s*(?:sudo\s+)?chmod\s+(?:\+x|[0-7]*[1357][0-7]{0,2}\b)"
    ),
    re.compile(r"\b(?:curl|wget)\b.*(?:&&|;)\s*(?:\./|/(?:tmp|var/tmp|dev/shm)/|(?:ba)?sh\s+/)"),
    re.compile(
        r"(?:downloadstring|downloadfile|invoke-webrequest|\biwr\b|invoke-restmethod|\birm\b|"
        r"net\.webclient|start-bitstransfer).*(?:\biex\b|invoke-expression|start-process|"
        r"\.exe\b)"
    ),
    re.compile(
        r"\b(?:\biex\b|invoke-expression)\b.*(?:downloadstring|invoke-webrequest|\biwr\b|"
        r"invoke-restmethod|\birm\b|net\.webclient)"
    ),
    re.compile(
        r"\bpython[0-9.]*\s+-c\b.*\b(?:exec|eval)\b.*\b(?:urlopen|requests\.get|urlretrieve)"
    ),
    re.compile(r"\bpython[0-9.]*\s+-c\b.*\b(?:urlopen|requests\.get)\b.*\b(?:exec|eval)\("),
    re.compile(r"\bcertutil(?:\.exe)?\b.*-urlcache"),
    re.compile(r"\bbitsadmin(?:\.exe)?\b.*/transfer"),
    re.compile(r"\bmshta(?:\.exe)?\s+(?:https?|vbscript|javascript):"),
    re.compile(r"\bregsvr32(?:\.exe)?\b.*/i:https?"),
    re.compile(r"\brundll32(?:\.exe)?\b.*javascript:"),
)

_HIDDEN_STRONG = (
    re.compile(r"\bpowershell(?:\.exe)?\b.*\s-(?:w|win|window|windowstyle)\s+(?:h|hidden|1)\b"),
    re.compile(r"\bpowershell(?:\.exe)?\b.*\s-(?:enc|encodedcommand|e|ec)\s+[a-z0-9+/=]{16,}"),
    re.compile(r"\bmshta(?:\.exe)?\b"),
    re.compile(r"\b[wc]script(?:\.exe)?\b.*//b\b"),
    re.compile(r"\bstart\s+/min\b"),
)

_DETACHED = (
    re.compile(r"\bnohup\b"),
    re.compile(r"(?<![&>])&\s*$"),
    re.compile(r"\bsetsid\b"),
    re.compile(r"\bdisown\b"),
    re.compile(r"\bpythonw(?:\.exe)?\b"),
    re.compile(r"\bstart\s+(?:\"\"\s+)?/b\b"),
)

_REVERSE_SHELL = (
    re.compile(r"/dev/(?:tcp|udp)/"),
    re.compile(r"\b(?:nc|ncat|netcat)\b.*\s-[a-z]*e\s"),
    re.compile(r"\bsocat\b.*\bexec:"),
    re.compile(r"\bmkfifo\b.*\b(?:nc|ncat)\b"),
    re.compile(r"\bbash\s+-i\s*>&"),
    re.compile(r"system\.net\.sockets\.tcpclient"),
)

_PERSISTENCE = (
    (re.compile(r"\bschtasks(?:\.exe)?\b.*/create\b"), "a scheduled task"),
    (re.compile(r"\breg(?:\.exe)?\s+add\b.*\\run(?:once)?\b"), "a Windows Run registry key"),
    (re.compile(r"\|\s*crontab\b"), "a cron job"),
    (re.compile(r"\bcrontab\s+(?!-[lre]\b)\S"), "a cron job"),
    (re.compile(r"\blaunchctl\s+(?:load|bootstrap)\b"), "a macOS launch agent"),
    (re.compile(r"\bsystemctl\s+(?:--user\s+)?enable\b"), "a systemd service"),
    (re.compile(r">>\s*\S*\.(?:bashrc|zshrc|profile|bash_profile)\b"), "a shell start-up file"),
)

_NETWORK_TOOL = re.compile(r"\b(?:curl|wget|invoke-webrequest|iwr|nc|ncat|netcat|scp|ftp)\b")

_CLIPBOARD_READ = re.compile(r"\b(?:pbpaste|get-clipboard|xclip\b.*-o\b|xsel\b.*(?:-o|--output))")
_CLIPBOARD_WRITE = re.compile(r"\b(?:pbcopy|set-clipboard|\|\s*clip(?:\.exe)?\b|xclip\b(?!.*-o\b))")


@dataclass(frozen=True, slots=True)
class CommandFacts:
    """What a command line does."""

    download_exec: bool
    hidden: bool
    detached: bool
    reverse_shell: bool
    persistence: str | None
    network: bool
    clipboard_read: bool
    clipboard_write: bool


def command_facts(command: str) -> CommandFacts:
    """Facts about a command line (case-insensitive, best effort on partial text)."""
    text = command.lower()[:20_000]
    persistence = next((what for regex, what in _PERSISTENCE if regex.search(text)), None)
    return CommandFacts(
        download_exec=any(r.search(text) for r in _DOWNLOAD_EXEC),
        hidden=any(r.search(text) for r in _HIDDEN_STRONG),
        detached=any(r.search(text) for r in _DETACHED),
        reverse_shell=any(r.search(text) for r in _REVERSE_SHELL),
        persistence=persistence,
        network=_NETWORK_TOOL.search(text) is not None,
        clipboard_read=_CLIPBOARD_READ.search(text) is not None,
        clipboard_write=_CLIPBOARD_WRITE.search(text) is not None,
    )
