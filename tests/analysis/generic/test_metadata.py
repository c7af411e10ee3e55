"""MetadataAnalyzer: manifest confusion, URL dependencies, install scripts, placeholders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stockade.analysis.context import build_context
from stockade.analysis.metadata import RULES, MetadataAnalyzer
from stockade.analysis.model import Finding, Kind, Phase, Severity
from tests.analysis.generic.helpers import archive, fixture, rules_of

ANALYZER = MetadataAnalyzer()


def _scan_npm(
    manifest: dict[str, Any] | bytes,
    *,
    registry: dict[str, Any] | None = None,
    filename: str = "pkg-1.0.0.tgz",
    name: str | None = None,
    extra: dict[str, str | bytes] | None = None,
) -> list[Finding]:
    raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest, indent=2)
    files: dict[str, str | bytes] = {"package.json": raw, "index.js": "module.exports = 1;\n" * 5}
    files.update(extra or {})
    arch = archive(files, filename=filename)
    return list(ANALYZER.analyze(arch, build_context(arch, registry=registry, name=name)))


def _widget() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(fixture("npm", "package.json"))
    return manifest


def _registry() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(fixture("npm", "registry-version.json"))
    return document


def _only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def test_rules_are_registered_once_with_the_prefix() -> None:
    assert ANALYZER.rules == RULES
    assert len({r.id for r in RULES}) == len(RULES)
    assert all(r.id.startswith("meta-") for r in RULES)
    assert ANALYZER.wants("package.json") and ANALYZER.wants("PKG-INFO")
    assert not ANALYZER.wants("lib/index.js")


class TestHiddenInstallScript:
    def test_install_script_the_registry_does_not_show(self) -> None:
        raw = fixture("npm", "package.json")
        findings = _scan_npm(raw, registry=_registry(), filename="x.tgz")
        hidden = _only(findings, "meta-hidden-install-script")
        assert len(hidden) == 1
        assert hidden[0].kind is Kind.THREAT
        assert hidden[0].phase is Phase.INSTALL
        assert hidden[0].snippet == "postinstall: node scripts/install.js"
        assert hidden[0].line == 27
        assert "does not show it" in hidden[0].message

    def test_install_script_that_differs_from_the_registry(self) -> None:
        registry = _registry()
        registry["scripts"]["postinstall"] = "node scripts/check-env.js"
        hidden = _only(_scan_npm(_widget(), registry=registry), "meta-hidden-install-script")
        assert len(hidden) == 1
        assert "shows `node scripts/check-env.js` instead" in hidden[0].message

    def test_registry_without_scripts_at_all(self) -> None:
        registry = {"name": "tiny", "version": "1.0.0"}
        manifest = {"name": "tiny", "version": "1.0.0", "scripts": {"preinstall": "node p.js"}}
        findings = _scan_npm(manifest, registry=registry)
        assert "meta-hidden-install-script" in rules_of(findings)

    def test_same_script_with_other_spacing_is_not_hidden(self) -> None:
        registry = _registry()
        registry["scripts"]["postinstall"] = "node   scripts/install.js"
        findings = _scan_npm(_widget(), registry=registry)
        assert "meta-hidden-install-script" not in rules_of(findings)

    def test_registry_adding_node_gyp_is_not_confusion(self) -> None:
        # npm writes `install: node-gyp rebuild` into the registry document when it sees a
        # binding.gyp; the tarball keeps no such script.
        manifest = {"name": "addon", "version": "1.0.0"}
        registry = {**manifest, "scripts": {"install": "node-gyp rebuild"}, "gypfile": True}
        findings = _scan_npm(manifest, registry=registry, extra={"binding.gyp": "{}"})
        assert "meta-hidden-install-script" not in rules_of(findings)
        assert "meta-manifest-mismatch" not in rules_of(findings)

    def test_without_a_registry_document_nothing_is_compared(self) -> None:
        findings = _scan_npm(_widget(), registry=None)
        assert "meta-hidden-install-script" not in rules_of(findings)


class TestManifestMismatch:
    def test_version_and_added_dependency(self) -> None:
        manifest = _widget()
        manifest["version"] = "2.4.2"
        manifest["dependencies"]["node-fetch-agent"] = "^1.0.0"
        findings = _only(_scan_npm(manifest, registry=_registry()), "meta-manifest-mismatch")
        messages = " ".join(f.message for f in findings)
        assert "version '2.4.2'" in messages and "'2.4.1'" in messages
        assert "node-fetch-agent" in messages
        assert all(f.kind is Kind.CAPABILITY for f in findings)

    def test_changed_dependency_range(self) -> None:
        manifest = _widget()
        manifest["dependencies"]["semver"] = "^7.0.0"
        findings = _only(_scan_npm(manifest, registry=_registry()), "meta-manifest-mismatch")
        assert [f.snippet for f in findings] == ["semver: ^7.0.0"]

    def test_normalised_documents_match(self) -> None:
        # The registry merges optionalDependencies into dependencies and strips a leading v.
        manifest = _widget()
        manifest["version"] = "v2.4.1"
        registry = _registry()
        registry["scripts"]["postinstall"] = "node scripts/install.js"
        findings = _scan_npm(manifest, registry=registry)
        assert "meta-manifest-mismatch" not in rules_of(findings)

    def test_pypi_name_and_version(self) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "fancy_requests/__init__.py": "x=1\n" * 40,
        }
        arch = archive(files, fmt="sdist", filename="fancy_requests-1.8.0.tar.gz")
        registry = {"name": "fancy-request", "version": "1.9.0", "requires_dist": None}
        findings = list(ANALYZER.analyze(arch, build_context(arch, registry=registry)))
        mismatches = _only(findings, "meta-manifest-mismatch")
        assert len(mismatches) == 2
        assert mismatches[0].line == 2 and mismatches[1].line == 3

    def test_pypi_normalised_names_and_versions_match(self) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "fancy_requests/__init__.py": "x=1\n" * 40,
        }
        arch = archive(files, fmt="sdist", filename="fancy_requests-1.8.0.tar.gz")
        registry = {"name": "Fancy.Requests", "version": "1.8", "requires_dist": []}
        findings = list(ANALYZER.analyze(arch, build_context(arch, registry=registry)))
        assert findings == []


class TestNameMismatch:
    def test_file_name_for_another_package(self) -> None:
        manifest = {"name": "lodash", "version": "4.17.21"}
        findings = _scan_npm(manifest, filename="lodahs-4.17.21.tgz")
        assert rules_of(findings) == ["meta-name-mismatch"]
        assert "'lodahs'" in findings[0].message

    def test_requested_name(self) -> None:
        findings = _scan_npm({"name": "colors", "version": "1.4.0"}, name="colours")
        assert rules_of(findings) == ["meta-name-mismatch"]

    def test_wheel_file_version(self) -> None:
        files = {
            "fastgrid/__init__.py": "x = 1\n" * 30,
            "fastgrid-0.9.2.dist-info/METADATA": fixture("wheel", "METADATA"),
        }
        arch = archive(files, fmt="wheel", filename="fastgrid-1.0.0-py3-none-any.whl")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert rules_of(findings) == ["meta-name-mismatch"]
        assert "version '1.0.0'" in findings[0].message

    @pytest.mark.parametrize(
        ("name", "filename"),
        [
            ("@acme/widget-toolkit", "acme-widget-toolkit-1.0.0.tgz"),
            ("@acme/widget-toolkit", "widget-toolkit-1.0.0.tgz"),
            ("widget", "widget-1.0.0.tgz"),
            ("widget", "tmpk2j3h4.tgz"),
            ("widget", "package.tgz"),
        ],
    )
    def test_matching_or_uninformative_file_names(self, name: str, filename: str) -> None:
        findings = _scan_npm({"name": name, "version": "1.0.0"}, filename=filename)
        assert "meta-name-mismatch" not in rules_of(findings)

    @pytest.mark.parametrize(
        "filename",
        [
            "fancy-requests-1.8.0.tar.gz",
            "fancy_requests-1.8.0.tar.gz",
            "Fancy.Requests-1.8.0.zip",
            "fancy_requests-1.8.0-py3-none-any.whl",
        ],
    )
    def test_python_names_compare_normalised(self, filename: str) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "fancy_requests/__init__.py": "x=1\n" * 40,
        }
        fmt = "wheel" if filename.endswith(".whl") else "sdist"
        arch = archive(files, fmt=fmt, filename=filename)
        findings = list(ANALYZER.analyze(arch, build_context(arch, name="Fancy-Requests")))
        assert findings == []


class TestUrlDependency:
    def test_npm_specs(self) -> None:
        manifest = {
            "name": "app",
            "version": "1.0.0",
            "dependencies": {
                "helper": "http://45.61.136.22/helper-1.0.0.tgz",
                "left-pad": "github:acme/left-pad#v1.3.0",
                "util": "acme/util",
                "lib": "git+https://git.example.org/acme/lib.git",
                "chalk": "^5.3.0",
                "strip": "npm:strip-ansi@^7",
                "range": "1.x || >=2.5.0",
            },
            "optionalDependencies": {"tunnel": "https://files.example.org/tunnel.tgz"},
        }
        findings = _only(_scan_npm(manifest), "meta-url-dependency")
        by_dep = {f.snippet.split(":")[0]: f for f in findings}
        assert set(by_dep) == {"helper", "left-pad", "util", "lib", "tunnel"}
        assert by_dep["helper"].severity is Severity.HIGH
        assert "raw IP address" in by_dep["helper"].message
        assert by_dep["left-pad"].severity is Severity.LOW
        assert by_dep["tunnel"].severity is Severity.LOW
        assert all(f.kind is Kind.CAPABILITY for f in findings)

    def test_dev_dependencies_are_not_installed(self) -> None:
        manifest = {"name": "a", "version": "1.0.0", "devDependencies": {"x": "github:a/x"}}
        assert "meta-url-dependency" not in rules_of(_scan_npm(manifest))

    def test_python_direct_reference(self) -> None:
        pkg_info = (
            "Metadata-Version: 2.1\nName: dashboards\nVersion: 0.3.0\n"
            "Requires-Dist: requests>=2.31\n"
            "Requires-Dist: acme-core @ https://files.example.org/acme_core-1.0-py3-none-any.whl\n"
            "Requires-Dist: telemetry @ http://45.61.136.22/telemetry.tar.gz\n"
        )
        files = {"PKG-INFO": pkg_info, "dashboards/__init__.py": "x = 1\n" * 30}
        arch = archive(files, fmt="sdist", filename="dashboards-0.3.0.tar.gz")
        findings = _only(list(ANALYZER.analyze(arch, build_context(arch))), "meta-url-dependency")
        assert [(f.snippet.split(":")[0], f.severity, f.line) for f in findings] == [
            ("acme-core", Severity.LOW, 5),
            ("telemetry", Severity.HIGH, 6),
        ]

    def test_python_registry_requirements(self) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "fancy_requests/__init__.py": "x=1\n" * 40,
        }
        arch = archive(files, fmt="sdist", filename="fancy_requests-1.8.0.tar.gz")
        assert list(ANALYZER.analyze(arch, build_context(arch))) == []


class TestInstallScript:
    def test_npm_lifecycle_scripts(self) -> None:
        manifest = {
            "name": "a",
            "version": "1.0.0",
            "scripts": {"preinstall": "node check.js", "postinstall": "node scripts/install.js"},
        }
        findings = _only(_scan_npm(manifest), "meta-install-script")
        assert [f.snippet for f in findings] == [
            "preinstall: node check.js",
            "postinstall: node scripts/install.js",
        ]
        assert all(f.phase is Phase.INSTALL and f.kind is Kind.CAPABILITY for f in findings)
        assert findings[0].line == 5

    def test_implicit_node_gyp(self) -> None:
        manifest = {"name": "addon", "version": "1.0.0"}
        findings = _only(_scan_npm(manifest, extra={"binding.gyp": "{}"}), "meta-install-script")
        assert len(findings) == 1 and findings[0].severity is Severity.INFO

    def test_scripts_that_do_not_run_on_install(self) -> None:
        manifest = {
            "name": "a",
            "version": "1.0.0",
            "scripts": {"test": "jest", "build": "tsc", "prepare": "husky install"},
        }
        assert "meta-install-script" not in rules_of(_scan_npm(manifest))

    def test_setup_py_in_an_sdist_is_normal(self) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "setup.py": "from setuptools import setup\nsetup()\n",
            "fancy_requests/__init__.py": "x = 1\n" * 30,
        }
        arch = archive(files, fmt="sdist", filename="fancy_requests-1.8.0.tar.gz")
        assert list(ANALYZER.analyze(arch, build_context(arch))) == []


class TestPlaceholder:
    def test_security_holding_package(self) -> None:
        manifest = {"name": "discord-token-grabber", "version": "0.0.1-security"}
        findings = _scan_npm(
            manifest, filename="discord-token-grabber-0.0.1-security.tgz", extra={"README.md": "x"}
        )
        assert rules_of(findings) == ["meta-placeholder"]
        assert "took down" in findings[0].message
        assert findings[0].severity is Severity.INFO

    def test_no_files_besides_the_manifest(self) -> None:
        files = {"package.json": '{"name": "a", "version": "1.0.0"}', "README.md": "# a"}
        arch = archive(files, filename="a-1.0.0.tgz")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert rules_of(findings) == ["meta-placeholder"]

    def test_single_tiny_file(self) -> None:
        files = {
            "package.json": '{"name": "a", "version": "1.0.0"}',
            "index.js": "module.exports={}",
        }
        arch = archive(files, filename="a-1.0.0.tgz")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert rules_of(findings) == ["meta-placeholder"]
        assert findings[0].snippet == "module.exports={}"

    def test_python_meta_package(self) -> None:
        files = {"PKG-INFO": fixture("sdist", "PKG-INFO"), "setup.py": "", "LICENSE": "MIT"}
        arch = archive(files, fmt="sdist", filename="fancy_requests-1.8.0.tar.gz")
        assert rules_of(ANALYZER.analyze(arch, build_context(arch))) == ["meta-placeholder"]

    def test_real_package(self) -> None:
        files = {
            "package.json": fixture("npm", "package.json"),
            "lib/index.js": "module.exports = require('./theme');\n",
            "lib/theme.js": "module.exports = { dark: true };\n",
        }
        arch = archive(files, filename="acme-widget-toolkit-2.4.1.tgz")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert "meta-placeholder" not in rules_of(findings)


class TestNoManifest:
    def test_npm_without_package_json(self) -> None:
        arch = archive({"index.js": "x"}, fmt="npm")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert rules_of(findings) == ["meta-no-manifest"]
        assert "missing" in findings[0].message

    def test_npm_with_broken_package_json(self) -> None:
        arch = archive({"package.json": "{", "index.js": "x"}, fmt="npm")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert rules_of(findings) == ["meta-no-manifest"]
        assert "cannot be parsed" in findings[0].message

    def test_sdist_without_pkg_info(self) -> None:
        arch = archive({"setup.py": "from setuptools import setup\nsetup()\n"}, fmt="sdist")
        findings = list(ANALYZER.analyze(arch, build_context(arch)))
        assert rules_of(findings) == ["meta-no-manifest"]

    def test_unknown_archives_are_not_judged(self) -> None:
        arch = archive({"notes.txt": "x"}, fmt="archive")
        assert list(ANALYZER.analyze(arch, build_context(arch))) == []
