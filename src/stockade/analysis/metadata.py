"""Package-level checks on a package's metadata: manifest confusion between the registry and the
archive, URL and git dependencies, install scripts, placeholder packages and names that do not
match.

What the install scripts *do* is judged by the JavaScript analyser; names that imitate popular
packages are judged by a separate scoring stage.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidWheelFilename,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from stockade.analysis import indicators
from stockade.analysis.context import (
    dist_info_dirs,
    implicit_gyp_install,
    install_scripts,
    needs,
)
from stockade.analysis.interface import Archive, Member, PackageContext, Reporter
from stockade.analysis.model import Category, Confidence, Finding, Kind, Phase, RuleInfo, Severity

RULES: list[RuleInfo] = [
    RuleInfo(
        id="meta-hidden-install-script",
        category=Category.INSTALL_HOOK,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="The archive's package.json has an install script that the registry's "
        "version document does not show (manifest confusion), so reviewers never see it.",
    ),
    RuleInfo(
        id="meta-manifest-mismatch",
        category=Category.METADATA,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        kind=Kind.CAPABILITY,
        description="The archive's own manifest and the registry disagree on the name, version "
        "or dependencies, so what is installed is not what the registry shows.",
    ),
    RuleInfo(
        id="meta-name-mismatch",
        category=Category.METADATA,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        kind=Kind.CAPABILITY,
        description="The manifest names a different package or version than the archive's file "
        "name or the package that was asked for.",
    ),
    RuleInfo(
        id="meta-url-dependency",
        category=Category.METADATA,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        kind=Kind.CAPABILITY,
        description="A dependency is fetched from a URL or git repository instead of the "
        "registry, so its content is neither reviewed nor pinned by the registry.",
    ),
    RuleInfo(
        id="meta-install-script",
        category=Category.INSTALL_HOOK,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        kind=Kind.CAPABILITY,
        description="The package runs a command when it is installed (an npm preinstall, "
        "install or postinstall script).",
    ),
    RuleInfo(
        id="meta-placeholder",
        category=Category.METADATA,
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        kind=Kind.CAPABILITY,
        description="The package holds no code of its own, or a single tiny file: a "
        "placeholder, a meta-package or a registry takedown stub.",
    ),
    RuleInfo(
        id="meta-no-manifest",
        category=Category.METADATA,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        kind=Kind.CAPABILITY,
        description="The archive lacks the manifest every package of its kind has (package."
        "json, PKG-INFO or METADATA), or it cannot be parsed: it was not built by the usual "
        "tools.",
    ),
]
"""The metadata analyser's rules."""

_RULES = {rule.id: rule for rule in RULES}
SECURITY_PLACEHOLDER_VERSION = "0.0.1-security"
"""The version npm publishes in place of a package it took down."""
TINY_FILE_BYTES = 64
"""A package whose only content file is smaller than this counts as a placeholder."""

