"""Sigstore trust material: the pinned production and staging roots, custom trusted roots and
client trust configurations for private Sigstore instances.

Everything here is offline: the shipped roots are pinned copies (see ``data/README.md``) and a
custom root or trust configuration is read from a file. Nothing fetches TUF metadata.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

from sigstore.models import ClientTrustConfig, TrustedRoot
from sigstore_models.trustroot import v1 as trustroot_v1

from stockade.errors import InputError

Instance = Literal["production", "staging"]

MAX_TRUST_FILE_BYTES = 4 * 1024 * 1024
"""A trusted root or trust configuration larger than this is refused as unusable input."""

_TRUSTED_ROOT_TYPES = ("application/vnd.dev.sigstore.trustedroot+json;version=0.1",)
_TRUST_CONFIG_PREFIX = "application/vnd.dev.sigstore.clienttrustconfig"


def shipped_root(instance: Instance = "production") -> TrustedRoot:
    """The pinned trusted root of Sigstore's public-good `instance` (production or staging)."""
    name = f"{instance}_trusted_root.json"
    raw = resources.files("stockade.provenance").joinpath("data", name).read_text("utf-8")
    return _parse_root(raw, name)


def load_trust(path: Path) -> TrustedRoot:
    """Read a trusted root, or the trusted root of a client trust configuration, from `path`.

    The file's ``mediaType`` decides which: a ``trustedroot`` document is used as is, a
    ``clienttrustconfig`` document (private Sigstore instances) gives its ``trustedRoot``.
    Raises :class:`InputError` naming the file when it is missing, too large or malformed.
    """
    raw = _read(path)
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise InputError(f"not valid JSON ({exc.args[0]})", path=path) from None
    if not isinstance(document, dict):
        raise InputError("not a Sigstore trusted root (expected a JSON object)", path=path)
    media_type = document.get("mediaType")
    if isinstance(media_type, str) and media_type.startswith(_TRUST_CONFIG_PREFIX):
        return load_trust_config(path, raw=raw)
    if media_type not in _TRUSTED_ROOT_TYPES:
        raise InputError(
            f"unknown trusted root media type {media_type!r}; expected one of "
            + ", ".join(_TRUSTED_ROOT_TYPES),
            path=path,
        )
    return _parse_root(raw, path)


def load_trust_config(path: Path, *, raw: str | None = None) -> TrustedRoot:
    """The trusted root of the ClientTrustConfig JSON at `path` (a private Sigstore instance)."""
    text = _read(path) if raw is None else raw
    try:
        config = ClientTrustConfig.from_json(text)
    except Exception as exc:
        raise InputError(
            f"not a usable Sigstore trust configuration: {_first_line(exc)}", path=path
        ) from None
    return config.trusted_root


def _parse_root(raw: str, where: str | Path) -> TrustedRoot:
    try:
        return TrustedRoot(trustroot_v1.TrustedRoot.from_json(raw))
    except Exception as exc:
        raise InputError(
            f"not a usable Sigstore trusted root: {_first_line(exc)}", path=where
        ) from None


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_TRUST_FILE_BYTES:
            raise InputError(
                f"trust file too large ({size} bytes, limit {MAX_TRUST_FILE_BYTES})", path=path
            )
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.splitlines()[:2])
