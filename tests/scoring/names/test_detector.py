"""The name checker on the shipped popular lists: every technique with real cases (most from
the OpenSSF malicious-packages records), the legitimate names it must leave alone, and the
popularity and establishment rules."""

from __future__ import annotations

import statistics
import time

import pytest

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names import NameChecker, NameMatch, Policy, PopularNames, checker

PYPI = Ecosystem.PYPI
NPM = Ecosystem.NPM
CYRILLIC_E = "\u0435"


def best(ecosystem: Ecosystem, name: str, **kwargs: object) -> NameMatch:
    found = checker(ecosystem).imitations(name, **kwargs)  # type: ignore[arg-type]
    assert found, f"{name} imitates nothing"
    return found[0]


@pytest.mark.parametrize(
    ("ecosystem", "name", "target", "technique", "strength"),
    [
        # swaps, insertions, deletions, substitutions
        (PYPI, "reqeusts", "requests", "edit-distance", "strong"),
        (PYPI, "djanga", "django", "edit-distance", "strong"),
        (PYPI, "colourama", "colorama", "edit-distance", "strong"),
        (PYPI, "fabrice", "fabric", "edit-distance", "strong"),
        (PYPI, "equests", "requests", "edit-distance", "strong"),
        (PYPI, "scikit-earn", "scikit-learn", "edit-distance", "strong"),
        (NPM, "electorn", "electron", "edit-distance", "strong"),
        (NPM, "lodahs", "lodash", "edit-distance", "strong"),
        (NPM, "d3sape", "d3-shape", "edit-distance", "strong"),
        # neighbouring keys
        (PYPI, "reqjuests", "requests", "keyboard-typo", "strong"),
        (PYPI, "colprama", "colorama", "keyboard-typo", "strong"),
        # doubled and undoubled letters
        (PYPI, "urlib3", "urllib3", "repeated-char", "strong"),
        (PYPI, "reqquests", "requests", "repeated-char", "strong"),
        (PYPI, "rrequests", "requests", "repeated-char", "strong"),
        (NPM, "expresss", "express", "repeated-char", "strong"),
        # look-alike characters
        (PYPI, "jeIlyfish", "jellyfish", "homoglyph", "strong"),
        (PYPI, "pi11ow", "pillow", "homoglyph", "strong"),
        (PYPI, "nurnpy", "numpy", "homoglyph", "strong"),
        (PYPI, f"r{CYRILLIC_E}quests", "requests", "homoglyph", "strong"),
        # separators and case
        (NPM, "crossenv", "cross-env", "separator", "strong"),
        (NPM, "cross_env", "cross-env", "separator", "strong"),
        (PYPI, "scikitlearn", "scikit-learn", "separator", "strong"),
        (NPM, "jsonstream", "JSONStream", "case", "strong"),
        # affixes
        (PYPI, "python3-dateutil", "python-dateutil", "affix", "strong"),
        (PYPI, "python-requests", "requests", "affix", "strong"),
        (PYPI, "colorama-py", "colorama", "affix", "strong"),
        (NPM, "node-lodash", "lodash", "affix", "strong"),
        (PYPI, "yaml", "pyyaml", "affix", "weak"),
        (PYPI, "freqtarde", "freqtrade", "edit-distance", "weak"),
        (PYPI, "httpxv3", "httpx", "affix", "weak"),
        # npm scopes
        (NPM, "types-node", "@types/node", "scope", "strong"),
        (NPM, "@typess/node", "@types/node", "scope", "strong"),
        (NPM, "@opentelemetrya/api", "@opentelemetry/api", "scope", "strong"),
        (NPM, "wagmi-connectors", "@wagmi/connectors", "scope", "strong"),
        (NPM, "@evil/lodash", "lodash", "scope", "weak"),
        # words reordered
        (PYPI, "toolbelt-requests", "requests-toolbelt", "reorder", "strong"),
        (PYPI, "python-aliyun-sdk-core", "aliyun-python-sdk-core", "reorder", "strong"),
        # combinations
        (PYPI, "discord-selfbot", "discord-py", "combosquat", "strong"),
        (PYPI, "numpy-stealer", "numpy", "combosquat", "strong"),
        (PYPI, "pygame-install", "pygame", "combosquat", "strong"),
        (PYPI, "requests-secure", "requests", "combosquat", "weak"),
        (PYPI, "invokehttp", "invoke", "combosquat", "weak"),
        # plain combinations: malicious names of the OpenSSF records (MAL ids)
        (NPM, "axios-proxy", "axios", "combosquat", "weak"),  # MAL-2023-116
        (NPM, "sync-axios", "axios", "combosquat", "weak"),  # MAL-2024-109
        (NPM, "express-blackbox", "express", "combosquat", "weak"),  # MAL-2022-2925
        (NPM, "eslint-config-mattermost", "eslint", "combosquat", "weak"),  # MAL-2022-2800
        (NPM, "eslint-plugin-scp-custom-rules", "eslint", "combosquat", "weak"),  # MAL-2023-1033
        (NPM, "webpack-insert-sentry-plugin", "webpack", "combosquat", "weak"),  # MAL-2024-10888
        (NPM, "react-dom-router-old", "react-dom", "combosquat", "weak"),  # MAL-2022-5643
        (NPM, "bitmex-node-fetch", "node-fetch", "combosquat", "weak"),  # MAL-2024-11916
        (NPM, "gdpr-cookie-consent", "cookie", "combosquat", "weak"),  # MAL-2024-7903
        (NPM, "buffervelocity", "buffer", "combosquat", "weak"),  # MAL-2022-1719
        (PYPI, "httpx-advanced", "httpx", "combosquat", "weak"),  # MAL-2024-5234
        (PYPI, "keras-preprocess", "keras", "combosquat", "weak"),  # MAL-2024-10649
        (PYPI, "easyrequests", "requests", "combosquat", "weak"),  # MAL-2024-5102
        (PYPI, "cryptographylibs", "cryptography", "combosquat", "weak"),  # MAL-2024-5003
        (PYPI, "requests-darwin-lite", "requests", "combosquat", "weak"),
    ],
)
def test_imitations_name_the_target_and_the_technique(
    ecosystem: Ecosystem, name: str, target: str, technique: str, strength: str
) -> None:
    match = best(ecosystem, name)
    assert (match.target, match.technique, match.strength) == (target, technique, strength)
    assert f"'{name}'" in match.message and f"'{target}'" in match.message
    assert match.message.endswith(".")
    assert 0.0 < match.similarity <= 1.0
    assert match.target_popularity == checker(ecosystem).popular.popularity(target)


