"""Code hidden in images: data after the image's end (PNG ``IEND``, JPEG end-of-image, GIF
trailer), text chunks and comments that hold code, and "images" that are scripts.

Images are parsed structurally (chunk by chunk, segment by segment) with bounded loops, so a
hostile file costs time linear in its size. Hidden data is decoded a few layers deep (base64,
zlib, gzip) and judged to be code by keywords or executable headers. Executables merely named
like images are the binary analyser's; payloads spread over pixel values cannot be seen without
the code that decodes them (the Python and JavaScript analysers look for that).
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from stockade.analysis.binaries import sniff_executable
from stockade.analysis.interface import Archive, Member, PackageContext, Reporter
from stockade.analysis.model import Category, Confidence, Finding, Kind, RuleInfo, Severity

RULES: list[RuleInfo] = [
    RuleInfo(
        id="img-hidden-payload",
        category=Category.STEGANOGRAPHY,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="An image carries code or an executable after its end or in a text chunk "
        "or comment, where a loader can fetch it without it ever looking like code.",
    ),
    RuleInfo(
        id="img-script-disguised",
        category=Category.STEGANOGRAPHY,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        kind=Kind.THREAT,
        description="A file named like an image holds a script or source code instead.",
    ),
    RuleInfo(
        id="img-trailing-data",
        category=Category.STEGANOGRAPHY,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        kind=Kind.CAPABILITY,
        description="An image has data after its end marker that is not recognisably code: "
        "room for a hidden payload, though some tools leave such data.",
    ),
    RuleInfo(
        id="img-not-image",
        category=Category.STEGANOGRAPHY,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        kind=Kind.CAPABILITY,
        description="A file named like an image is neither an image nor text: opaque data "
        "(perhaps encrypted) kept under an innocent name.",
    ),
]
"""The image analyser's rules."""

_RULES = {rule.id: rule for rule in RULES}

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".icns", ".avif"}
)
"""Raster image file name endings read by this analyser (SVG is text and left out)."""
MAX_PAYLOAD_BYTES = 1 << 20
"""Bytes of hidden data decoded and examined at most (the rest is left unread)."""
MIN_TRAILING_BYTES = 64
"""Trailing data shorter than this (padding, a stray newline) is ignored unless it is code."""
MAX_CODE_CHARS = 256 << 10
"""Characters of decoded text judged as code or not (a payload shows itself early)."""
_MAX_DEPTH = 3

_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_PNG_KNOWN = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"IEND",
        b"tRNS",
        b"cHRM",
        b"gAMA",
        b"iCCP",
        b"sBIT",
        b"sRGB",
        b"cICP",
        b"mDCv",
        b"cLLi",
        b"bKGD",
        b"hIST",
        b"pHYs",
        b"sPLT",
        b"tIME",
        b"eXIf",
        b"acTL",
        b"fcTL",
        b"fdAT",
        b"iDOT",
        b"CgBI",
        b"vpAg",
        b"caNv",
        b"oFFs",
        b"pCAL",
        b"sCAL",
        b"sTER",
        b"gIFg",
        b"gIFx",
        b"dSIG",
    }
)
_OTHER_IMAGE_MAGIC = (
    b"BM",
    b"\x00\x00\x01\x00",
    b"\x00\x00\x02\x00",
    b"II*\x00",
    b"MM\x00*",
    b"II+\x00",
    b"MM\x00+",
    b"icns",
    b"\x00\x00\x00\x0cjP  ",
)
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_BASE64 = re.compile(rb"^[A-Za-z0-9+/=_\-\s]+$")

