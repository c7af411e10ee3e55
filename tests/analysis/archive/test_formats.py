"""Ordinary archives: formats, top folders, relative paths, modes, wants and heads, errors."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from stockade.analysis.archive import RULES, ArchiveError, Limits, read_archive
from stockade.analysis.model import Category, Kind, Severity
from stockade.errors import StockadeError
from tests.analysis.archive.build import file, folder, sdist, tar, zip_


def recorder(seen: list[str]) -> Callable[[str], bool]:
    """A ``wants`` that wants everything and remembers what it was asked."""

    def wants(relpath: str) -> bool:
        seen.append(relpath)
        return True

    return wants


def rules_of(archive: object) -> list[str]:
    return [f.rule for f in archive.findings]  # type: ignore[attr-defined]


class TestSdist:
    def test_members_root_relpaths_and_modes(self) -> None:
        archive = read_archive(sdist(), filename="demo-1.0.tar.gz")
        assert archive.format == "sdist"
        assert archive.root == "demo-1.0"
        assert archive.filename == "demo-1.0.tar.gz"
        assert archive.findings == []
        paths = {m.relpath: m for m in archive.members}
        assert set(paths) == {
            "PKG-INFO",
            "setup.py",
            "pyproject.toml",
            "src/demo/__init__.py",
            "scripts/run.sh",
        }
        assert paths["setup.py"].path == "demo-1.0/setup.py"
        assert paths["setup.py"].text() == "from setuptools import setup\nsetup()\n"
        assert paths["setup.py"].complete
        assert paths["scripts/run.sh"].executable
        assert not paths["setup.py"].executable
        assert archive.get("PKG-INFO") is paths["PKG-INFO"]
        assert archive.total_size == sum(m.size for m in archive.members)

    def test_sha256_of_the_source_bytes_and_path_equals_bytes(self, tmp_path: Path) -> None:
        data = sdist()
        target = tmp_path / "demo-1.0.tar.gz"
        target.write_bytes(data)
        from_path = read_archive(target)
        from_bytes = read_archive(data, filename="demo-1.0.tar.gz")
        assert from_path.sha256 == hashlib.sha256(data).hexdigest() == from_bytes.sha256
        assert from_path.filename == "demo-1.0.tar.gz"
        assert [m.path for m in from_path.members] == [m.path for m in from_bytes.members]

    @pytest.mark.parametrize("compression", ["gz", "bz2", "xz", ""])
    def test_every_tar_compression_by_magic_not_name(self, compression: str) -> None:
        data = tar(
            [file("demo-2.0/PKG-INFO", "Name: demo\n"), file("demo-2.0/a.py", "x = 1\n")],
            compression,
        )
        archive = read_archive(data, filename="misnamed.zip")
        assert archive.format == "sdist"
        assert archive.root == "demo-2.0"
        assert [m.relpath for m in archive.members] == ["PKG-INFO", "a.py"]

    def test_concatenated_xz_streams_with_padding(self) -> None:
        plain = tar([file("demo-1.0/PKG-INFO", "Name: demo\n"), file("demo-1.0/a.py", "1")], "")
        half = len(plain) // 2
        data = lzma.compress(plain[:half]) + bytes(8) + lzma.compress(plain[half:]) + bytes(4)
        archive = read_archive(data)
        assert [m.data for m in archive.members] == [b"Name: demo\n", b"1"]
        assert archive.findings == []

    def test_dot_slash_prefixes_and_directory_entries_are_normalised(self) -> None:
        data = tar([folder("./"), folder("./demo-1.0"), file("./demo-1.0/setup.py", "x")])
        archive = read_archive(data)
        assert archive.root == "demo-1.0"
        assert [(m.path, m.relpath) for m in archive.members] == [("demo-1.0/setup.py", "setup.py")]

    def test_zip_sdist(self) -> None:
        data = zip_({"demo-1.0/PKG-INFO": "Name: demo\n", "demo-1.0/demo.py": "x = 1\n"})
        archive = read_archive(data, filename="demo-1.0.zip")
        assert archive.format == "sdist"
        assert archive.root == "demo-1.0"
        assert archive.get("demo.py") is not None

    def test_no_single_top_folder(self) -> None:
        data = tar([file("setup.py", "x"), file("pkg/a.py", "y")])
        archive = read_archive(data)
        assert archive.root == ""
        assert archive.format == "sdist"
        assert [m.relpath for m in archive.members] == ["setup.py", "pkg/a.py"]

    def test_a_top_folder_broken_late_is_not_a_root(self) -> None:
        data = tar([file("a/x.py", "1"), file("a/y.py", "2"), file("b/z.py", "3")])
        archive = read_archive(data)
        assert archive.root == ""
        assert [m.relpath for m in archive.members] == ["a/x.py", "a/y.py", "b/z.py"]

    def test_plain_archive(self) -> None:
        archive = read_archive(tar([file("data/x.csv", "1,2\n")]), filename="data.tar.gz")
        assert archive.format == "archive"
        assert archive.root == "data"


class TestWheel:
    def wheel(self) -> bytes:
        return zip_(
            {
                "demo/__init__.py": "from demo.core import run\n",
                "demo/core.py": "def run():\n    return 1\n",
                "demo/bin/tool": "#!/bin/sh\n",
                "demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\n",
                "demo-1.0.dist-info/RECORD": "",
            },
            modes={"demo/bin/tool": 0o100755},
        )

    def test_wheel_has_no_root(self) -> None:
        archive = read_archive(self.wheel(), filename="demo-1.0-py3-none-any.whl")
        assert archive.format == "wheel"
        assert archive.root == ""
        assert archive.findings == []
        tool = archive.get("demo/bin/tool")
        assert tool is not None and tool.executable
        core = archive.get("demo/core.py")
        assert core is not None and not core.executable and core.complete

    def test_single_package_wheel_still_has_no_root(self) -> None:
        data = zip_({"demo/__init__.py": "", "demo/x.py": ""})
        archive = read_archive(data, filename="demo-1.0-py3-none-any.whl")
        assert archive.root == ""
        assert archive.get("demo/x.py") is not None

    def test_same_zip_not_named_whl_is_an_archive(self) -> None:
        archive = read_archive(self.wheel(), filename="demo.zip")
        assert archive.format == "archive"

    def test_empty_zip(self) -> None:
        buf = io.BytesIO()
        zipfile.ZipFile(buf, "w").close()
        archive = read_archive(buf.getvalue(), filename="empty.zip")
        assert archive.members == []
        assert archive.findings == []


class TestNpm:
    def test_npm_tarball(self) -> None:
        manifest = json.dumps({"name": "demo", "version": "1.0.0", "bin": {"demo": "cli.js"}})
        data = tar(
            [
                file("package/package.json", manifest),
                file("package/index.js", "module.exports = 1;\n"),
                file("package/cli.js", "#!/usr/bin/env node\n", mode=0o755),
            ]
        )
        archive = read_archive(data, filename="demo-1.0.0.tgz")
        assert archive.format == "npm"
        assert archive.root == "package"
        assert [m.relpath for m in archive.members] == ["package.json", "index.js", "cli.js"]
        cli = archive.get("cli.js")
        assert cli is not None and cli.executable

    def test_npm_tarball_with_stray_top_level_file(self) -> None:
        data = tar([file("package/package.json", "{}"), file("README", "hi")])
        archive = read_archive(data, filename="demo-1.0.0.tgz")
        assert archive.format == "npm"
        assert archive.root == ""
        assert archive.get("package/package.json") is not None

    def test_npm_tarball_with_other_root_name(self) -> None:
        data = tar([file("node/package.json", "{}"), file("node/index.js", "")])
        archive = read_archive(data, filename="node-1.0.0.tgz")
        assert archive.format == "archive"
        assert archive.root == "node"


class TestWantsAndHeads:
    def test_unwanted_members_keep_their_head(self) -> None:
        big = bytes(random.Random(1).randbytes(20_000))
        data = tar([file("demo-1.0/setup.py", "print(1)\n"), file("demo-1.0/blob.bin", big)])
        seen: list[str] = []

        def wants(relpath: str) -> bool:
            seen.append(relpath)
            return relpath.endswith(".py")

        archive = read_archive(data, wants=wants, limits=Limits(head_bytes=1000))
        blob = archive.get("blob.bin")
        assert blob is not None
        assert blob.data == big[:1000]
        assert not blob.complete
        assert blob.size == 20_000
        setup = archive.get("setup.py")
        assert setup is not None and setup.complete
        assert "setup.py" in seen and "blob.bin" in seen
        assert archive.findings == []  # unwanted heads are not findings

    def test_small_unwanted_member_is_complete(self) -> None:
        archive = read_archive(tar([file("a/readme.txt", "hello")]), wants=lambda r: False)
        member = archive.get("readme.txt")
        assert member is not None and member.complete and member.data == b"hello"

    def test_wants_sees_zip_relpaths_below_the_root(self) -> None:
        seen: list[str] = []
        read_archive(
            zip_({"demo-1.0/setup.py": "x", "demo-1.0/a/b.py": "y"}),
            wants=recorder(seen),
        )
        assert seen == ["setup.py", "a/b.py"]

    def test_wanted_member_over_the_limit_keeps_its_head_with_a_finding(self) -> None:
        big = b"x = 1\n" * 50_000
        data = tar([file("demo-1.0/big.py", big), file("demo-1.0/small.py", "y = 2\n")])
        archive = read_archive(data, limits=Limits(max_member_bytes=100_000))
        member = archive.get("big.py")
        assert member is not None
        assert len(member.data) == 100_000 and not member.complete
        assert member.data == big[:100_000]
        [finding] = archive.findings
        assert finding.rule == "archive-member-truncated"
        assert finding.severity is Severity.INFO
        assert finding.path == "demo-1.0/big.py"
        small = archive.get("small.py")
        assert small is not None and small.complete  # reading went on

    def test_member_exactly_at_the_limit_is_complete(self) -> None:
        data = tar([file("a/x.py", b"a" * 4096)])
        archive = read_archive(data, limits=Limits(max_member_bytes=4096))
        member = archive.get("x.py")
        assert member is not None and member.complete
        assert archive.findings == []

    def test_total_budget_is_shared_by_all_members(self) -> None:
        files = [file(f"a/m{i}.py", bytes([65 + i]) * 3000) for i in range(5)]
        archive = read_archive(tar(files), limits=Limits(max_total_bytes=7000))
        kept = [len(m.data) for m in archive.members]
        assert kept == [3000, 3000, 1000, 0, 0]
        assert sum(kept) <= 7000
        assert [m.complete for m in archive.members] == [True, True, False, False, False]
        [finding] = archive.findings  # said once, not per member
        assert finding.rule == "archive-member-truncated"
        assert finding.path == "a/m2.py"


class TestNotArchives:
    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (b"", "an empty file"),
            (b"Package not found\n", "text (it starts with 'Package not found')"),
            (b"<!DOCTYPE html><html><body>404</body></html>", "an HTML page"),
            (b"7z\xbc\xaf\x27\x1c\x00\x04", "7-Zip"),
            (b"\x7fELF\x02\x01\x01", "ELF"),
            (bytes(range(200, 256)), "unrecognised binary data"),
        ],
    )
    def test_not_an_archive_names_file_and_what_it_looks_like(
        self, content: bytes, expected: str, tmp_path: Path
    ) -> None:
        target = tmp_path / "demo-1.0.tar.gz"
        target.write_bytes(content)
        with pytest.raises(ArchiveError) as caught:
            read_archive(target)
        message = str(caught.value)
        assert message.startswith("demo-1.0.tar.gz: not an archive: it looks like")
        assert expected in message
        assert "\n" not in message
        assert isinstance(caught.value, StockadeError)

    def test_gzip_of_something_else(self) -> None:
        with pytest.raises(
            ArchiveError, match="gzip-compressed data that is not a tar archive: it looks like text"
        ):
            read_archive(gzip.compress(b"just a log file\n" * 100), filename="x.tgz")

    def test_short_gzip_of_text(self) -> None:
        with pytest.raises(ArchiveError, match="not a tar archive"):
            read_archive(gzip.compress(b"hello"), filename="x.tgz")

    def test_gzip_of_nothing(self) -> None:
        with pytest.raises(ArchiveError, match="gzip-compressed data that is empty"):
            read_archive(gzip.compress(b""), filename="x.tgz")

    @pytest.mark.parametrize("compress", [bz2.compress, lzma.compress])
    def test_other_compressions_of_text(self, compress: object) -> None:
        with pytest.raises(ArchiveError, match="not a tar archive"):
            read_archive(compress(b"plain text, not a tar\n" * 50), filename="x.tar")  # type: ignore[operator]

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(ArchiveError, match=r"^absent.whl: cannot be read"):
            read_archive(tmp_path / "absent.whl")

    def test_a_directory(self, tmp_path: Path) -> None:
        if os.name != "posix":
            pytest.skip("directories open differently elsewhere")
        with pytest.raises(ArchiveError, match="cannot be read: not a regular file"):
            read_archive(tmp_path)

    def test_a_fifo_is_refused_without_blocking(self, tmp_path: Path) -> None:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        fifo = tmp_path / "pipe.tar.gz"
        os.mkfifo(fifo)
        with pytest.raises(ArchiveError, match="not a regular file"):
            read_archive(fifo)

    def test_bytes_without_a_filename(self) -> None:
        with pytest.raises(ArchiveError, match=r"^<bytes>: "):
            read_archive(b"nope")


class TestTruncated:
    def tgz(self) -> bytes:
        rnd = random.Random(7)
        entries = [file(f"demo-1.0/f{i}.py", rnd.randbytes(30_000)) for i in range(10)]
        return tar(entries)

    def test_first_half_of_a_tar_gz(self) -> None:
        data = self.tgz()
        archive = read_archive(data[: len(data) // 2], filename="demo-1.0.tar.gz")
        assert 3 <= len(archive.members) <= 6
        assert [f.rule for f in archive.findings] == ["archive-corrupt"]
        assert archive.findings[0].path == ""
        assert all(m.complete for m in archive.members[:-1])
        whole = read_archive(data)
        assert archive.members[0].data == whole.members[0].data

    def test_gzip_cut_before_any_member(self) -> None:
        with pytest.raises(ArchiveError, match="truncated or damaged gzip data"):
            read_archive(self.tgz()[:40], filename="demo-1.0.tar.gz")

    def test_plain_tar_cut_inside_a_member(self) -> None:
        data = tar([file("a/x.bin", b"1" * 5000), file("a/y.bin", b"2" * 5000)], compression="")
        archive = read_archive(data[:7000])
        assert rules_of(archive) == ["archive-corrupt"]
        x = archive.get("x.bin")
        y = archive.get("y.bin")
        assert x is not None and x.complete
        assert y is not None and not y.complete

    def test_zip_without_its_central_directory(self) -> None:
        rnd = random.Random(3)
        data = zip_({f"demo/m{i}.py": rnd.randbytes(5000) for i in range(6)})
        archive = read_archive(data[: len(data) * 2 // 3], filename="demo.whl")
        assert archive.format == "wheel"
        *whole_members, cut = archive.members
        assert len(whole_members) == 4
        assert rules_of(archive) == ["archive-corrupt"]
        original = zipfile.ZipFile(io.BytesIO(data))
        for member in whole_members:
            assert member.complete and member.data == original.read(member.path)
        assert not cut.complete
        assert original.read(cut.path).startswith(cut.data)

    def test_zip_cut_inside_the_first_header(self) -> None:
        data = zip_({"demo/a.py": "x"})
        with pytest.raises(ArchiveError, match="damaged zip archive: nothing could be read"):
            read_archive(data[:20], filename="demo.whl")


class TestNested:
    def inner_wheel(self) -> bytes:
        return zip_({"inner/__init__.py": "import os\n", "inner-1.0.dist-info/METADATA": "x"})

    def test_wheel_inside_an_sdist(self) -> None:
        entries = [
            folder("demo-1.0"),
            file("demo-1.0/PKG-INFO", "Name: demo\n"),
            file("demo-1.0/vendor/inner-1.0-py3-none-any.whl", self.inner_wheel()),
        ]
        data = tar(entries)
        seen: list[str] = []
        archive = read_archive(data, filename="demo-1.0.tar.gz", wants=recorder(seen))
        assert archive.format == "sdist"
        paths = [(m.path, m.relpath) for m in archive.members]
        assert paths == [
            ("demo-1.0/PKG-INFO", "PKG-INFO"),
            ("demo-1.0/vendor/inner-1.0-py3-none-any.whl", "vendor/inner-1.0-py3-none-any.whl"),
            (
                "demo-1.0/vendor/inner-1.0-py3-none-any.whl!inner/__init__.py",
                "vendor/inner-1.0-py3-none-any.whl!inner/__init__.py",
            ),
            (
                "demo-1.0/vendor/inner-1.0-py3-none-any.whl!inner-1.0.dist-info/METADATA",
                "vendor/inner-1.0-py3-none-any.whl!inner-1.0.dist-info/METADATA",
            ),
        ]
        init = archive.get("vendor/inner-1.0-py3-none-any.whl!inner/__init__.py")
        assert init is not None and init.data == b"import os\n"
        assert "vendor/inner-1.0-py3-none-any.whl!inner/__init__.py" in seen
        assert archive.findings == []

    def test_nested_tar_gz_strips_its_own_top_folder(self) -> None:
        inner = tar([file("dep-2.0/setup.py", "setup()\n")])
        data = zip_({"demo/vendored/dep-2.0.tar.gz": inner, "demo/__init__.py": ""})
        archive = read_archive(data, filename="demo-1.0-py3-none-any.whl")
        member = archive.get("demo/vendored/dep-2.0.tar.gz!setup.py")
        assert member is not None
        assert member.path == "demo/vendored/dep-2.0.tar.gz!dep-2.0/setup.py"

    def test_a_zip_named_zip_that_is_text_is_a_plain_member(self) -> None:
        archive = read_archive(tar([file("a/notes.zip", "not really a zip\n")]))
        assert [m.relpath for m in archive.members] == ["notes.zip"]
        assert archive.findings == []

    def test_damaged_nested_archive_is_reported_and_kept(self) -> None:
        inner = tar([file("dep/x.py", "x" * 10_000)])
        data = tar([file("a/dep.tar.gz", inner[:30]), file("a/b.py", "1")])
        archive = read_archive(data)
        assert [m.relpath for m in archive.members] == ["dep.tar.gz", "b.py"]
        [finding] = archive.findings
        assert finding.rule == "archive-corrupt"
        assert finding.path == "a/dep.tar.gz"


class TestRules:
    def test_rules_are_unique_archive_rules(self) -> None:
        ids = [r.id for r in RULES]
        assert len(ids) == len(set(ids))
        assert all(i.startswith("archive-") for i in ids)
        assert all(r.category is Category.ARCHIVE for r in RULES)
        expected = {
            "archive-path-traversal",
            "archive-absolute-path",
            "archive-link",
            "archive-link-escape",
            "archive-special-file",
            "archive-duplicate",
            "archive-bomb",
            "archive-too-many-members",
            "archive-member-truncated",
            "archive-timeout",
            "archive-corrupt",
            "archive-nesting",
        }
        assert expected <= set(ids)
        kinds = {r.id: r.kind for r in RULES}
        for threat in ("archive-path-traversal", "archive-link-escape", "archive-bomb"):
            assert kinds[threat] is Kind.THREAT
        for capability in ("archive-link", "archive-member-truncated", "archive-corrupt"):
            assert kinds[capability] is Kind.CAPABILITY

    def test_limits_are_validated(self) -> None:
        with pytest.raises(ValueError, match="max_members"):
            Limits(max_members=0)
        with pytest.raises(ValueError):
            Limits(max_seconds=0)

    def test_tarfile_is_used_read_only(self) -> None:
        # The reader never extracts: no call of extract/extractall in any of its modules.
        import pkgutil
        from pathlib import Path

        import stockade.analysis.archive as package

        folder = Path(package.__file__).parent
        names = [m.name for m in pkgutil.iter_modules([str(folder)])]
        assert {"reader", "tarread", "zipread"} <= set(names)
        for name in ["__init__", *names]:
            source = (folder / f"{name}.py").read_text(encoding="utf-8")
            assert ".extractall(" not in source and ".extract(" not in source, name
            assert "write_bytes" not in source and "mkdtemp" not in source, name