_NPM_DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
_GIT_HOSTS = ("github:", "gitlab:", "bitbucket:", "gist:")
_GITHUB_SHORTHAND = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(?:#\S*)?$")
_SEMVERISH = re.compile(r"^[\s\d.xX*^~<>=|v-]*$|^(?:latest|next|\*)$")
_DOC_NAMES = re.compile(
    r"(?i)^(?:readme|license|licence|copying|changelog|changes|history|authors|contributors|"
    r"notice|security|code_of_conduct|contributing)(?:[.-].*)?$"
)
_NPM_NON_CONTENT = frozenset({"package.json", ".npmignore", ".gitignore", ".gitattributes"})
_PY_NON_CONTENT = frozenset(
    {
        "PKG-INFO",
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "MANIFEST.in",
        "tox.ini",
        ".gitignore",
        "requirements.txt",
    }
)


class MetadataAnalyzer:
    """Package-level checks on the manifest and on what the registry says of it."""

    name = "metadata"
    rules: Sequence[RuleInfo] = RULES

    def wants(self, relpath: str) -> bool:
        """The manifests (package.json, PKG-INFO, METADATA, WHEEL, pyproject.toml)."""
        return needs(relpath)

    def analyze(self, archive: Archive, package: PackageContext) -> Iterator[Finding]:
        """Findings on the package as a whole, reported against its manifest file."""
        if package.ecosystem == "npm":
            yield from _npm(archive, package)
        elif package.ecosystem == "PyPI":
            yield from _python(archive, package)


# --- npm ------------------------------------------------------------------------------------


def _npm(archive: Archive, package: PackageContext) -> Iterator[Finding]:
    member = archive.get("package.json")
    manifest = package.manifest
    reporter = Reporter(_RULES, member.path if member else "")
    text = (member.text() if member else None) or ""
    if not manifest:
        reason = "cannot be parsed as a JSON object" if member else "is missing"
        reporter.report("meta-no-manifest", f"The npm archive's package.json {reason}.")
        yield from reporter.findings
        return
    registry = package.registry
    if registry and _npm_document(registry):
        _npm_confusion(reporter, manifest, registry, text)
    _name_checks(reporter, archive, package, npm=True)
    _npm_url_dependencies(reporter, manifest, text)
    for key, command in install_scripts(manifest).items():
        reporter.report(
            "meta-install-script",
            f"The {key} script runs `{_short(command)}` whenever the package is installed.",
            line=_line_of(text, f'"{key}"'),
            snippet=f"{key}: {command}",
            phase=Phase.INSTALL,
        )
    if implicit_gyp_install(archive, manifest) and archive.get("binding.gyp") is not None:
        reporter.report(
            "meta-install-script",
            "binding.gyp with no install script: npm runs `node-gyp rebuild` on install, which "
            "compiles native code and evaluates the command expansions in binding.gyp.",
            snippet="install: node-gyp rebuild (implicit)",
            phase=Phase.INSTALL,
            severity=Severity.INFO,
        )
    _placeholder(reporter, archive, manifest.get("version"), _npm_content(archive))
    yield from reporter.findings


def _npm_document(registry: Mapping[str, Any]) -> bool:
    """Whether ``registry`` looks like an npm version document (name and version at least)."""
    return isinstance(registry.get("name"), str) and isinstance(registry.get("version"), str)


def _npm_confusion(
    reporter: Reporter, manifest: Mapping[str, Any], registry: Mapping[str, Any], text: str
) -> None:
    for field in ("name", "version"):
        ours, theirs = manifest.get(field), registry.get(field)
        if field == "version":
            ours, theirs = _clean_semver(ours), _clean_semver(theirs)
        if isinstance(ours, str) and isinstance(theirs, str) and ours != theirs:
            reporter.report(
                "meta-manifest-mismatch",
                f"The archive's package.json says {field} {ours!r} but the registry's version "
                f"document says {theirs!r}.",
                line=_line_of(text, f'"{field}"'),
                snippet=f"{field}: {ours} (registry: {theirs})",
            )
    theirs_scripts = _string_map(registry.get("scripts"))
    for key, command in install_scripts(manifest).items():
        shown = theirs_scripts.get(key)
        if shown is not None and _fold(shown) == _fold(command):
            continue
        what = "does not show it" if shown is None else f"shows `{_short(shown)}` instead"
        reporter.report(
            "meta-hidden-install-script",
            f"The archive's {key} script runs `{_short(command)}` but the registry {what}: the "
            "install script is hidden from anyone reading the registry.",
            line=_line_of(text, f'"{key}"'),
            snippet=f"{key}: {command}",
            phase=Phase.INSTALL,
        )
    ours_deps = _npm_dependencies(manifest)
    theirs_deps = _npm_dependencies(registry)
    for dep, spec in ours_deps.items():
        shown = theirs_deps.get(dep)
        if shown is None:
            message = f"The archive depends on {dep} ({spec}), which the registry does not list."
        elif (
            shown.strip() != spec.strip()
            and _SEMVERISH.match(spec.strip())
            and _SEMVERISH.match(shown.strip())
        ):
            message = f"The archive asks for {dep} {spec} but the registry lists {dep} {shown}."
        else:
            continue
        reporter.report(
            "meta-manifest-mismatch",
            message,
            line=_line_of(text, f'"{dep}"'),
            snippet=f"{dep}: {spec}",
        )


def _npm_dependencies(document: Mapping[str, Any]) -> dict[str, str]:
    """Installed dependencies (regular and optional) of a package.json-shaped mapping."""
    merged: dict[str, str] = {}
    for field in ("dependencies", "optionalDependencies"):
        merged.update(_string_map(document.get(field)))
    return merged


def _npm_url_dependencies(reporter: Reporter, manifest: Mapping[str, Any], text: str) -> None:
    seen: set[tuple[str, str]] = set()
    for field in _NPM_DEPENDENCY_FIELDS:
        for dep, spec in _string_map(manifest.get(field)).items():
            if (dep, spec) in seen:
                continue
            seen.add((dep, spec))
            kind = _npm_spec_kind(spec.strip())
            if kind is None:
                continue
            _report_url_dependency(reporter, dep, spec.strip(), kind, _line_of(text, f'"{dep}"'))


def _npm_spec_kind(spec: str) -> str | None:
    """``URL``, ``git repository``, ``local path`` or ``None`` for a registry range."""
    lowered = spec.lower()
    if lowered.startswith(("http://", "https://")):
        return "URL"
    if lowered.startswith(("git+", "git://", "git@", *_GIT_HOSTS)):
        return "git repository"
    if lowered.startswith(("file:", "link:")):
        return "local path"
    if lowered.startswith("npm:"):
        return None
    if _GITHUB_SHORTHAND.match(spec) and not _SEMVERISH.match(spec):
        return "git repository"
    return None


def _report_url_dependency(
    reporter: Reporter, dep: str, spec: str, kind: str, line: int | None
) -> None:
    severity = Severity.LOW
    why = ""
    urls = indicators.find_urls(spec) or ([spec] if "://" in spec else [])
    for url in urls:
        endpoint = indicators.classify_url(url.removeprefix("git+"))
        if endpoint is not None:
            severity = Severity.HIGH if endpoint.strong else Severity.MEDIUM
            why = f" ({endpoint.reason})"
            break
    else:
        if spec.lower().startswith(("http://", "git+http://", "git://")):
            severity = Severity.MEDIUM
            why = " over an unencrypted connection"
    reporter.report(
        "meta-url-dependency",
        f"Dependency {dep} comes from a {kind}{why} instead of the registry: {_short(spec)}.",
        line=line,
        snippet=f"{dep}: {spec}",
        severity=severity,
    )


def _npm_content(archive: Archive) -> list[Member]:
    return [
        m
        for m in archive.members
        if m.relpath not in _NPM_NON_CONTENT and not _DOC_NAMES.match(posixpath.basename(m.relpath))
    ]


def _clean_semver(value: Any) -> Any:
    return value.strip().lstrip("v=").strip() if isinstance(value, str) else value


# --- PyPI -----------------------------------------------------------------------------------


def _python(archive: Archive, package: PackageContext) -> Iterator[Finding]:
    member = _python_manifest_member(archive)
    reporter = Reporter(_RULES, member.path if member else "")
    text = (member.text() if member else None) or ""
    manifest = package.manifest
    if not manifest or not isinstance(manifest.get("name"), str):
        which = "METADATA" if archive.format == "wheel" else "PKG-INFO"
        reason = "has no Name field" if member else "is missing"
        reporter.report("meta-no-manifest", f"The archive's {which} {reason}.")
        yield from reporter.findings
        return
    registry = package.registry
    if registry:
        _python_confusion(reporter, manifest, registry, text)
    _name_checks(reporter, archive, package, npm=False)
    requires = manifest.get("requires-dist") or []
    for entry in requires if isinstance(requires, list) else [requires]:
        try:
            requirement = Requirement(str(entry))
        except InvalidRequirement:
            continue
        if requirement.url:
            _report_url_dependency(
                reporter,
                requirement.name,
                requirement.url,
                "URL" if "://" in requirement.url else "local path",
                _line_of(text, str(entry)),
            )
    _placeholder(reporter, archive, manifest.get("version"), _python_content(archive))
    yield from reporter.findings


def _python_manifest_member(archive: Archive) -> Member | None:
    member = archive.get("PKG-INFO")
    if member is None:
        for folder in dist_info_dirs(archive):
            member = archive.get(f"{folder}/METADATA")
            if member is not None:
                break
    return member


def _python_confusion(
    reporter: Reporter, manifest: Mapping[str, Any], registry: Mapping[str, Any], text: str
) -> None:
    ours, theirs = manifest.get("name"), registry.get("name")
    if (
        isinstance(ours, str)
        and isinstance(theirs, str)
        and canonicalize_name(ours) != canonicalize_name(theirs)
    ):
        reporter.report(
            "meta-manifest-mismatch",
            f"The archive's metadata names {ours!r} but the registry's project is {theirs!r}.",
            line=_field_line(text, "Name"),
            snippet=f"Name: {ours} (registry: {theirs})",
        )
    ours, theirs = manifest.get("version"), registry.get("version")
    if isinstance(ours, str) and isinstance(theirs, str) and not _same_version(ours, theirs):
        reporter.report(
            "meta-manifest-mismatch",
            f"The archive's metadata says version {ours!r} but the registry says {theirs!r}.",
            line=_field_line(text, "Version"),
            snippet=f"Version: {ours} (registry: {theirs})",
        )


def _python_content(archive: Archive) -> list[Member]:
    dist_info = tuple(f"{d}/" for d in dist_info_dirs(archive))
    return [
        m
        for m in archive.members
        if m.relpath not in _PY_NON_CONTENT
        and not m.relpath.startswith(dist_info)
        and ".egg-info/" not in m.relpath
        and not _DOC_NAMES.match(posixpath.basename(m.relpath))
    ]


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a.strip() == b.strip()


# --- shared ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FileName:
    """Name and version read from an archive's file name."""

    name: str
    version: str


def _name_checks(
    reporter: Reporter, archive: Archive, package: PackageContext, *, npm: bool
) -> None:
    """The manifest's name against the requested package and the archive's file name."""
    ours = package.manifest.get("name")
    version = package.manifest.get("version")
    if not isinstance(ours, str) or not ours or ours == "UNKNOWN":
        return

    def same(a: str, b: str) -> bool:
        return a == b if npm else canonicalize_name(a) == canonicalize_name(b)

    registry_name = (package.registry or {}).get("name")
    requested = package.name
    if requested and not same(ours, requested) and not isinstance(registry_name, str):
        reporter.report(
            "meta-name-mismatch",
            f"The manifest names the package {ours!r}, not {requested!r} as asked for.",
            snippet=f"name: {ours} (asked for: {requested})",
        )
    parsed = _parse_filename(archive.filename, version if isinstance(version, str) else None, npm)
    if parsed is None:
        return
    # npm packs @scope/name as scope-name-1.0.0.tgz; the registry serves it as name-1.0.0.tgz.
    expected = {ours.lstrip("@").replace("/", "-"), ours.rsplit("/", 1)[-1]} if npm else {ours}
    if not any(same(parsed.name, e) for e in expected):
        reporter.report(
            "meta-name-mismatch",
            f"The archive's file name {posixpath.basename(archive.filename)!r} is for "
            f"{parsed.name!r}, but its manifest names {ours!r}.",
            snippet=f"file: {posixpath.basename(archive.filename)}; name: {ours}",
        )
    elif isinstance(version, str) and not (
        parsed.version == version or (not npm and _same_version(parsed.version, version))
    ):
        reporter.report(
            "meta-name-mismatch",
            f"The archive's file name says version {parsed.version!r}, but its manifest says "
            f"{version!r}.",
            snippet=f"file: {posixpath.basename(archive.filename)}; version: {version}",
        )


def _parse_filename(filename: str, version: str | None, npm: bool) -> _FileName | None:
    """Name and version from ``name-version.tgz``, an sdist or a wheel file name; ``None``
    when the file name is not shaped like one (a temporary or renamed file)."""
    base = posixpath.basename(filename.replace("\\", "/"))
    if base.endswith(".whl") and not npm:
        try:
            wheel_name, parsed, _, _ = parse_wheel_filename(base)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return _FileName(str(wheel_name), str(parsed))
    for suffix in (".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar"):
        if base.endswith(suffix):
            stem = base[: -len(suffix)]
            break
    else:
        return None
    if version and stem.endswith("-" + version):
        return _FileName(stem[: -len(version) - 1], version)
    name, sep, found = stem.rpartition("-")
    if not sep or not name or not re.match(r"^v?\d+(?:\.\d+)+", found):
        return None
    if npm:
        return None  # npm versions hold hyphens: only the exact manifest version is trusted
    return _FileName(name, found)


def _placeholder(reporter: Reporter, archive: Archive, version: Any, content: list[Member]) -> None:
    if version == SECURITY_PLACEHOLDER_VERSION:
        reporter.report(
            "meta-placeholder",
            "Version 0.0.1-security is the registry's placeholder for a package it took down "
            "as malicious.",
            snippet=f"version: {version}",
        )
        return
    if not content:
        reporter.report(
            "meta-placeholder",
            "The package holds no files besides its manifest and documents: a placeholder or a "
            "meta-package.",
        )
    elif len(content) == 1 and content[0].size < TINY_FILE_BYTES:
        only = content[0]
        reporter.report(
            "meta-placeholder",
            f"The package's only file besides its manifest is {only.relpath} ({only.size} "
            "bytes): a placeholder.",
            snippet=(only.text() or "")[:TINY_FILE_BYTES],
        )


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _fold(command: str) -> str:
    return " ".join(command.split())


def _short(text: str, limit: int = 100) -> str:
    one = _fold(text)
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _field_line(text: str, field: str) -> int | None:
    """1-based line of a core metadata header field."""
    found = re.search(rf"(?im)^{re.escape(field)}:", text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _line_of(text: str, needle: str) -> int | None:
    """1-based line of the first occurrence of ``needle`` in ``text``."""
    if not text or not needle:
        return None
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
