"""SBOMs of the example projects, validated with the formats' official libraries."""

from __future__ import annotations

import base64
import functools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.json import json_parser
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from stockade import ecosystems
from stockade.ecosystems.graph import Scope
from stockade.errors import InputError
from stockade.provenance.sbom import (
    ROOT_REF,
    Project,
    SbomFormat,
    cyclonedx_json,
    read_project,
    sbom_json,
    spdx_json,
    timestamp_from_env,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PROJECTS = ["python-service", "npm-storefront", "python-worker"]
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@functools.cache
def _project(name: str) -> Project:
    return read_project(EXAMPLES / name)


@functools.cache
def _cyclonedx(name: str) -> str:
    """An example's CycloneDX text, made once per test run (the npm one takes seconds)."""
    return cyclonedx_json(_project(name), timestamp=WHEN)


def _expected_purls(project: Project) -> set[str]:
    return {ecosystems.get(n.ecosystem).purl(n.name, n.version) for n in project.graph}


@pytest.mark.parametrize("name", PROJECTS)
def test_cyclonedx_of_examples(name: str) -> None:
    project = _project(name)
    text = _cyclonedx(name)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    assert bom["metadata"]["timestamp"].startswith("2026-03-01T12:00:00")
    assert bom["metadata"]["tools"]["components"][0]["name"] == "stockade"
    assert {p["value"] for p in bom["metadata"]["properties"]} == set(project.files)
    components = bom["components"]
    assert len(components) == len(project.graph)
    assert {c["purl"] for c in components} == _expected_purls(project)
    dependencies = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    by_purl = {c["purl"]: c for c in components}
    direct = {ecosystems.get(n.ecosystem).purl(n.name, n.version) for n in project.graph.direct()}
    assert dependencies[ROOT_REF] == {by_purl[p]["bom-ref"] for p in direct}
    for node in project.graph:
        purl = ecosystems.get(node.ecosystem).purl(node.name, node.version)
        kids = {ecosystems.get(k[0]).purl(k[1], k[2]) for k in project.graph.children(node.key)}
        assert dependencies[by_purl[purl]["bom-ref"]] == {by_purl[k]["bom-ref"] for k in kids}
        expected_scope = (
            "required"
            if Scope.PROD in node.scopes or Scope.PEER in node.scopes
            else "optional"
            if Scope.OPTIONAL in node.scopes
            else "excluded"
        )
        assert by_purl[purl]["scope"] == expected_scope


def test_cyclonedx_details_of_an_npm_lock() -> None:
    project = _project("npm-storefront")
    bom = json.loads(_cyclonedx("npm-storefront"))
    scoped = [c for c in bom["components"] if c["purl"].startswith("pkg:npm/%40")]
    assert scoped, "the example locks scoped packages"
    for comp in scoped:
        assert comp["group"].startswith("@")
        assert comp["purl"].startswith(f"pkg:npm/%40{comp['group'][1:]}/{comp['name']}@")
    node = next(n for n in project.graph if n.hashes and n.hashes[0].startswith("sha512-"))
    comp = next(
        c
        for c in bom["components"]
        if c["name"] == node.name.split("/")[-1] and c["version"] == node.version
    )
    expected = base64.b64decode(node.hashes[0].removeprefix("sha512-")).hex()
    assert {"alg": "SHA-512", "content": expected} in comp["hashes"]
    dev = [c for c in bom["components"] if c["scope"] == "excluded"]
    assert dev, "dev-only packages are excluded from what runs"
    located = [c for c in bom["components"] if "evidence" in c]
    assert all(
        o["location"] in ("package.json", "package-lock.json")
        for c in located
        for o in c["evidence"]["occurrences"]
    )


@pytest.mark.parametrize("name", PROJECTS)
def test_spdx_of_examples(name: str, tmp_path: Path) -> None:
    project = _project(name)
    text = spdx_json(project, timestamp=WHEN)
    out = tmp_path / "sbom.spdx.json"
    out.write_text(text)
    document = json_parser.parse_from_file(str(out))
    assert validate_full_spdx_document(document, "SPDX-2.3") == []
    data = json.loads(text)
    assert data["spdxVersion"] == "SPDX-2.3"
    assert data["creationInfo"]["created"] == "2026-03-01T12:00:00Z"
    packages = {p["SPDXID"]: p for p in data["packages"]}
    assert len(packages) == len(project.graph) + 1
    purls = {
        ref["referenceLocator"]
        for p in data["packages"]
        for ref in p.get("externalRefs", [])
        if ref["referenceType"] == "purl"
    }
    assert purls == _expected_purls(project)
    relationships = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in data["relationships"]
    }
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Root") in relationships
    by_purl = {
        ref["referenceLocator"]: p["SPDXID"]
        for p in data["packages"]
        for ref in p.get("externalRefs", [])
    }
    edges = sum(len(kids) for kids in project.graph.edges.values())
    depends = [r for r in relationships if r[1] == "DEPENDS_ON" and r[0] != "SPDXRef-Root"]
    assert len(depends) == edges
    for node in project.graph.direct():
        ref = by_purl[ecosystems.get(node.ecosystem).purl(node.name, node.version)]
        assert {
            ("SPDXRef-Root", "DEPENDS_ON", ref),
            (ref, "DEV_DEPENDENCY_OF", "SPDXRef-Root"),
            (ref, "OPTIONAL_DEPENDENCY_OF", "SPDXRef-Root"),
        } & relationships
    files = {f["fileName"] for f in data["files"]}
    assert files == {f"./{f}" for f in project.files}
    manifests = [r for r in relationships if r[1] == "DEPENDENCY_MANIFEST_OF"]
    assert len(manifests) == len(project.files)


