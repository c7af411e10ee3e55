"""Compiled executables and libraries where a package should have none, and files that pretend
to be something else (an ELF named ``logo.png``, a shell script named ``notes.txt``).

Only the first bytes of each member are read (every member's head is available), so this costs
one look per file. Whether binaries are normal comes from
:attr:`~stockade.analysis.interface.PackageContext.binaries_expected` (platform wheels, native
builds, platform-specific npm packages). Scripts named like images are the image analyser's.
"""

from __future__ import annotations

import posixpath
import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from stockade.analysis.context import command_files, implicit_gyp_install, install_scripts
from stockade.analysis.interface import Archive, Member, PackageContext, Reporter
from stockade.analysis.model import Category, Confidence, Finding, Kind, Phase, RuleInfo, Severity

RULES: list[RuleInfo] = [
    RuleInfo(
        id="bin-install-run",
        category=Category.BINARY,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="An executable in a package that builds no native code is named by the "
        "code that runs at install time, so installing the package runs it.",
    ),
    RuleInfo(
        id="bin-unexpected",
        category=Category.BINARY,
        severity=Severity.MEDIUM,
        confidence=Confidence.LOW,
        kind=Kind.THREAT,
        description="An executable in an npm package that builds no native code and has an "
        "install script that could run it.",
    ),
    RuleInfo(
        id="bin-present",
        category=Category.BINARY,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        kind=Kind.CAPABILITY,
        description="An executable or shared library in a package that is not expected to "
        "hold compiled code (a pure wheel, an sdist without native sources).",
    ),
    RuleInfo(
        id="bin-disguised",
        category=Category.BINARY,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="An executable (ELF, PE or Mach-O) is named like an image, document or "
        "script, which only serves to hide it.",
    ),
    RuleInfo(
        id="bin-disguised-script",
        category=Category.BINARY,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A script with a #! interpreter line is named like a document (.txt, .pdf, "
        ".md ...), which only serves to hide it.",
    ),
]
"""The binary analyser's rules."""

_RULES = {rule.id: rule for rule in RULES}

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".svg", ".icns"}
)
"""Image file name endings."""
DOCUMENT_SUFFIXES = frozenset(
    {
        ".txt",
        ".md",
        ".rst",
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".csv",
        ".rtf",
        ".log",
        ".html",
        ".htm",
        ".css",
        ".xml",
        ".json",
        ".yml",
        ".yaml",
        ".toml",
        ".ini",
        ".cfg",
        ".ttf",
        ".woff",
        ".woff2",
        ".mp3",
        ".mp4",
        ".wav",
    }
)
"""Document, data and media file name endings."""
SCRIPT_SUFFIXES = frozenset(
    {".js", ".cjs", ".mjs", ".ts", ".py", ".pyw", ".pyc", ".sh", ".rb", ".pl", ".php", ".lua"}
)
"""Source and script file name endings."""
MISLEADING_SUFFIXES = IMAGE_SUFFIXES | DOCUMENT_SUFFIXES | SCRIPT_SUFFIXES
"""Endings that an executable has no honest reason to carry."""

_ELF_TYPES = {1: "relocatable object", 2: "executable", 3: "shared object", 4: "core dump"}
_ELF_MACHINES = {
    3: "x86",
    8: "MIPS",
    20: "PowerPC",
    21: "PowerPC64",
    22: "S/390",
    40: "ARM",
    62: "x86-64",
    183: "AArch64",
    243: "RISC-V",
    258: "LoongArch",
}
_PE_MACHINES = {0x14C: "x86", 0x8664: "x86-64", 0xAA64: "ARM64", 0x1C4: "ARM"}
_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", "32-bit"),
    b"\xce\xfa\xed\xfe": ("<", "32-bit"),
    b"\xfe\xed\xfa\xcf": (">", "64-bit"),
    b"\xcf\xfa\xed\xfe": ("<", "64-bit"),
}
_MACHO_CPUS = {7: "x86", 0x01000007: "x86-64", 12: "ARM", 0x0100000C: "ARM64"}
_MACHO_TYPES = {1: "object", 2: "executable", 6: "dynamic library", 8: "bundle"}
_FAT_MAX_ARCHES = 30  # Java class files put their version (45 and up) where fat headers count
_MAX_NAMING_TEXT = 4 << 20
_TEST_DIRS = frozenset({"test", "tests", "testing", "testdata", "test_data", "fixtures", "data"})
_INTERPRETERS = ("sh", "bash", "zsh", "dash", "ksh", "python", "node", "perl", "ruby", "env")


