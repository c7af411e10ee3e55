"""What archive analysis produces: findings with evidence, and a verdict.

Nothing here does I/O. Findings come from analysers (:mod:`stockade.analysis.interface`), the
verdict from correlation (:mod:`stockade.analysis.verdict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """What kind of behaviour a finding is about."""

    INSTALL_HOOK = "install-hook"
    """Code that runs when the package is installed (setup.py commands, npm lifecycle scripts)."""
    EXECUTION = "execution"
    """Dynamic code execution: exec/eval/compile, Function, vm, loading marshalled code."""
    PROCESS = "process"
    """Spawning processes or shells."""
    NETWORK = "network"
    """Network access: HTTP, sockets, DNS."""
    EXFILTRATION = "exfiltration"
    """Endpoints that receive stolen data: webhooks, paste sites, raw IPs, tunnels."""
    CREDENTIALS = "credentials"
    """Reading secrets: SSH keys, cloud credentials, browser profiles, keyrings, environment."""
    FILESYSTEM = "filesystem"
    """Writing or making executable files, dropping binaries."""
    PERSISTENCE = "persistence"
    """Autostart entries, cron, registry Run keys, shell rc files."""
    SURVEILLANCE = "surveillance"
    """Clipboard, keylogging, screenshots."""
    CRYPTOMINING = "cryptomining"
    """Crypto-mining software or pools."""
    OBFUSCATION = "obfuscation"
    """Hidden code: encoded blobs, minified/packed code, computed names, PyArmor."""
    STEGANOGRAPHY = "steganography"
    """Code or payloads hidden in images and other data files."""
    UNICODE = "unicode"
    """Invisible or bidirectional characters that hide what code does (Trojan Source)."""
    BINARY = "binary"
    """Executables or libraries where none is expected."""
    METADATA = "metadata"
    """The package's metadata: manifest confusion, URL dependencies, placeholders."""
    ARCHIVE = "archive"
    """The archive itself is hostile or exceeds the reading limits."""


class Severity(StrEnum):
    """How bad the behaviour is if the finding is right, least to most."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 (info) to 4 (critical)."""
        return list(Severity).index(self)


class Confidence(StrEnum):
    """How sure the rule is that the behaviour is present as described."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def weight(self) -> float:
        """0.4, 0.7 or 1.0."""
        return {"low": 0.4, "medium": 0.7, "high": 1.0}[self.value]


class Phase(StrEnum):
    """When the code runs."""

    INSTALL = "install"
    """While the package is being installed or built (setup.py, lifecycle scripts)."""
    IMPORT = "import"
    """When the package is imported or required (module-level code, .pth files)."""
    RUNTIME = "runtime"
    """Only when the package's functions are called."""


class Kind(StrEnum):
    """Capability findings describe what code can do (normal in isolation); threat findings
    describe what malware does."""

    CAPABILITY = "capability"
    THREAT = "threat"


class Verdict(StrEnum):
    """The overall judgement."""

    BENIGN = "benign"
    SUSPICIOUS = "suspicious"
    MALICIOUS = "malicious"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One detection rule: registered once, referenced by id from findings."""

    id: str
    """Stable id, e.g. ``py-exec-decoded`` (prefix by language: ``py-``, ``js-``, ``bin-``,
    ``meta-``, ``archive-``, ``text-``)."""
    category: Category
    """What it detects."""
    severity: Severity
    """Default severity of its findings."""
    confidence: Confidence
    """Default confidence of its findings."""
    kind: Kind
    """Capability or threat."""
    description: str
    """One sentence: what the rule looks for and why it matters."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence."""

    rule: str
    """The rule id."""
    category: Category
    """The rule's category."""
    severity: Severity
    """Severity (the rule's default unless the analyser raised or lowered it)."""
    confidence: Confidence
    """Confidence (likewise)."""
    kind: Kind
    """Capability or threat."""
    path: str
    """The file inside the archive (``""`` for the archive or the package as a whole)."""
    line: int | None
    """1-based line, when it applies."""
    snippet: str
    """The code or text that triggered it, one line, at most 160 characters."""
    message: str
    """One sentence explaining what was found and why it matters."""
    phase: Phase | None = None
    """When the code runs, if it is code."""

    def to_dict(self) -> dict[str, object]:
        """The JSON form (the ``findings`` items of ``stockade scan --format json``)."""
        return {
            "rule": self.rule,
            "category": self.category.value,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "kind": self.kind.value,
            "path": self.path,
            "line": self.line,
            "snippet": self.snippet,
            "message": self.message,
            "phase": self.phase.value if self.phase else None,
        }


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding accepted by a suppression, with the reason."""

    finding: Finding
    """The finding."""
    reason: str
    """Why it is accepted."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The result of scanning one archive."""

    target: str
    """What was scanned: a file name or a purl."""
    verdict: Verdict
    """benign, suspicious or malicious."""
    score: float
    """Risk from 0 (nothing of concern) to 10 (certainly malicious)."""
    findings: tuple[Finding, ...]
    """Active findings, most severe first."""
    reasons: tuple[str, ...] = ()
    """How the verdict was reached, one sentence each (correlations that fired)."""
    suppressed: tuple[Suppressed, ...] = ()
    """Findings accepted by suppressions."""
    ecosystem: str | None = None
    """``PyPI`` or ``npm`` when known."""
    name: str | None = None
    """Package name when known."""
    version: str | None = None
    """Package version when known."""
    sha256: str | None = None
    """SHA-256 of the archive."""
    stats: dict[str, float] = field(default_factory=dict)
    """Counts and timings: members, bytes, files analysed, seconds."""
    error: str | None = None
    """Why the archive could not be scanned (then there is no verdict to trust)."""