@pytest.mark.parametrize("sbom_format", list(SbomFormat))
def test_deterministic_with_a_timestamp(sbom_format: SbomFormat) -> None:
    first = sbom_json(_project("python-service"), sbom_format, timestamp=WHEN)
    again = sbom_json(read_project(EXAMPLES / "python-service"), sbom_format, timestamp=WHEN)
    assert first == again
    later = sbom_json(
        _project("python-service"), sbom_format, timestamp=datetime(2026, 3, 2, tzinfo=UTC)
    )
    assert later != first
    assert str(EXAMPLES) not in first, "no absolute paths of this machine"


def test_serial_changes_with_the_content(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.31.0\n")
    one = json.loads(cyclonedx_json(read_project(tmp_path), timestamp=WHEN))
    (tmp_path / "requirements.txt").write_text("requests==2.32.0\n")
    two = json.loads(cyclonedx_json(read_project(tmp_path), timestamp=WHEN))
    assert one["serialNumber"] != two["serialNumber"]
    assert one["serialNumber"].startswith("urn:uuid:")
    assert [c["purl"] for c in two["components"]] == ["pkg:pypi/requests@2.32.0"]


def test_source_date_epoch() -> None:
    assert timestamp_from_env({"SOURCE_DATE_EPOCH": "1772366400"}) == WHEN
    assert timestamp_from_env({}) is None
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        timestamp_from_env({"SOURCE_DATE_EPOCH": "yesterday"})


def test_no_manifests(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no manifest or lockfile found"):
        read_project(tmp_path)
    with pytest.raises(InputError, match="no such file or folder"):
        read_project(tmp_path / "absent")


def test_packages_from_outside_the_registry(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "requests==2.31.0\n"
        "mylib @ git+https://git.example/org/mylib@v1.2\n"
        "other @ https://files.example/other-1.0.tar.gz\n"
    )
    project = read_project(tmp_path)
    bom = json.loads(cyclonedx_json(project, timestamp=WHEN))
    refs = {c["name"]: c.get("externalReferences") for c in bom["components"]}
    assert refs == {
        "mylib": [{"type": "vcs", "url": "git+https://git.example/org/mylib@v1.2"}],
        "other": [{"type": "distribution", "url": "https://files.example/other-1.0.tar.gz"}],
        "requests": None,
    }
    doc = json.loads(spdx_json(project, timestamp=WHEN))
    locations = {p["name"]: p["downloadLocation"] for p in doc["packages"]}
    assert locations["other"] == "https://files.example/other-1.0.tar.gz"
    assert locations["requests"] == "NOASSERTION"
    # spdx-tools' download-location check rejects this git form, so it is not claimed.
    assert locations["mylib"] == "NOASSERTION"
