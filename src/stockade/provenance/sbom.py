"""SBOMs of a project: CycloneDX 1.6 and SPDX 2.3 JSON from its dependency graph.

The project's manifests and lockfiles are read as ``stockade check`` reads them
(:func:`~stockade.check.discover.find_manifests` and
:func:`~stockade.check.discover.build_graph`). Every package of the graph becomes a component
(CycloneDX) or package (SPDX) with its purl, version, scope, the places it was declared and
its recorded digests; the graph's edges become dependency relationships, the project itself
the root, and the files read are listed. Each document is built with its format's official
library and validated by it before it is returned. Given a timestamp, output is a function of
the project's files alone (serial numbers and namespaces are derived from the content).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.file import File, FileType
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.validation.uri_validators import validate_download_location

import stockade
from stockade.check.discover import build_graph, find_manifests
from stockade.ecosystems import get as get_ecosystem
from stockade.ecosystems.graph import DependencyGraph, Location, Node, NodeKey, Scope, Source
from stockade.errors import InputError, StockadeError

TOOL_NAME = "stockade"
"""The tool named in the documents."""
PROPERTY_PREFIX = "stockade:"
"""Namespace of Stockade's own CycloneDX properties."""
ROOT_REF = "stockade-root"
"""CycloneDX bom-ref of the project itself."""
SPDX_NAMESPACE_BASE = "https://stockade.dev/spdxdocs/"
"""Prefix of SPDX document namespaces (made unique by a content-derived UUID)."""


class SbomFormat(StrEnum):
    """The SBOM formats written."""

    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"


@dataclass(frozen=True, slots=True)
class Project:
    """A project's dependency graph and the files it was read from."""

    name: str
    """The project's name (its folder's)."""
    root: Path
    """The folder (or the one file) read."""
    graph: DependencyGraph
    """Its dependencies."""
    files: tuple[str, ...]
    """The manifests and lockfiles read, relative to the project folder, ``/``-separated."""
    file_digests: Mapping[str, Mapping[str, str]]
    """SHA-1 and SHA-256 (hex) of each file read."""