_CODE_HINTS = (
    "exec",
    "eval",
    "import",
    "subprocess",
    "os.",
    "require",
    "function",
    "powershell",
    "invoke-expression",
    "/dev/tcp/",
    "marshal",
    "b64decode",
    "curl",
    "wget",
    "def ",
    "module.exports",
    "process.env",
    "socket",
    "fetch",
    "=>",
    "#!",
    "urllib",
    "requests.",
    "const ",
    "from ",
)
_CODE_STRONG = re.compile(
    r"\b(?:exec|eval)\s*\(|__import__\s*\(|\bsubprocess\.\w+\(|\bos\.(?:system|popen)\s*\(|"
    r"\bchild_process\b|\brequire\s*\(\s*['\"](?:child_process|https?|net|fs|os)['\"]|"
    r"\bnew\s+Function\s*\(|\bpowershell\b|\bInvoke-Expression\b|/dev/tcp/|"
    r"\bmarshal\.loads\b|\bb64decode\s*\(|\bcurl\s+[^\n]*\|\s*(?:ba)?sh\b|\bwget\s+http",
    re.I,
)
_CODE_WEAK = re.compile(
    r"(?m)^\s*(?:import\s+[\w.]+|from\s+[\w.]+\s+import\s+\w)|\bdef\s+\w+\s*\([^)\n]*\)\s*:|"
    r"\brequire\s*\(\s*['\"]|\bmodule\.exports\b|\bfunction\s*\w*\s*\([^)\n]*\)\s*\{|"
    r"\bprocess\.env\b|\bos\.environ\b|\bsocket\.socket\(|\burllib\.request\b|\brequests\.\w+\(|"
    r"\bfetch\s*\(\s*['\"]https?:|\bconst\s+\w+\s*=\s*require\b|=>\s*\{|"
    r"\bimport\s+\w+\s+from\s+['\"]|^#!\s*/"
)


@dataclass(frozen=True, slots=True)
class Payload:
    """What hidden data turned out to be."""

    what: str
    """``Python/JavaScript code``, ``an ELF executable`` ... with how it was encoded."""
    evidence: str
    """A short excerpt of the decoded content."""


def decode_payload(data: bytes, depth: int = 0) -> Payload | None:
    """What hidden bytes hold, if they are code or an executable: tried as they are, then as
    base64, zlib and gzip, a few layers deep."""
    data = data[:MAX_PAYLOAD_BYTES]
    stripped = data.lstrip(b"\x00 \t\r\n")
    if not stripped.rstrip(b"\x00 \t\r\n"):
        return None
    executable = sniff_executable(stripped)
    if executable is not None:
        return Payload(executable.article(), stripped[:16].hex())
    text = _as_text(stripped)
    if text is not None:
        language = looks_like_code(text)
        if language is not None:
            return Payload(language, _excerpt(text))
    if depth >= _MAX_DEPTH:
        return None
    for layer, decoded in _decodings(stripped):
        inner = decode_payload(decoded, depth + 1)
        if inner is not None:
            return Payload(f"{inner.what}, {layer}", inner.evidence)
    return None


def _decodings(data: bytes) -> Iterator[tuple[str, bytes]]:
    if data[:2] in (b"x\x01", b"x^", b"x\x9c", b"x\xda"):
        try:
            decoder = zlib.decompressobj()
            yield "zlib-compressed", decoder.decompress(data, MAX_PAYLOAD_BYTES)
        except zlib.error:
            pass
    if data[:2] == b"\x1f\x8b":
        try:
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield "gzip-compressed", decoder.decompress(data, MAX_PAYLOAD_BYTES)
        except zlib.error:
            pass
    if len(data) >= 16 and _BASE64.match(data):
        compact = re.sub(rb"\s+", b"", data)
        try:
            if b"-" in compact or b"_" in compact:
                decoded = base64.urlsafe_b64decode(compact + b"=" * (-len(compact) % 4))
            else:
                decoded = base64.b64decode(compact + b"=" * (-len(compact) % 4))
        except (binascii.Error, ValueError):
            return
        yield "base64-encoded", decoded


def _as_text(data: bytes) -> str | None:
    sample = data[:4096]
    if b"\x00" in sample:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    return text if printable >= 0.9 * min(len(text), 4096) else None


def looks_like_code(text: str) -> str | None:
    """``code`` with the language when ``text`` reads as a program (strong markers such as
    ``exec(``, ``child_process``, ``/dev/tcp/``, or two ordinary ones), else ``None``."""
    text = text[:MAX_CODE_CHARS]
    lowered = text.lower()
    if not any(hint in lowered for hint in _CODE_HINTS):
        return None  # a cheap test first: the patterns below are slow on long runs of text
    strong = _CODE_STRONG.search(text)
    weak = {m.group(0).strip()[:12] for m in _CODE_WEAK.finditer(text)}
    if strong is None and len(weak) < 2:
        return None
    return f"{_language(text)} code"