def test_messages_say_what_changed() -> None:
    assert best(PYPI, "reqeusts").message.startswith("'reqeusts' swaps two letters ('ue') of")
    assert "'I' for 'l'" in best(PYPI, "jeIlyfish").message
    assert "CYRILLIC SMALL LETTER IE" in best(PYPI, f"r{CYRILLIC_E}quests").message
    assert "drops one 'l' of the double 'll'" in best(PYPI, "urlib3").message
    assert "puts 'python3' in place of 'python'" in best(PYPI, "python3-dateutil").message
    assert "PyPI's #" in best(PYPI, "reqeusts").message
    assert "npm's high-impact packages" in best(NPM, "crossenv").message
    assert best(PYPI, "reqeusts").edits == 1
    assert best(PYPI, "beatifusoup4").edits == 2
    assert best(NPM, "axios-proxy").message.startswith("'axios-proxy' adds 'proxy' after the name")
    assert best(NPM, "sync-axios").message.startswith("'sync-axios' adds 'sync' before the name")
    assert best(NPM, "gdpr-cookie-consent").message.startswith(
        "'gdpr-cookie-consent' puts 'gdpr' and 'consent' around the name of 'cookie'"
    )
    assert best(NPM, "eslint-config-mattermost").edits is None


@pytest.mark.parametrize(
    ("ecosystem", "name"),
    [
        (PYPI, "requests"),
        (PYPI, "Requests"),
        (PYPI, "pyyaml"),
        (PYPI, "PyYAML"),
        (PYPI, "boto3"),
        (PYPI, "boto"),
        (PYPI, "attrs"),
        (PYPI, "attr"),
        (PYPI, "requests-oauthlib"),
        (PYPI, "requests-toolbelt"),
        (PYPI, "python-dateutil"),
        (PYPI, "python_dateutil"),
        (PYPI, "pyjwt"),
        (PYPI, "jwt"),
        (PYPI, "pytest-cov"),
        (PYPI, "types-requests"),
        (PYPI, "django-filter"),
        (NPM, "react-dom"),
        (NPM, "@types/node"),
        (NPM, "lodash"),
        (NPM, "lodash.get"),
        (NPM, "JSONStream"),
        (NPM, "cross-env"),
        (NPM, "@babel/core"),
    ],
)
def test_popular_packages_imitate_nothing(ecosystem: Ecosystem, name: str) -> None:
    assert checker(ecosystem).imitations(name) == []