def read_project(path: Path, *, exclude: Sequence[str] = ()) -> Project:
    """Find and read a project's manifests and lockfiles.

    Raises :class:`~stockade.errors.InputError` when the path does not exist or holds none.
    """
    manifests = find_manifests(path, exclude=exclude)
    if not manifests:
        raise InputError(
            "no manifest or lockfile found", path=path, hint="point at a project folder"
        )
    graph = build_graph(manifests)
    base = path if path.is_dir() else path.parent
    files: list[str] = []
    digests: dict[str, dict[str, str]] = {}
    for manifest in manifests:
        rel = _relative(str(manifest.path), base)
        files.append(rel)
        data = manifest.path.read_bytes()
        digests[rel] = {
            "sha1": hashlib.sha1(data, usedforsecurity=False).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    name = path.resolve().name if path.is_dir() else path.resolve().parent.name
    return Project(
        name=name or "project",
        root=path,
        graph=graph,
        files=tuple(sorted(files)),
        file_digests=digests,
    )


def _relative(text: str, base: Path) -> str:
    path = Path(text)
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def timestamp_from_env(env: Mapping[str, str]) -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, if set (reproducible-builds convention)."""
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"SOURCE_DATE_EPOCH is not a POSIX time: {raw!r}") from None


# --- shared ----------------------------------------------------------------------------------


def _sorted_nodes(graph: DependencyGraph) -> list[Node]:
    return sorted(graph, key=lambda n: (n.ecosystem.value, n.name, n.version or ""))


def _purl(node: Node) -> str:
    return get_ecosystem(node.ecosystem).purl(node.name, node.version)


def _hashes(node: Node) -> list[tuple[str, str]]:
    """(algorithm, hex) of the node's recorded digests: ``sha256:HEX``, npm ``sha512-B64``."""
    found: list[tuple[str, str]] = []
    for text in node.hashes:
        algorithm, sep, value = text.partition(":")
        if sep and re.fullmatch(r"[0-9a-fA-F]+", value):
            found.append((algorithm.lower(), value.lower()))
            continue
        algorithm, sep, value = text.partition("-")
        if sep and algorithm in ("sha1", "sha256", "sha384", "sha512"):
            try:
                found.append((algorithm, base64.b64decode(value, validate=True).hex()))
            except binascii.Error:
                continue
    return [
        (a, v) for a, v in dict.fromkeys(found) if a in _HEX_LENGTHS and len(v) == _HEX_LENGTHS[a]
    ]


_HEX_LENGTHS = {"sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}


def _location_text(loc: Location, base: Path) -> tuple[str, int | None]:
    return _relative(loc.path, base), loc.line


def _content_id(project: Project, timestamp: datetime) -> uuid.UUID:
    """A UUID that changes with the packages, edges, files and time, and nothing else."""
    graph = project.graph
    parts = [project.name, timestamp.isoformat()]
    parts += [f"{n.ecosystem.value}|{n.name}|{n.version}" for n in _sorted_nodes(graph)]
    parts += sorted(f"{p[1]}@{p[2]}>{c[1]}@{c[2]}" for p, kids in graph.edges.items() for c in kids)
    parts += [f"{f}={project.file_digests[f]['sha256']}" for f in project.files]
    return uuid.uuid5(uuid.NAMESPACE_URL, "\n".join(parts))


def _base(project: Project) -> Path:
    return project.root if project.root.is_dir() else project.root.parent


# --- CycloneDX -------------------------------------------------------------------------------


def cyclonedx_json(project: Project, *, timestamp: datetime | None = None) -> str:
    """The project's SBOM as CycloneDX 1.6 JSON, validated against the 1.6 schema."""
    moment = timestamp or datetime.now(UTC)
    base = _base(project)
    algorithms = {
        "sha1": HashAlgorithm.SHA_1,
        "sha256": HashAlgorithm.SHA_256,
        "sha384": HashAlgorithm.SHA_384,
        "sha512": HashAlgorithm.SHA_512,
    }
    bom = Bom(serial_number=_content_id(project, moment))
    bom.metadata.timestamp = moment
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name=TOOL_NAME, version=stockade.__version__)
    )
    root = Component(type=ComponentType.APPLICATION, name=project.name, bom_ref=ROOT_REF)
    bom.metadata.component = root
    bom.metadata.properties.update(
        Property(name=PROPERTY_PREFIX + "source", value=f) for f in project.files
    )

    by_key: dict[NodeKey, Component] = {}
    used: set[str] = {ROOT_REF}
    for node in _sorted_nodes(project.graph):
        purl = _purl(node)
        ref, n = purl, 1
        while ref in used:
            n += 1
            ref = f"{purl}#{n}"
        used.add(ref)
        group: str | None = None
        name = node.name
        if name.startswith("@") and "/" in name:
            group, name = name.split("/", 1)
        # Occurrences get bom-refs of their own: the library orders them by bom-ref and
        # would otherwise give them random ones.
        occurrences = [
            Occurrence(bom_ref=f"{ref}|{path}:{line or 0}", location=path, line=line)
            for path, line in dict.fromkeys(_location_text(loc, base) for loc in node.locations)
        ]
        props = [
            Property(name=PROPERTY_PREFIX + "ecosystem", value=node.ecosystem.value),
            Property(name=PROPERTY_PREFIX + "direct", value=str(node.direct).lower()),
            Property(name=PROPERTY_PREFIX + "resolution", value=node.resolution.value),
            *(Property(name=PROPERTY_PREFIX + "scope", value=s.value) for s in node.scopes),
        ]
        if node.spec:
            props.append(Property(name=PROPERTY_PREFIX + "spec", value=node.spec))
        component = Component(
            type=ComponentType.LIBRARY,
            name=name,
            group=group,
            version=node.version,
            purl=PackageURL.from_string(purl),
            bom_ref=ref,
            scope=_cyclonedx_scope(node.scopes),
            hashes=[HashType(alg=algorithms[a], content=v) for a, v in _hashes(node)],
            evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
            external_references=_external_references(node),
            properties=props,
        )
        by_key[node.key] = component
        bom.components.add(component)

    direct = [by_key[n.key] for n in _sorted_nodes(project.graph) if n.direct]
    bom.register_dependency(root, direct)
    for key, component in by_key.items():
        kids = sorted(
            (by_key[k] for k in project.graph.children(key) if k in by_key),
            key=lambda c: str(c.bom_ref),
        )
        bom.register_dependency(component, kids)

    with warnings.catch_warnings():
        # Packages no direct dependency reaches leave the tree partial: that is the graph.
        warnings.filterwarnings("ignore", message="The Component this BOM", category=UserWarning)
        text = JsonV1Dot6(bom).output_as_string(indent=2)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise StockadeError(f"the CycloneDX document does not validate: {error}")
    return text + "\n"


def _external_references(node: Node) -> list[ExternalReference]:
    """Where a package from outside the registry comes from: a VCS or a distribution URL."""
    if not node.source_url or node.source not in (Source.GIT, Source.URL):
        return []
    kind = (
        ExternalReferenceType.VCS
        if node.source is Source.GIT
        else (ExternalReferenceType.DISTRIBUTION)
    )
    try:
        return [ExternalReference(type=kind, url=XsUri(node.source_url))]
    except ValueError:  # not a URI the schema accepts
        return []


def _download_location(node: Node) -> str | SpdxNoAssertion:
    """SPDX ``downloadLocation``: the URL or VCS location of a non-registry package."""
    url = node.source_url
    if url and node.source in (Source.GIT, Source.URL) and not validate_download_location(url):
        return url
    return SpdxNoAssertion()