def _language(text: str) -> str:
    if text.startswith("#!"):
        first = text.split("\n", 1)[0]
        if "python" in first:
            return "Python"
        if "node" in first:
            return "JavaScript"
        return "shell"
    if re.search(r"\brequire\s*\(|\bfunction\b|=>|\bconst\s|\blet\s|module\.exports", text):
        return "JavaScript"
    if re.search(r"(?m)^\s*(?:import |from \S+ import |def )|__import__|\bexec\(", text):
        return "Python"
    if re.search(r"(?i)powershell|invoke-expression|\$env:", text):
        return "PowerShell"
    if re.search(r"\b(?:curl|wget|bash|/dev/tcp)\b", text):
        return "shell"
    return "script"


def _excerpt(text: str) -> str:
    match = _CODE_STRONG.search(text) or _CODE_WEAK.search(text)
    start = max(0, match.start() - 20) if match else 0
    return text[start : start + 120]


class ImageAnalyzer:
    """Finds code hidden in images and scripts named like images."""

    name = "image"
    rules: Sequence[RuleInfo] = RULES

    def wants(self, relpath: str) -> bool:
        """Raster images (read whole, up to the reader's per-member limit)."""
        return _suffix(relpath) in IMAGE_SUFFIXES

    def analyze(self, archive: Archive, package: PackageContext) -> Iterator[Finding]:
        """Findings for every member named like an image."""
        for member in archive.members:
            if _suffix(member.relpath) not in IMAGE_SUFFIXES or not member.data:
                continue
            reporter = Reporter(_RULES, member.path)
            _image(reporter, member)
            yield from reporter.findings


def _suffix(relpath: str) -> str:
    base = posixpath.basename(relpath).lower()
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


@dataclass(frozen=True, slots=True)
class _Hidden:
    """A piece of an image that can hold data: trailing bytes, a text chunk, a comment."""

    where: str
    data: bytes
    trailing: bool


def _image(reporter: Reporter, member: Member) -> None:
    data = member.data
    if data.startswith(_PNG):
        pieces = _png(data, member.complete)
    elif data.startswith(b"\xff\xd8\xff"):
        pieces = _jpeg(data, member.complete)
    elif data.startswith((b"GIF87a", b"GIF89a")):
        pieces = _gif(data, member.complete)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        pieces = _riff(data, member.complete)
    elif data.startswith(_OTHER_IMAGE_MAGIC) or data[4:8] == b"ftyp":
        return
    else:
        _not_image(reporter, member)
        return
    for piece in pieces:
        payload = decode_payload(piece.data)
        if payload is not None:
            reporter.report(
                "img-hidden-payload",
                f"{member.relpath} hides {payload.what} in {piece.where}.",
                snippet=payload.evidence,
            )
        elif piece.trailing and _substantial(piece.data):
            reporter.report(
                "img-trailing-data",
                f"{member.relpath} has {len(piece.data)} bytes of {piece.where}.",
                snippet=piece.data[:48].hex(),
            )


def _substantial(data: bytes) -> bool:
    if len(data) < MIN_TRAILING_BYTES:
        return False
    if len(set(data[:4096])) <= 2:
        return False  # padding
    # Another image appended (multi-picture JPEG, thumbnails) is not a payload.
    return not data.lstrip(b"\x00").startswith((b"\xff\xd8\xff", _PNG, b"GIF8"))


def _not_image(reporter: Reporter, member: Member) -> None:
    if sniff_executable(member.data, member.size) is not None:
        return  # the binary analyser reports executables under false names
    text = _as_text(member.data)
    if text is None:
        if member.size >= MIN_TRAILING_BYTES:
            reporter.report(
                "img-not-image",
                f"{member.relpath} is named as an image but holds no image format Stockade "
                "knows, nor text.",
                snippet=member.data[:32].hex(),
            )
        return
    language = looks_like_code(text)
    if language is None:
        return  # placeholders, Git LFS pointers, notes
    reporter.report(
        "img-script-disguised",
        f"{member.relpath} is named as an image but holds {language}.",
        line=1,
        snippet=_excerpt(text),
    )


