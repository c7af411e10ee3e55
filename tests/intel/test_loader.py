"""Reading OSV records from files, folders and zip exports; bad input named precisely."""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from stockade.errors import InputError, InvalidRecordError
from stockade.intel.osv import loader
from stockade.intel.osv.loader import count_files, iter_records
from tests.conftest import FIXTURES

OSV = FIXTURES / "osv"
FIXTURE_IDS = {
    "MAL-2022-58",
    "MAL-2023-1574",
    "MAL-2023-8651",
    "MAL-2024-10238",
    "PYSEC-2017-94",
    "PYSEC-2018-97",
    "PYSEC-2022-42969",
    "PYSEC-2023-221",
}


def record(vid: str, **extra: Any) -> dict[str, Any]:
    return {"id": vid, "modified": "2024-01-02T03:04:05Z", **extra}


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def make_zip(path: Path, members: Mapping[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


def ids(paths: list[Path]) -> list[str]:
    return [r.id for r in iter_records(paths)]


def error(paths: list[Path]) -> InvalidRecordError:
    with pytest.raises(InvalidRecordError) as caught:
        list(iter_records(paths))
    return caught.value


def test_fixture_folder_json_and_yaml() -> None:
    records = list(iter_records([OSV]))
    assert {r.id for r in records} == FIXTURE_IDS
    assert count_files([OSV]) == len(FIXTURE_IDS)
    werkzeug = next(r for r in records if r.id == "PYSEC-2023-221")
    assert werkzeug.affected[0].package is not None
    assert werkzeug.affected[0].package.name == "werkzeug"
    assert werkzeug.modified.year == 2023


def test_single_files_and_yml_suffix(tmp_path: Path) -> None:
    yml = tmp_path / "one.yml"
    shutil.copy(OSV / "pysec" / "PYSEC-2017-94.yaml", yml)
    given = [yml, OSV / "malicious" / "MAL-2022-58.json"]
    assert ids(given) == ["PYSEC-2017-94", "MAL-2022-58"]


def test_folders_walk_in_name_order_and_skip_hidden_and_non_records(tmp_path: Path) -> None:
    write_json(tmp_path / "b" / "OSV-2.json", record("OSV-2"))
    write_json(tmp_path / "a" / "z" / "OSV-1.json", record("OSV-1"))
    write_json(tmp_path / "a" / "OSV-3.json", record("OSV-3"))
    write_json(tmp_path / ".git" / "OSV-9.json", record("OSV-9"))
    write_json(tmp_path / "b" / ".hidden.json", record("OSV-8"))
    (tmp_path / "triage.yaml").write_text("ids:\n- CVE-2021-27928  # not a record\n")
    (tmp_path / "notes.txt").write_text("not read")
    assert ids([tmp_path]) == ["OSV-3", "OSV-1", "OSV-2"]
    assert count_files([tmp_path]) == 4  # the triage list is read, then skipped


def test_a_file_named_directly_must_be_a_record(tmp_path: Path) -> None:
    triage = tmp_path / "triage.yaml"
    triage.write_text("ids:\n- CVE-2021-27928\n")
    err = error([triage])
    assert str(err) == f"{triage}: not an OSV record: no id"


def test_unknown_suffix_and_missing_path(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("x")
    with pytest.raises(InputError, match=r"notes\.txt: not an OSV record file"):
        list(iter_records([text]))
    with pytest.raises(InputError, match=r"absent\.json: cannot read"):
        count_files([tmp_path / "absent.json"])


def test_zip_export(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "all.zip",
        {
            "OSV-1.json": json.dumps(record("OSV-1")),
            "nested/OSV-2.json": json.dumps(record("OSV-2")),
            "README.txt": "not a record",
            "OSV-3.yaml": "id: OSV-3\nmodified: '2024-01-01T00:00:00Z'\n",
            "__MACOSX/._OSV-1.json": b"\x00\x05",
            "folder/": "",
            "meta.json": json.dumps({"generated": "2024-01-01"}),
        },
    )
    assert ids([archive]) == ["OSV-1", "OSV-2"]
    assert count_files([archive]) == 3  # the JSON members, meta.json included


def test_zip_inside_a_folder(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    make_zip(tmp_path / "exports" / "all.zip", {"OSV-1.json": json.dumps(record("OSV-1"))})
    write_json(tmp_path / "loose" / "OSV-2.json", record("OSV-2"))
    assert ids([tmp_path]) == ["OSV-1", "OSV-2"]


def test_invalid_zip_member_is_named_inside_the_archive(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "all.zip",
        {"OSV-1.json": json.dumps(record("OSV-1")), "OSV-2.json": '{"id": "OSV-2",\n  oops}'},
    )
    err = error([archive])
    assert err.path == f"{archive}!OSV-2.json"
    assert err.line == 2
    assert str(err).startswith(f"{archive}!OSV-2.json:2: invalid JSON:")


def test_zip_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members = {f"OSV-{i}.json": json.dumps(record(f"OSV-{i}")) for i in range(5)}
    archive = make_zip(tmp_path / "all.zip", members)
    monkeypatch.setattr(loader, "MAX_ZIP_MEMBERS", 4)
    assert "5 members, more than the 4 allowed" in str(error([archive]))
    monkeypatch.setattr(loader, "MAX_ZIP_MEMBERS", 100)
    size = len(members["OSV-0.json"])
    monkeypatch.setattr(loader, "MAX_ZIP_BYTES", size * 3)
    assert "expands to more than" in str(error([archive]))
    monkeypatch.setattr(loader, "MAX_ZIP_BYTES", 10**9)
    big = make_zip(
        tmp_path / "big.zip", {"OSV-1.json": json.dumps(record("OSV-1", details="x" * 500))}
    )
    monkeypatch.setattr(loader, "MAX_MEMBER_BYTES", 200)
    err = error([big])
    assert err.path == f"{big}!OSV-1.json"
    assert "over 200 bytes" in str(err)


def test_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "all.zip"
    fake.write_bytes(b"this is no zip")
    assert str(error([fake])).startswith(f"{fake}: not a readable zip archive")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", '{\n  "id": "OSV-1",\n  "modified": \n}', ":4: invalid JSON: Expecting value"),
        ("bad.yaml", "id: OSV-1\nmodified: [unclosed\n", ":3: invalid YAML:"),
        ("list.json", "[1, 2]", ": not an OSV record: the top level is not a mapping"),
        ("noid.json", '{"modified": "2024-01-01T00:00:00Z"}', ": not an OSV record: no id"),
        ("nomod.json", '{"id": "OSV-7"}', ": record OSV-7: modified: Field required"),
        (
            "types.json",
            '{"id": "OSV-8", "modified": "2024-01-01T00:00:00Z", "affected": {"x": 1}}',
            ": record OSV-8: affected: Input should be a valid list",
        ),
        (
            "events.yaml",
            "id: OSV-9\nmodified: 2024-01-01T00:00:00Z\naffected:\n- ranges:\n  - type: ECOSYSTEM\n"
            "    events:\n    - introduced: '0'\n    - fixed: 1.10\n",
            ": record OSV-9: affected[0].ranges[0].events[1].fixed: Input should be a valid string",
        ),
        (
            "many.json",
            '{"id": "OSV-10", "modified": "yesterday", "aliases": "CVE-1"}',
            ": record OSV-10: modified: Input should be a valid datetime",
        ),
        ("latin1.json", b'{"id": "OSV-\xe9"}', ": not UTF-8 text"),
    ],
)
def test_invalid_records_name_file_record_and_line(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    message = str(error([path]))
    assert message.startswith(f"{path}{expected}")
    assert "\n" not in message


def test_several_validation_problems_are_counted(tmp_path: Path) -> None:
    path = write_json(tmp_path / "x.json", {"id": "OSV-1", "modified": "no", "aliases": "CVE"})
    assert str(error([path])).endswith("(and 1 more problems)")


def test_progress_reports_every_file(tmp_path: Path) -> None:
    for i in range(250):
        write_json(tmp_path / f"OSV-{i:03}.json", record(f"OSV-{i:03}"))
    reports: list[int] = []
    records = list(iter_records([tmp_path, OSV], progress=reports.append))
    assert len(records) == 250 + len(FIXTURE_IDS)
    assert sum(reports) == count_files([tmp_path, OSV]) == 258
    assert len(reports) > 1  # batched, not one call at the end


def _yaml_folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "yaml"
    folder.mkdir()
    for i in range(count):
        (folder / f"PYSEC-2024-{i:03}.yaml").write_text(
            f"id: PYSEC-2024-{i:03}\nmodified: '2024-01-01T00:00:00Z'\n"
            "affected:\n- package: {name: demo, ecosystem: PyPI}\n  versions: ['1.0', '1.1']\n"
        )
    return folder


def test_worker_pool_gives_the_same_records_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _yaml_folder(tmp_path, 150)
    json_file = write_json(tmp_path / "OSV-1.json", record("OSV-1"))
    serial = list(iter_records([folder, json_file]))
    monkeypatch.setattr(loader, "_POOL_MIN_FILES", 10)
    monkeypatch.setattr(loader, "_CHUNK", 7)
    pooled = list(iter_records([folder, json_file]))
    assert pooled == serial
    assert [r.id for r in pooled][:2] == ["PYSEC-2024-000", "PYSEC-2024-001"]
    assert pooled[-1].id == "OSV-1"
    assert pooled[42].affected[0].versions == ["1.0", "1.1"]


def test_worker_pool_reports_the_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _yaml_folder(tmp_path, 40)
    bad = folder / "PYSEC-2024-017.yaml"
    bad.write_text("id: PYSEC-2024-017\nmodified: '2024-01-01T00:00:00Z'\naffected: [\n")
    monkeypatch.setattr(loader, "_POOL_MIN_FILES", 10)
    monkeypatch.setattr(loader, "_CHUNK", 5)
    seen: list[str] = []
    with pytest.raises(InvalidRecordError) as caught:
        seen.extend(r.id for r in iter_records([folder]))
    assert caught.value.path == str(bad)
    assert caught.value.line == 4


def test_pure_python_yaml_gives_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = list(iter_records([OSV / "pysec"]))
    monkeypatch.setitem(sys.modules, "ruamel.yaml.cyaml", None)  # as if no C extension
    monkeypatch.setattr(loader, "_yaml_loader", None)
    slow = list(iter_records([OSV / "pysec"]))
    assert loader._yaml_loader is not None
    assert getattr(loader._yaml_loader, "__self__", None) is not None  # YAML(typ="safe").load
    assert slow == fast


def _die(paths: list[str]) -> list[Any]:
    os._exit(3)  # a worker killed mid-parse (out of memory, a signal)


def test_dead_workers_fall_back_to_parsing_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _yaml_folder(tmp_path, 30)
    expected = ids([folder])
    monkeypatch.setattr(loader, "_POOL_MIN_FILES", 10)
    monkeypatch.setattr(loader, "_parse_chunk", _die)
    assert ids([folder]) == expected
    assert "worker processes died" in caplog.text
