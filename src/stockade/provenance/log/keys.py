"""The log's Ed25519 signing key: made on first use in ``data_dir()/log/`` (mode 0600).

``log.skey`` holds the signer key (``PRIVATE+KEY+...``, a secret) and ``log.vkey`` the verifier
key to hand to whoever checks the log's checkpoints.
"""

from __future__ import annotations

import os
from pathlib import Path

from stockade.errors import InputError, StoreError
from stockade.provenance.log.note import Signer, Verifier

DEFAULT_NAME = "stockade.local/log"
"""The key name (and checkpoint origin) of a log whose key Stockade generates."""

SKEY_FILE = "log.skey"
VKEY_FILE = "log.vkey"
_MAX_KEY_BYTES = 4096


def key_folder() -> Path:
    """Where the log's key lives: ``stockade.paths.data_dir()/log``."""
    from stockade.paths import data_dir

    return data_dir() / "log"


def read_key_text(path: Path, what: str) -> str:
    """The first line of a small key file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", path=path) from exc
    if len(raw) > _MAX_KEY_BYTES:
        raise InputError(f"{what} is larger than {_MAX_KEY_BYTES} bytes", path=path)
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not ASCII text", path=path) from exc
    if not text:
        raise InputError(f"{what} is empty", path=path)
    return text.splitlines()[0]


def load_signer(path: Path) -> Signer:
    """A signer key from a file (``PRIVATE+KEY+name+id+key``)."""
    text = read_key_text(path, "signer key")
    try:
        return Signer.from_skey(text)
    except InputError as exc:
        raise InputError(exc.reason, path=path) from exc


def load_verifier(value: str) -> Verifier:
    """A verifier key given inline (``name+id+key``) or as the path of a file holding one."""
    candidate = Path(value)
    if "+" not in value or candidate.is_file():
        text = read_key_text(candidate, "verifier key")
        try:
            return Verifier.from_vkey(text)
        except InputError as exc:
            raise InputError(exc.reason, path=candidate) from exc
    return Verifier.from_vkey(value)


def load_or_create_signer(folder: Path | None = None, *, name: str = DEFAULT_NAME) -> Signer:
    """The log's signer from ``folder`` (default :func:`key_folder`), made there if absent."""
    folder = key_folder() if folder is None else folder
    skey_path = folder / SKEY_FILE
    if skey_path.exists():
        return load_signer(skey_path)
    signer = Signer.generate(name)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(skey_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_signer(skey_path)
    except OSError as exc:
        raise StoreError(
            f"cannot create the log key in {folder}: {exc.strerror or exc}",
            hint="choose a writable place with STOCKADE_DATA_DIR",
        ) from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer.skey + "\n")
    (folder / VKEY_FILE).write_text(signer.verifier().vkey + "\n", encoding="ascii")
    return signer


def own_verifier(folder: Path | None = None) -> Verifier | None:
    """The verifier key of this machine's log, if its key was made."""
    folder = key_folder() if folder is None else folder
    vkey_path = folder / VKEY_FILE
    if vkey_path.is_file():
        return load_verifier(str(vkey_path))
    skey_path = folder / SKEY_FILE
    if skey_path.is_file():
        return load_signer(skey_path).verifier()
    return None


__all__ = [
    "DEFAULT_NAME",
    "SKEY_FILE",
    "VKEY_FILE",
    "key_folder",
    "load_or_create_signer",
    "load_signer",
    "load_verifier",
    "own_verifier",
    "read_key_text",
]