@pytest.mark.parametrize(
    "name",
    [
        # extensions in the ecosystem's conventional shape (PLUGIN_PREFIXES)
        "django-frobnicate",
        "pytest-frobnicate",
        "flask-frobnicate",
        "flake8-frobnicate",
        "sphinxcontrib-frobnicate",
        "types-frobnicate",
        "apache-airflow-providers-frobnicate",
        "opentelemetry-instrumentation-frobnicate",
        "pytest-requests",  # a pytest plugin for requests
        # a popular name not among the top 1,000 (cerberus is #1311), or only a word of one
        # ('pyproject' of pyproject-api)
        "cerberus-frobnicate",
        "pyproject-frobnicate",
        # short names: one letter off a 3- or 4-letter name is noise
        "sux",
        "idnb",
        # a different word within a namespace
        "django-foo",
        # unrelated
        "stockade",
        "frobnicator",
    ],
)
def test_new_legitimate_names_are_not_flagged(name: str) -> None:
    assert checker(PYPI).imitations(name) == []


@pytest.mark.parametrize(
    "name",
    [
        "babel-plugin-transform-frobnicate",
        "babel-preset-frobnicate",
        "gatsby-plugin-frobnicate",
        "vite-plugin-frobnicate",
        "vite-plugin-react-frobnicate",  # a plugin of vite for react
        "rollup-plugin-frobnicate",
        "esbuild-plugin-frobnicate",
        "prettier-plugin-frobnicate",
        "postcss-frobnicate",
        "tailwindcss-frobnicate",
        "react-frobnicate-widget",
        "react-native-frobnicate",
        "lodash.frobnicate",
        "frobnicate-loader",  # webpack's loaders
        "typescript-loader",
        "frobnicate-webpack-plugin",
        "@types/frobnicate",  # only the owner publishes in a popular scope
        "@acme/axios-proxy",  # a scoped name is installed by its scope
    ],
)
def test_npm_extensions_in_a_conventional_shape_are_not_flagged(name: str) -> None:
    npm = checker(NPM)
    assert name not in npm.popular
    assert npm.imitations(name) == []


@pytest.mark.parametrize(
    ("ecosystem", "name", "target"),
    [
        # extensions outside the conventional shapes: a warning for a new package, nothing
        # for an established one (the component's history)
        (NPM, "express-frobnicate", "express"),
        (NPM, "eslint-plugin-frobnicate", "eslint"),  # the shape of company-config lures
        (NPM, "frobnicate-react", "react"),
        (PYPI, "requests-frobnicate", "requests"),
        (PYPI, "numpy-frobnicate", "numpy"),
    ],
)
def test_other_extensions_are_weak_combinations(
    ecosystem: Ecosystem, name: str, target: str
) -> None:
    found = checker(ecosystem).imitations(name)
    assert [(m.target, m.technique, m.strength) for m in found] == [(target, "combosquat", "weak")]
    assert checker(ecosystem).imitations(name, established=True) == []


def test_a_plain_combination_names_the_popular_name_it_extends() -> None:
    npm = checker(NPM)
    # 'react-' is a conventional prefix, but 'react-dom-' extends the popular 'react-dom'
    assert best(NPM, "react-dom-router-old").target == "react-dom"
    assert best(NPM, "react-dom-frobnicate").target == "react-dom"
    # more than two words are added only after or before the popular name
    assert npm.imitations("acme-frobnicate-express-widget-kit") == []
    assert best(NPM, "acme-frobnicate-widget-express").target == "express"
    # a lure word keeps its own rule, in a scope too
    assert best(NPM, "@acme/axios-secure").message.startswith(
        "'@acme/axios-secure' combines 'secure' with"
    )


