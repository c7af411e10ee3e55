"""What goes wrong while reading an archive: the public error, the exceptions that steer
reading internally, and the exceptions libraries raise on damaged or hostile data."""

from __future__ import annotations

import lzma
import struct
import tarfile
import zipfile
import zlib

from stockade.errors import InputError


class ArchiveError(InputError):
    """The file is not an archive Stockade reads, or nothing of it can be read.

    ``str(err)`` is one line naming the file and what it actually looks like.
    """


class Stop(Exception):
    """Reading stops altogether (a limit was hit; the finding is recorded)."""


class Abandon(Exception):
    """Reading of one (possibly nested) archive stops (the finding is recorded)."""


class NotReadable(Exception):
    """Nothing of an archive could be read; the message says why."""


READ_ERRORS: tuple[type[Exception], ...] = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    ValueError,
    LookupError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)
"""What libraries raise on damaged or hostile data (our own control flow is not among them)."""


def error_text(err: BaseException | str) -> str:
    """An error (or a problem already in words) as one short line."""
    if isinstance(err, str):
        return err
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:160]