@dataclass(frozen=True, slots=True)
class Executable:
    """A compiled executable or library recognised from its first bytes."""

    format: str
    """``ELF``, ``PE`` or ``Mach-O``."""
    detail: str
    """What its header says (``64-bit x86-64 shared object``), as far as the head shows."""

    def describe(self) -> str:
        """``ELF 64-bit x86-64 shared object``."""
        return f"{self.format} {self.detail}".strip()

    def article(self) -> str:
        """``an ELF ...``, ``a PE ...``, ``a Mach-O ...``."""
        return ("an " if self.format == "ELF" else "a ") + self.describe()


def sniff_executable(head: bytes, size: int | None = None) -> Executable | None:
    """The executable format of a file from its first bytes (``size``: its full size, when
    the head is shorter), or ``None``."""
    if head.startswith(b"\x7fELF"):
        return _elf(head)
    if head.startswith(b"MZ"):
        return _pe(head, len(head) if size is None else size)
    magic = head[:4]
    if magic in _MACHO_MAGICS:
        return _macho(head, *_MACHO_MAGICS[magic])
    if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf") and len(head) >= 8:
        (count,) = struct.unpack(">I", head[4:8])
        if 0 < count < _FAT_MAX_ARCHES:
            return Executable("Mach-O", f"universal binary ({count} architectures)")
    return None


def _elf(head: bytes) -> Executable | None:
    if len(head) < 20 or head[4] not in (1, 2) or head[5] not in (1, 2) or head[6] != 1:
        return None
    order = "<" if head[5] == 1 else ">"
    e_type, machine = struct.unpack(order + "HH", head[16:20])
    bits = "32-bit" if head[4] == 1 else "64-bit"
    what = _ELF_TYPES.get(e_type, "file")
    arch = _ELF_MACHINES.get(machine, f"machine {machine}")
    return Executable("ELF", f"{bits} {arch} {what}")


def _pe(head: bytes, size: int) -> Executable | None:
    if len(head) < 0x40:
        return None
    (offset,) = struct.unpack("<I", head[0x3C:0x40])
    if offset + 6 > len(head):
        # The PE header lies beyond the bytes read: trust the DOS header only for files large
        # enough to hold it.
        return Executable("PE", "(header beyond the bytes read)") if offset + 6 <= size else None
    if head[offset : offset + 4] != b"PE\x00\x00":
        return None
    (machine,) = struct.unpack("<H", head[offset + 4 : offset + 6])
    arch = _PE_MACHINES.get(machine, f"machine {machine:#x}")
    what = "executable"
    if offset + 24 <= len(head):
        (flags,) = struct.unpack("<H", head[offset + 22 : offset + 24])
        what = "DLL" if flags & 0x2000 else "executable"
    return Executable("PE", f"{arch} {what}")


def _macho(head: bytes, order: str, bits: str) -> Executable | None:
    if len(head) < 16:
        return None
    cpu, _, filetype = struct.unpack(order + "III", head[4:16])
    if cpu not in _MACHO_CPUS and filetype not in _MACHO_TYPES:
        return None
    arch = _MACHO_CPUS.get(cpu, f"cpu {cpu:#x}")
    return Executable("Mach-O", f"{bits} {arch} {_MACHO_TYPES.get(filetype, 'file')}")


def suffix_of(relpath: str) -> str:
    """The lower-case file name ending (``.png``), ``""`` when there is none."""
    base = posixpath.basename(relpath).lower()
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