def test_a_target_must_be_far_more_popular_than_the_candidate() -> None:
    pypi = checker(PYPI)
    requests = pypi.popular.popularity("requests")
    assert requests is not None
    ratio = pypi.policy.ratio
    # a look-alike with its own users is not an imitation
    assert pypi.imitations("reqeusts", popularity=requests // ratio + 1) == []
    assert pypi.imitations("reqeusts", popularity=requests // ratio - 1)
    # boto has 1/215 of boto3's downloads; grequests is a long-standing project
    assert pypi.imitations("boto") == []
    assert pypi.imitations("grequests") == []
    # without a figure, grequests is a letter put in front of requests: weak
    unknown = NameChecker(PYPI, _without(pypi.popular, "grequests"))
    assert [m.strength for m in unknown.imitations("grequests")] == ["weak"]


def test_combinations_are_only_looked_for_in_unpopular_names() -> None:
    pypi = checker(PYPI)
    assert pypi.imitations("requests-secure")
    assert pypi.imitations("requests-secure", popularity=10) == []


def test_established_packages_keep_only_strong_matches() -> None:
    pypi = checker(PYPI)
    found = pypi.imitations("yaml")
    assert found[0].target == "pyyaml"
    assert {m.strength for m in found} == {"weak"}
    assert pypi.imitations("yaml", established=True) == []
    assert best(PYPI, "reqeusts", established=True).strength == "strong"


def test_a_strong_match_hides_weak_ones_and_same_spelling_hides_the_rest() -> None:
    found = checker(PYPI).imitations(f"r{CYRILLIC_E}quests")
    assert [m.target for m in found] == ["requests"]
    assert all(m.strength == "strong" for m in checker(NPM).imitations("expresss"))


def test_the_owner_of_a_scope_publishes_what_it_wants_there() -> None:
    assert checker(NPM).imitations("@types/nodee") == []
    assert checker(NPM).imitations("@babel/cor") == []


def test_a_small_list_and_policy() -> None:
    popular = PopularNames.from_text(
        PYPI,
        "requests\t1000000\nrequests-mock\t5000\nrequests-oauthlib\t5000\nrequests-cache\t5000\n"
        "colorama\t900000\n",
    )
    small = NameChecker(PYPI, popular, Policy(ratio=10, combo_top=10))
    assert best_of(small, "colorama-tools").technique == "combosquat"
    # requests is a namespace here: with a promise word the combination is only weak
    assert best_of(small, "requests-secure").strength == "weak"
    assert best_of(small, "requests-tools").strength == "weak"
    assert small.imitations("django-colorama") == []  # a conventional prefix
    loose = NameChecker(PYPI, popular, Policy(ratio=10, combo_top=10, conventions=False))
    assert best_of(loose, "django-colorama").target == "colorama"
    none = NameChecker(PYPI, popular, Policy(ratio=10, combo_top=0))
    assert none.imitations("colorama-tools") == []
    assert best_of(none, "requests-stealer").strength == "strong"  # lure words stay
    assert best_of(small, "reqeusts", popularity=50_000).target == "requests"
    assert small.imitations("reqeusts", popularity=500_000) == []
    strict = NameChecker(PYPI, popular, Policy(strong_min=1_000_000))
    assert best_of(strict, "coloramma").strength == "weak"
    assert best_of(strict, "requestss").strength == "strong"
    assert Policy().to_json()["ratio"] == Policy().ratio


def test_speed_is_well_under_a_millisecond_per_name() -> None:
    pypi = checker(PYPI)
    names = pypi.popular.top(400)
    times = []
    for name in names:
        start = time.perf_counter()
        pypi.imitations(name + "x")
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.002  # the benchmark measures about 0.15 ms


def best_of(chk: NameChecker, name: str, **kwargs: object) -> NameMatch:
    found = chk.imitations(name, **kwargs)  # type: ignore[arg-type]
    assert found, f"{name} imitates nothing"
    return found[0]


def _without(popular: PopularNames, name: str) -> PopularNames:
    return PopularNames(
        popular.ecosystem,
        ((n, popular.popularity(n) or 0) for n in popular if n != name),
    )
