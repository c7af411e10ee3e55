"""Reading OSV records from disk: JSON and YAML files, folders, and zip exports.

Folders are walked recursively (hidden folders and files skipped) in name order; a zip (such as
OSV's ``<ECOSYSTEM>/all.zip`` export) contributes its ``*.json`` members. Files found by
walking a folder or a zip that are plainly not OSV records (no ``id``, ``modified`` or
``affected`` at the top level, e.g. a triage list) are skipped; a file named directly must be a
record.

A malformed record raises :class:`~stockade.errors.InvalidRecordError` naming the file (a zip
member as ``archive.zip!member.json``), the record id when known and the line when the parser
says: the import that consumes these records is all-or-nothing.

YAML is parsed with ruamel.yaml's safe loader, which is fast only with its C extension
(``ruamel.yaml.clib``). When there are many YAML files they are parsed in a pool of two worker
processes that return plain dicts; records are validated in the calling process, in order.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from stockade.errors import InputError, InvalidRecordError
from stockade.intel.osv.models import Vulnerability

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_ZIP_BYTES",
    "MAX_ZIP_MEMBERS",
    "count_files",
    "iter_records",
    "load_record",
]

log = logging.getLogger(__name__)

RECORD_SUFFIXES = frozenset({".json", ".yaml", ".yml"})
"""File suffixes read as OSV records."""
MAX_ZIP_MEMBERS = 2_000_000
"""Most members a zip may have (OSV's largest export has a few hundred thousand)."""
MAX_MEMBER_BYTES = 32 * 1024 * 1024
"""Largest uncompressed record, in a zip or not."""
MAX_ZIP_BYTES = 16 * 1024 * 1024 * 1024
"""Largest total uncompressed size of a zip's record members."""

_WORKERS = 2
_POOL_MIN_FILES = 200
"""Below this many YAML files, starting worker processes costs more than it saves."""
_CHUNK = 64
_PROGRESS_EVERY = 100
_RECORD_KEYS = frozenset({"id", "modified", "affected", "schema_version"})

_yaml_loader: Callable[[bytes], Any] | None = None


def _make_yaml_loader() -> Callable[[bytes], Any]:
    """ruamel.yaml's safe loader: its C classes when ruamel.yaml.clib is installed.

    ``CSafeLoader`` is the loader ``YAML(typ="safe")`` builds on the C parser, with the plain
    YAML 1.2 resolver instead of the version-switching one (which costs a third of the time
    and matters only for ``%YAML`` directives, which OSV files do not use).
    """
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:  # no C extension: the pure-Python loader, same results, slower
        from ruamel.yaml import YAML

        return YAML(typ="safe").load

    def load(data: bytes) -> Any:
        loader = CSafeLoader(data)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()

    return load


def _yaml_load(data: bytes) -> Any:
    """Parse one YAML document safely."""
    global _yaml_loader  # noqa: PLW0603 - one loader per process, built on first use
    if _yaml_loader is None:
        _yaml_loader = _make_yaml_loader()
    return _yaml_loader(data)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A file's content, or why it could not be parsed."""

    data: Any = None
    error: str | None = None
    line: int | None = None


def _parse(raw: bytes, yaml: bool) -> _Parsed:
    """Decode one file's bytes as JSON or YAML; never raises."""
    if yaml:
        try:
            return _Parsed(data=_yaml_load(raw))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            problem = exc.problem or exc.context or "invalid YAML"
            return _Parsed(error=f"invalid YAML: {problem}", line=line)
        except (YAMLError, ValueError, TypeError) as exc:
            return _Parsed(error=f"invalid YAML: {exc}")
    try:
        return _Parsed(data=json.loads(raw.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        return _Parsed(error=f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    except json.JSONDecodeError as exc:
        return _Parsed(error=f"invalid JSON: {exc.msg}", line=exc.lineno)
    except RecursionError:
        return _Parsed(error="invalid JSON: nested too deeply")


def _read_and_parse(path: str) -> _Parsed:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_MEMBER_BYTES + 1)
    except OSError as exc:
        return _Parsed(error=f"cannot read: {exc.strerror or exc}")
    if len(raw) > MAX_MEMBER_BYTES:
        return _Parsed(error=f"larger than {MAX_MEMBER_BYTES} bytes")
    return _parse(raw, yaml=not path.lower().endswith(".json"))


def _parse_chunk(paths: list[str]) -> list[_Parsed]:
    """Worker-process entry: parse a chunk of files into plain data."""
    return [_read_and_parse(p) for p in paths]


@dataclass(frozen=True, slots=True)
class _File:
    path: Path
    walked: bool


@dataclass(frozen=True, slots=True)
class _Zip:
    path: Path


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _sources(paths: Sequence[Path]) -> Iterator[_File | _Zip]:
    """The record files and zips named by ``paths``, folders walked in name order."""
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
        if stat.S_ISDIR(mode):
            yield from _walk(path)
        elif path.suffix.lower() == ".zip":
            yield _Zip(path)
        elif path.suffix.lower() in RECORD_SUFFIXES:
            yield _File(path, walked=False)
        else:
            raise InputError(
                "not an OSV record file (expected .json, .yaml, .yml, .zip or a folder)",
                path=path,
            )


def _walk(folder: Path) -> Iterator[_File | _Zip]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(files):
            if _hidden(name):
                continue
            suffix = os.path.splitext(name)[1].lower()
            if suffix in RECORD_SUFFIXES:
                yield _File(Path(root, name), walked=True)
            elif suffix == ".zip":
                yield _Zip(Path(root, name))


def _zip_members(archive: Path, zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The ``*.json`` members of a zip, after checking the hostile-input bounds."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InvalidRecordError(
            f"zip archive has {len(infos)} members, more than the {MAX_ZIP_MEMBERS} allowed",
            path=archive,
        )
    members = []
    total = 0
    for info in infos:
        name = info.filename
        base = name.rsplit("/", 1)[-1]
        if info.is_dir() or not base.lower().endswith(".json") or _hidden(base):
            continue
        if name.startswith("__MACOSX/"):
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise InvalidRecordError(
                f"uncompressed size {info.file_size} is over {MAX_MEMBER_BYTES} bytes",
                path=f"{archive}!{name}",
            )
        total += info.file_size
        if total > MAX_ZIP_BYTES:
            raise InvalidRecordError(
                f"zip archive expands to more than {MAX_ZIP_BYTES} bytes", path=archive
            )
        members.append(info)
    return members


def _open_zip(archive: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidRecordError(f"not a readable zip archive: {exc}", path=archive) from None


def count_files(paths: Sequence[Path]) -> int:
    """How many record files (zip members included) :func:`iter_records` will read."""
    count = 0
    for source in _sources(paths):
        if isinstance(source, _Zip):
            with _open_zip(source.path) as zf:
                count += len(_zip_members(source.path, zf))
        else:
            count += 1
    return count


def _describe(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ""
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problems)"
    return message


def load_record(data: Any, *, path: str | Path, line: int | None = None) -> Vulnerability:
    """Validate one record's parsed data; :class:`InvalidRecordError` naming ``path`` if bad."""
    if not isinstance(data, dict):
        raise InvalidRecordError("not an OSV record: the top level is not a mapping", path=path)
    raw_id = data.get("id")
    record_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
    if record_id is None:
        raise InvalidRecordError("not an OSV record: no id", path=path, line=line)
    try:
        return Vulnerability.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecordError(_describe(exc), path=path, record_id=record_id) from None


def _is_record(data: Any) -> bool:
    return isinstance(data, dict) and not _RECORD_KEYS.isdisjoint(data)


def _record(parsed: _Parsed, display: str, walked: bool) -> Vulnerability | None:
    if parsed.error is not None:
        raise InvalidRecordError(parsed.error, path=display, line=parsed.line)
    if walked and not _is_record(parsed.data):
        return None
    return load_record(parsed.data, path=display)


class _Ticker:
    """Batches progress reports."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.pending = 0

    def tick(self) -> None:
        if self.progress is None:
            return
        self.pending += 1
        if self.pending >= _PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.progress is not None and self.pending:
            self.progress(self.pending)
            self.pending = 0


def _pool(yaml_files: int) -> Executor | None:
    workers = min(_WORKERS, os.cpu_count() or 1)
    if yaml_files < _POOL_MIN_FILES or workers < 2:
        return None
    import multiprocessing

    global _yaml_loader  # noqa: PLW0603 - built before forking: the workers import nothing
    if _yaml_loader is None:
        _yaml_loader = _make_yaml_loader()
    # Workers run only the parser (no locks a parent thread could hold), so forking is safe
    # and avoids re-importing the caller's main module, as "spawn" would.
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods else methods[0]
    try:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    except (OSError, ValueError, NotImplementedError):
        return None


def iter_records(
    paths: Sequence[Path], *, progress: Callable[[int], None] | None = None
) -> Iterator[Vulnerability]:
    """Every OSV record in ``paths`` (files, folders, zip exports), in a stable order.

    ``progress`` is called with the number of files read since its last call (a total for a
    bar is :func:`count_files`). Raises :class:`InvalidRecordError` at the first bad record.
    """
    sources = list(_sources(paths))
    ticker = _Ticker(progress)
    yaml_paths = [
        str(s.path) for s in sources if isinstance(s, _File) and s.path.suffix.lower() != ".json"
    ]
    pool = _pool(len(yaml_paths))
    parsed_yaml: Iterator[_Parsed] | None = None
    try:
        if pool is not None:
            chunks = [yaml_paths[i : i + _CHUNK] for i in range(0, len(yaml_paths), _CHUNK)]
            parsed_yaml = (item for chunk in pool.map(_parse_chunk, chunks) for item in chunk)
        for source in sources:
            if isinstance(source, _Zip):
                yield from _zip_records(source.path, ticker)
                continue
            is_yaml = source.path.suffix.lower() != ".json"
            if is_yaml and parsed_yaml is not None:
                try:
                    parsed = next(parsed_yaml)
                except BrokenProcessPool:
                    log.warning("YAML worker processes died; parsing in this process")
                    parsed_yaml = None
                    parsed = _read_and_parse(str(source.path))
            else:
                parsed = _read_and_parse(str(source.path))
            record = _record(parsed, str(source.path), source.walked)
            ticker.tick()
            if record is not None:
                yield record
    finally:
        ticker.flush()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _zip_records(archive: Path, ticker: _Ticker) -> Iterator[Vulnerability]:
    total = 0
    with _open_zip(archive) as zf:
        for info in _zip_members(archive, zf):
            display = f"{archive}!{info.filename}"
            try:
                with zf.open(info) as handle:
                    raw = handle.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise InvalidRecordError(f"cannot read zip member: {exc}", path=display) from None
            if len(raw) > MAX_MEMBER_BYTES:
                raise InvalidRecordError(f"larger than {MAX_MEMBER_BYTES} bytes", path=display)
            total += len(raw)  # what was read, not only what the zip declares
            if total > MAX_ZIP_BYTES:
                raise InvalidRecordError(
                    f"zip archive expands to more than {MAX_ZIP_BYTES} bytes", path=archive
                )
            record = _record(_parse(raw, yaml=False), display, walked=True)
            ticker.tick()
            if record is not None:
                yield record