class BinaryAnalyzer:
    """Finds executables where none are expected and files disguised as something else."""

    name = "binary"
    rules: Sequence[RuleInfo] = RULES

    def wants(self, relpath: str) -> bool:
        """Never: the head of every member is enough."""
        return False

    def analyze(self, archive: Archive, package: PackageContext) -> Iterator[Finding]:
        """One finding per executable that is unexpected or disguised, and per disguised
        script."""
        naming: str | None = None  # the text of install-time code, read on first need
        for member in archive.members:
            found = sniff_executable(member.data, member.size)
            if found is None:
                yield from _disguised_script(member, package)
                continue
            suffix = suffix_of(member.relpath)
            reporter = Reporter(_RULES, member.path)
            phase = package.phase_of(member.relpath)
            snippet = f"{member.relpath}: {found.describe()}"
            if suffix in MISLEADING_SUFFIXES:
                reporter.report(
                    "bin-disguised",
                    f"{member.relpath} is {found.article()} named as a {suffix} file.",
                    snippet=snippet,
                    phase=phase,
                )
            elif not package.binaries_expected:
                if naming is None:
                    naming = _install_text(archive, package)
                _unexpected(reporter, member, found, package, naming, snippet, phase)
            yield from reporter.findings


def _unexpected(
    reporter: Reporter,
    member: Member,
    found: Executable,
    package: PackageContext,
    naming: str,
    snippet: str,
    phase: Phase,
) -> None:
    base = posixpath.basename(member.relpath)
    what = found.describe()
    named = len(base) > 2 and re.search(rf"(?<![\w-]){re.escape(base)}(?![\w-])", naming)
    if named:
        reporter.report(
            "bin-install-run",
            f"{member.relpath} ({what}) is named by code that runs at install time, in a "
            "package that builds no native code.",
            snippet=snippet,
            phase=Phase.INSTALL,
        )
    elif package.ecosystem == "npm" and _npm_install_hook(package):
        reporter.report(
            "bin-unexpected",
            f"{member.relpath} is {found.article()} in an npm package that builds no native "
            "code and runs an install script.",
            snippet=snippet,
            phase=phase,
        )
    else:
        in_tests = any(part.lower() in _TEST_DIRS for part in member.relpath.split("/")[:-1])
        where = " (test data)" if in_tests else ""
        reporter.report(
            "bin-present",
            f"{member.relpath} is {found.article()}{where} in a package that is not expected to "
            "hold compiled code.",
            snippet=snippet,
            phase=phase,
            severity=Severity.LOW if in_tests else None,
        )


def _npm_install_hook(package: PackageContext) -> bool:
    return bool(install_scripts(package.manifest)) or bool(package.install_files)


def _install_text(archive: Archive, package: PackageContext) -> str:
    """The install-time commands and the text of install-time files, to look up names in."""
    parts: list[str] = []
    if package.ecosystem == "npm":
        for command in install_scripts(package.manifest).values():
            parts.append(command)
            parts.extend(command_files(command))
        if implicit_gyp_install(archive, package.manifest):
            parts.append("node-gyp rebuild")
    budget = _MAX_NAMING_TEXT
    for relpath in sorted(package.install_files):
        member = archive.get(relpath)
        text = member.text() if member is not None else None
        if text:
            parts.append(text[:budget])
            budget -= min(len(text), budget)
            if budget <= 0:
                break
    return "\n".join(parts)


def _disguised_script(member: Member, package: PackageContext) -> Iterator[Finding]:
    if not member.data.startswith(b"#!"):
        return
    suffix = suffix_of(member.relpath)
    if suffix not in DOCUMENT_SUFFIXES:
        return
    first = member.data[:128].split(b"\n", 1)[0].decode("latin-1").strip()
    words = first[2:].strip().split()
    if not words or not posixpath.basename(words[0]).startswith(_INTERPRETERS):
        return
    reporter = Reporter(_RULES, member.path)
    executable = " marked executable and" if member.executable else ""
    reporter.report(
        "bin-disguised-script",
        f"{member.relpath} is a script ({first}){executable} named as a {suffix} file.",
        snippet=first,
        phase=package.phase_of(member.relpath),
        severity=None if member.executable else Severity.MEDIUM,
        confidence=None if member.executable else Confidence.MEDIUM,
    )
    yield from reporter.findings
