"""Version semantics: PEP 440 (as pip applies it) and npm's semver (as npm applies it)."""

from __future__ import annotations

import nodesemver
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from stockade.ecosystems.npm.versions import NpmSemver
from stockade.ecosystems.pypi.versions import PEP440
from stockade.errors import InputError

pep440 = PEP440()
npm = NpmSemver()

# --- PEP 440 -----------------------------------------------------------------------------------


def test_pep440_order() -> None:
    ordered = [
        "banana",  # not PEP 440: before every valid version, by text
        "cherry",
        "0.9",
        "1.0.dev1",
        "1.0a1",
        "1.0a2.dev1",
        "1.0a2",
        "1.0b2",
        "1.0rc1",
        "1.0",
        "1.0+local",
        "1.0.post1",
        "1.1",
        "2.0.0a1",
        "2.0",
        "10.0",
        "1!0.1",
    ]
    shuffled = ordered[::-1][3:] + ordered[::-1][:3]
    assert sorted(shuffled, key=pep440.key) == ordered


def test_pep440_key_equal_for_equal_versions() -> None:
    assert pep440.key("1.0") == pep440.key("1.0.0") == pep440.key("v1.0")
    assert pep440.key("1.0") != pep440.key("1.0.post0")


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=4), st.integers(0, 3))
def test_pep440_key_agrees_with_packaging(release: list[int], pre: int) -> None:
    base = ".".join(map(str, release))
    versions = [base, f"{base}a{pre}", f"{base}.post{pre}", f"{base}.dev{pre}", f"{base}rc{pre}"]
    assert sorted(versions, key=pep440.key) == sorted(versions, key=Version)


def test_pep440_validity_and_prereleases() -> None:
    assert pep440.is_valid("1.0.post1")
    assert not pep440.is_valid("1.0-beta-foo bar")
    assert pep440.is_prerelease("1.0rc1")
    assert pep440.is_prerelease("1.0.dev0")
    assert not pep440.is_prerelease("1.0.post1")
    assert not pep440.is_prerelease("banana")


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("1.5", ">=1.0,<2", True),
        ("2.0", ">=1.0,<2", False),
        ("2.0a1", ">=1.0", True),  # in the range, even if pip would not pick it by default
        ("1.0+local", "==1.0", True),
        ("1.1.3", "~=1.1.0", True),
        ("1.2.0", "~=1.1.0", False),
        ("1.4", "==1.*", True),
        ("3.0", "", True),
        ("3.0", "*", True),
        ("banana", ">=1", False),
        ("banana", "", True),
        ("1.0", "!=1.0", False),
    ],
)
def test_pep440_satisfies(version: str, spec: str, expected: bool) -> None:
    assert pep440.satisfies(version, spec) is expected


def test_pep440_invalid_spec_is_input_error() -> None:
    with pytest.raises(InputError, match="invalid version specifier"):
        pep440.satisfies("1.0", ">=>1")


@pytest.mark.parametrize(
    ("versions", "spec", "expected"),
    [
        # Pre-releases only when the spec names one, or when no final release satisfies it.
        (["1.0", "2.0a1"], "", "1.0"),
        (["1.0", "2.0a1"], "*", "1.0"),
        (["1.0", "2.0a1"], ">=1.0", "1.0"),
        (["1.0", "2.0a1"], ">=2.0a1", "2.0a1"),
        (["2.0a1", "2.0b1"], "", "2.0b1"),
        (["1.0", "2.0b1"], ">=1.5", "2.0b1"),
        (["0.9", "1.0.dev1"], "<1.0a1", "1.0.dev1"),
        (["1.0", "2.0rc1"], "!=2.0rc1", "1.0"),
        # Ordinary ranges.
        (["1.0", "1.1", "2.0"], "~=1.0", "1.1"),
        (["1.0", "1.0.post1"], ">=1.0", "1.0.post1"),
        (["1.0", "1.0.post1"], "==1.0", "1.0"),
        (["1.0", "1.5"], ">1.5", None),
        (["0.9", "banana", "1.0"], "", "1.0"),
        (["banana"], "", None),
        ([], ">=1", None),
    ],
)
def test_pep440_best(versions: list[str], spec: str, expected: str | None) -> None:
    assert pep440.best(versions, spec) == expected


# --- npm semver --------------------------------------------------------------------------------

# The order npm's own ``semver.compare`` (loose) gives these.
NPM_ORDER = [
    "0.0.3",
    "0.2.9",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.2.3-beta.4",
    "1.2.4",
    "v1.2.5",
    "=1.2.6",
    "1.3.0",
    "2.0.0",
    "9.0.0",
    "10.0.0",
]