def _cyclonedx_scope(scopes: set[Scope]) -> ComponentScope:
    if Scope.PROD in scopes or Scope.PEER in scopes or not scopes:
        return ComponentScope.REQUIRED
    if Scope.OPTIONAL in scopes:
        return ComponentScope.OPTIONAL
    return ComponentScope.EXCLUDED  # dev only: not part of what runs


# --- SPDX ------------------------------------------------------------------------------------


def _spdx_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-") or "x"


def spdx_json(project: Project, *, timestamp: datetime | None = None) -> str:
    """The project's SBOM as SPDX 2.3 JSON, validated with spdx-tools."""
    moment = (timestamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    uid = _content_id(project, moment)
    checksum_algorithms = {
        "sha1": ChecksumAlgorithm.SHA1,
        "sha256": ChecksumAlgorithm.SHA256,
        "sha384": ChecksumAlgorithm.SHA384,
        "sha512": ChecksumAlgorithm.SHA512,
    }
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=project.name,
        document_namespace=f"{SPDX_NAMESPACE_BASE}{_spdx_id(project.name)}-{uid}",
        creators=[Actor(ActorType.TOOL, f"{TOOL_NAME}-{stockade.__version__}")],
        created=moment,
    )
    root_id = "SPDXRef-Root"
    packages = [
        Package(
            spdx_id=root_id,
            name=project.name,
            download_location=SpdxNoAssertion(),
            files_analyzed=False,
            primary_package_purpose=PackagePurpose.APPLICATION,
        )
    ]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root_id)]
    ids: dict[NodeKey, str] = {}
    used: set[str] = {root_id}
    for node in _sorted_nodes(project.graph):
        stem = f"SPDXRef-Package-{node.ecosystem.purl_type}-{_spdx_id(node.name)}"
        if node.version:
            stem += f"-{_spdx_id(node.version)}"
        spdx_id, n = stem, 1
        while spdx_id in used:
            n += 1
            spdx_id = f"{stem}-{n}"
        used.add(spdx_id)
        ids[node.key] = spdx_id
        packages.append(
            Package(
                spdx_id=spdx_id,
                name=node.name,
                version=node.version,
                download_location=_download_location(node),
                files_analyzed=False,
                checksums=[Checksum(checksum_algorithms[a], v) for a, v in _hashes(node)],
                external_references=[
                    ExternalPackageRef(
                        ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", _purl(node)
                    )
                ],
                primary_package_purpose=PackagePurpose.LIBRARY,
            )
        )
    for node in _sorted_nodes(project.graph):
        if not node.direct:
            continue
        if Scope.PROD in node.scopes or Scope.PEER in node.scopes or not node.scopes:
            relationships.append(Relationship(root_id, RelationshipType.DEPENDS_ON, ids[node.key]))
        elif Scope.OPTIONAL in node.scopes:
            relationships.append(
                Relationship(ids[node.key], RelationshipType.OPTIONAL_DEPENDENCY_OF, root_id)
            )
        else:
            relationships.append(
                Relationship(ids[node.key], RelationshipType.DEV_DEPENDENCY_OF, root_id)
            )
    for key in sorted(ids, key=lambda k: ids[k]):
        for kid in sorted(ids[k] for k in project.graph.children(key) if k in ids):
            relationships.append(Relationship(ids[key], RelationshipType.DEPENDS_ON, kid))
    files = []
    for index, rel in enumerate(project.files, start=1):
        file_id = f"SPDXRef-File-{index}-{_spdx_id(rel)}"
        digests = project.file_digests[rel]
        files.append(
            File(
                name=f"./{rel}",
                spdx_id=file_id,
                checksums=[
                    Checksum(ChecksumAlgorithm.SHA1, digests["sha1"]),
                    Checksum(ChecksumAlgorithm.SHA256, digests["sha256"]),
                ],
                file_types=[FileType.TEXT],
            )
        )
        relationships.append(
            Relationship(file_id, RelationshipType.DEPENDENCY_MANIFEST_OF, root_id)
        )
    document = Document(
        creation_info=creation, packages=packages, files=files, relationships=relationships
    )
    problems = validate_full_spdx_document(document)
    if problems:
        raise StockadeError(
            f"the SPDX document does not validate: {problems[0].validation_message}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    converter = DocumentConverter()  # type: ignore[no-untyped-call]  # spdx-tools leaves it bare
    data = converter.convert(document)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def sbom_json(
    project: Project, sbom_format: SbomFormat, *, timestamp: datetime | None = None
) -> str:
    """The project's SBOM in ``sbom_format``."""
    if sbom_format is SbomFormat.SPDX:
        return spdx_json(project, timestamp=timestamp)
    return cyclonedx_json(project, timestamp=timestamp)