def _png(data: bytes, complete: bool) -> list[_Hidden]:
    pieces: list[_Hidden] = []
    offset = len(_PNG)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body_start = offset + 8
        body_end = body_start + length
        if body_end + 4 > len(data):
            return pieces  # truncated (or only the head was read)
        name = kind.decode("latin-1")
        if kind in _PNG_TEXT:
            text = _png_text(kind, data[body_start:body_end])
            if text:
                pieces.append(_Hidden(f"a PNG {name} chunk", text, trailing=False))
        elif kind not in _PNG_KNOWN and length:
            pieces.append(_Hidden(f"a private PNG {name} chunk", data[body_start:body_end], False))
        offset = body_end + 4
        if kind == b"IEND":
            if complete and offset < len(data):
                pieces.append(_Hidden("data after the PNG IEND chunk", data[offset:], True))
            return pieces
    return pieces


def _png_text(kind: bytes, body: bytes) -> bytes:
    keyword, _, rest = body.partition(b"\x00")
    if kind == b"tEXt":
        return rest
    if kind == b"zTXt":
        return _inflate(rest[1:]) if rest[:1] == b"\x00" else b""
    # iTXt: compression flag, method, language tag NUL, translated keyword NUL, text
    if len(rest) < 2:
        return b""
    flag = rest[0]
    _, _, after_lang = rest[2:].partition(b"\x00")
    _, _, text = after_lang.partition(b"\x00")
    if keyword == b"XML:com.adobe.xmp":
        return b""  # XMP metadata: XML, never code
    return _inflate(text) if flag else text


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, MAX_PAYLOAD_BYTES)
    except zlib.error:
        return b""


def _jpeg(data: bytes, complete: bool) -> list[_Hidden]:
    pieces: list[_Hidden] = []
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return pieces  # not at a marker: corrupt, stop
        marker = data[offset + 1]
        if marker == 0xFF:
            offset += 1  # fill byte
            continue
        if marker == 0xD9:
            end = offset + 2
            if complete and end < len(data):
                pieces.append(_Hidden("data after the JPEG end-of-image marker", data[end:], True))
            return pieces
        if marker in (0x01, *range(0xD0, 0xD8)):
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if length < 2:
            return pieces
        segment_end = offset + 2 + length
        if marker == 0xFE:
            pieces.append(_Hidden("a JPEG comment", data[offset + 4 : segment_end], False))
        if marker == 0xDA:
            # Entropy-coded data follows: the next marker that is not a stuffed byte or restart.
            found = _JPEG_MARKER.search(data, segment_end)
            if found is None:
                return pieces
            offset = found.start()
            continue
        offset = segment_end
    return pieces


def _gif(data: bytes, complete: bool) -> list[_Hidden]:
    pieces: list[_Hidden] = []
    if len(data) < 13:
        return pieces
    flags = data[10]
    offset = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    while offset < len(data):
        block = data[offset]
        if block == 0x3B:
            end = offset + 1
            if complete and end < len(data):
                pieces.append(_Hidden("data after the GIF trailer", data[end:], True))
            return pieces
        if block == 0x21:  # extension: label, then sub-blocks
            if offset + 2 > len(data):
                return pieces
            label = data[offset + 1]
            body, offset = _sub_blocks(data, offset + 2)
            if label == 0xFE and body:
                pieces.append(_Hidden("a GIF comment", body, False))
        elif block == 0x2C:  # image: descriptor, optional local table, LZW size, sub-blocks
            if offset + 10 > len(data):
                return pieces
            local = data[offset + 9]
            offset += 10 + (3 * (2 << (local & 7)) if local & 0x80 else 0)
            _, offset = _sub_blocks(data, offset + 1, keep=False)
        else:
            return pieces  # corrupt
    return pieces


def _sub_blocks(data: bytes, offset: int, *, keep: bool = True) -> tuple[bytes, int]:
    parts: list[bytes] = []
    kept = 0
    while offset < len(data):
        size = data[offset]
        offset += 1
        if size == 0:
            break
        if keep and kept < MAX_PAYLOAD_BYTES:
            parts.append(data[offset : offset + size])
            kept += size
        offset += size
    return b"".join(parts), offset


def _riff(data: bytes, complete: bool) -> list[_Hidden]:
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size + (size & 1)
    if complete and end < len(data):
        return [_Hidden("data after the WebP (RIFF) container", data[end:], True)]
    return []