def test_npm_order() -> None:
    shuffled = NPM_ORDER[1::2] + NPM_ORDER[::2]
    assert sorted(shuffled, key=npm.key) == NPM_ORDER
    assert sorted(["2.0.0", "not-a-version", "1.0.0", "also bad"], key=npm.key) == [
        "also bad",
        "not-a-version",
        "1.0.0",
        "2.0.0",
    ]
    assert npm.key("1.0.0+build.5") == npm.key("1.0.0")


@given(
    st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
    st.sampled_from(["", "-alpha", "-alpha.1", "-beta.2", "-beta.11", "-rc.1", "-0"]),
    st.sampled_from(["", "-alpha", "-alpha.1", "-beta.2", "-beta.11", "-rc.1", "-0"]),
)
def test_npm_key_agrees_with_semver_compare(
    a: tuple[int, int, int], b: tuple[int, int, int], pre_a: str, pre_b: str
) -> None:
    va = ".".join(map(str, a)) + pre_a
    vb = ".".join(map(str, b)) + pre_b
    expected = nodesemver.compare(va, vb, loose=True)
    got = (npm.key(va) > npm.key(vb)) - (npm.key(va) < npm.key(vb))
    assert got == expected


# What npm's ``semver.valid(v, {loose: true})`` says of each.
NPM_VALIDITY = {
    "1.2.3": True,
    "v1.2.3": True,
    "=1.2.3": True,
    " 1.2.3 ": True,
    "01.2.3": True,
    "1.2.3beta": True,
    "1.2.3-01": True,
    "1.2": False,
    "1": False,
    "1.2.3.4": False,
    "1.2.3+": False,
    "1.2.3-beta..1": False,
    "1.2.3-beta_1": False,
    "1.x": False,
    "~1.2.3": False,
    "1.2.3 junk": False,
    "latest": False,
    "": False,
}


@pytest.mark.parametrize(("version", "valid"), NPM_VALIDITY.items())
def test_npm_validity_matches_npm(version: str, valid: bool) -> None:
    assert npm.is_valid(version) is valid
    assert npm.satisfies(version, "*") is (valid and not npm.is_prerelease(version))


def test_npm_prereleases() -> None:
    assert npm.is_prerelease("1.0.0-rc.1")
    assert not npm.is_prerelease("1.0.0+build")


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("1.2.5", "^1.2.0", True),
        ("2.0.0", "^1.2.0", False),
        ("1.3.0-beta.1", "^1.2.0", False),  # a pre-release only matches its own x.y.z
        ("1.2.3-beta.4", "^1.2.3-beta.2", True),
        ("1.2.4-beta.2", "^1.2.3-beta.2", False),
        ("0.0.4", "^0.0.3", False),
        ("0.2.9", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("1.2.9", "~1.2", True),
        ("2.3.4", "1.2 - 2.3.4", True),
        ("2.3.5", "1.2 - 2.3.4", False),
        ("2.5.0", "1.2.3 || >=2.5.0", True),
        ("1.2.3", "=1.2.3", True),
        ("1.2.3", "v1.2.3", True),
        ("2.0.0-rc.1", "*", False),
        ("3.0.0", "", True),
        ("3.0.0", "x", True),
        ("3.0.0", "latest", True),
        ("1.0.0", "not a range!!", False),
        ("not a version", "*", False),
    ],
)
def test_npm_satisfies(version: str, spec: str, expected: bool) -> None:
    assert npm.satisfies(version, spec) is expected


@pytest.mark.parametrize(
    ("versions", "spec", "expected"),
    [
        (["1.2.0", "1.3.0-beta.1", "1.2.5", "2.0.0"], "^1.2.0", "1.2.5"),
        (["1.2.3-beta.2", "1.2.3-beta.10", "1.2.4-beta.1"], ">=1.2.3-beta.1", "1.2.3-beta.10"),
        (["1.2.3", "1.2.4", "1.3.0"], "~1.2.3", "1.2.4"),
        (["0.0.3", "0.0.4"], "^0.0.3", "0.0.3"),
        (["1.0.0", "2.0.0", "3.0.0-rc.1"], "", "2.0.0"),
        (["1.0.0", "2.0.0", "3.0.0-rc.1"], "*", "2.0.0"),
        (["1.0.0-rc.1"], "*", None),  # semver.maxSatisfying gives null too
        (["1.0.0", "not-a-version"], "*", "1.0.0"),
        (["1.0.0"], "^2", None),
        (["1.0.0"], "not a range!!", None),
        ([], "*", None),
    ],
)
def test_npm_best(versions: list[str], spec: str, expected: str | None) -> None:
    assert npm.best(versions, spec) == expected
