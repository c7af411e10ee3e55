from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stockade.config import fail_threshold, find_config, load_config
from stockade.errors import ConfigError
from stockade.intel.findings import Severity


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file() -> None:
    cfg = load_config(None)
    assert cfg.fail_on == "any"
    assert cfg.ignores == ()
    assert cfg.resolve is True


def test_pyproject_section(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "x"

[tool.stockade]
fail-on = "high"
exclude = ["tests/fixtures"]
source = "local"

[tool.stockade.registries]
pypi = "https://mirror.example/simple"

[[tool.stockade.ignore]]
id = "GHSA-aaaa-bbbb-cccc"
reason = "not reachable"
expires = 2027-01-01
package = "requests"

[[tool.stockade.ignore]]
id = "PYSEC-2020-1"
reason = "accepted long ago"
expires = 2020-01-01
""",
    )
    assert find_config(tmp_path) == path
    cfg = load_config(path, today=date(2026, 11, 22))
    assert cfg.fail_on == "high"
    assert cfg.exclude == ("tests/fixtures",)
    assert cfg.source == "local"
    assert cfg.pypi_registry == "https://mirror.example/simple"
    assert [i.id for i in cfg.ignores] == ["GHSA-aaaa-bbbb-cccc"]
    assert cfg.ignores[0].package == "requests"
    assert cfg.ignores[0].expires == date(2027, 1, 1)
    assert len(cfg.notices) == 1 and "PYSEC-2020-1" in cfg.notices[0]


def test_stockade_toml_top_level_wins_and_is_found_upwards(tmp_path: Path) -> None:
    write(tmp_path / "stockade.toml", 'fail-on = "critical"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    found = find_config(sub)
    assert found == tmp_path / "stockade.toml"
    assert load_config(found).fail_on == "critical"


def test_pyproject_without_section_is_not_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None or find_config(tmp_path) != tmp_path / "pyproject.toml"


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "stockade.toml", 'source = "auto"\nfail_onn = "high"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:2: fail_onn")


def test_ignore_needs_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "stockade.toml", '[[ignore]]\nid = "CVE-2020-1"\n')
    with pytest.raises(ConfigError, match="reason"):
        load_config(path)


def test_bad_toml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path / "stockade.toml", 'source = "auto"\nfail-on = \n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == 2


def test_bad_severity_value(tmp_path: Path) -> None:
    path = write(tmp_path / "stockade.toml", 'fail-on = "severe"\n')
    with pytest.raises(ConfigError, match="fail-on"):
        load_config(path)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("any", Severity.UNKNOWN), ("high", Severity.HIGH), ("none", None)],
)
def test_fail_threshold(word: str, expected: Severity | None) -> None:
    assert fail_threshold(word) == expected


def test_fail_threshold_rejects_nonsense() -> None:
    with pytest.raises(ConfigError):
        fail_threshold("loud")


def test_min_score_is_read_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "stockade.toml"
    path.write_text('fail-on = "high"\nmin-score = 4.5\n')
    assert load_config(path).min_score == 4.5
    assert load_config(None).min_score is None
    path.write_text('fail-on = "high"\n\nmin-score = 11\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:3:")
    assert "min-score" in str(info.value)
