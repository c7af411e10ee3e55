"""The words name confusion is made of: affixes, version tags and lure words.

- **Affixes** are the words packagers put around a name to say which language or runtime it is
  for (``python-``, ``py``, ``-py``, ``node-``, ``-js``, ``.js``) or what kind of package it is
  (``-sdk``, ``-api``, ``-client``, ``-lib``, ``-core``). Adding one to a popular name, dropping
  one from it or trading one for another (``python3-dateutil`` for ``python-dateutil``) is the
  *affix* technique. Prefixes and suffixes count both as separate words (``python-x``) and glued
  (``pyx``), except the glued forms listed in :data:`NOT_GLUED`, which would cut real words.
- **Version tags** (``2``, ``3``, ``v2``) glued or added to a name (``telethon2``).
- **Lure words** promise something the real package lacks (:data:`PROMISE_WORDS`: ``-secure``,
  ``-official``, ``-fixed``, ``-latest``) or name what malware offers (:data:`MALWARE_WORDS`:
  ``selfbot``, ``nuker``, ``grabber``): a popular name combined with one is a combosquat even
  where combining the name with ordinary words is the ecosystem's naming convention
  (``django-``, ``eslint-plugin-``).
- **Plugin conventions** (:data:`PLUGIN_PREFIXES`, :data:`PLUGIN_SUFFIXES`) are the shapes in
  which an ecosystem names the extensions of a popular package (``django-x``, ``rollup-plugin-x``,
  ``x-webpack-plugin``): a popular name combined with a plain word in such a shape is not
  flagged at all (with a lure word it still is).
"""

from __future__ import annotations

import re

from stockade.ecosystems.interface import Ecosystem

PREFIXES: dict[Ecosystem, tuple[str, ...]] = {
    Ecosystem.PYPI: ("python3", "python2", "python", "py3", "py2", "py", "pypi", "pip", "lib"),
    Ecosystem.NPM: ("nodejs", "node", "js", "npm", "lib"),
}
"""Words put before a name, longest first."""

SUFFIXES: dict[Ecosystem, tuple[str, ...]] = {
    Ecosystem.PYPI: ("python3", "python", "py3", "py", "lib", "sdk", "api", "client", "core"),
    Ecosystem.NPM: ("nodejs", "node", "js", "lib", "sdk", "api", "client", "core"),
}
"""Words put after a name, longest first."""

NOT_GLUED = frozenset({"lib", "api", "core", "sdk", "client", "pip", "js"})
"""Affixes only recognised as separate words: glued, they are mostly part of real words
(``library``, ``rapid``, ``score``, ``jsdom``)."""

VERSION_TAG = re.compile(r"v?\d{1,2}")
"""A version tag: ``2``, ``3``, ``v2``, ``12``."""

PROMISE_WORDS = frozenset(
    {
        "official",
        "secure",
        "security",
        "safe",
        "verified",
        "trusted",
        "fix",
        "fixed",
        "fixes",
        "patch",
        "patched",
        "update",
        "updated",
        "updater",
        "upgrade",
        "latest",
        "new",
        "newest",
        "pro",
        "premium",
        "free",
        "install",
        "installer",
    }
)
"""Words promising what the real package lacks (``-secure``, ``-official``, ``-fixed``)."""

MALWARE_WORDS = frozenset(
    {
        "selfbot",
        "nuker",
        "grabber",
        "stealer",
        "tokens",
        "crack",
        "cracked",
        "hack",
        "hacks",
        "exploit",
        "bypass",
        "unlocked",
        "spoofer",
        "cheat",
        "cheats",
        "raid",
    }
)
"""Words naming what malware offers (``selfbot``, ``nuker``, ``grabber``)."""

LURE_WORDS = PROMISE_WORDS | MALWARE_WORDS
"""Words that make a popular name a lure (see the module docstring)."""

LANGUAGE_AFFIXES = frozenset(
    {
        "python3",
        "python2",
        "python",
        "py3",
        "py2",
        "py",
        "pypi",
        "pip",
        "nodejs",
        "node",
        "js",
        "npm",
    }
)
"""Affixes naming a language or a registry: adding one to a popular name, or trading one
for another, is a strong sign of imitation (dropping one, or adding ``-sdk``, ``-api`` ...,
is weak: such names are often a project's own other packages)."""


PLUGIN_PREFIXES: dict[Ecosystem, tuple[str, ...]] = {
    Ecosystem.PYPI: (
        # plugin conventions of the frameworks and tools
        "django",
        "pytest",
        "flask",
        "flake8",
        "sphinx",
        "sphinxcontrib",
        "mkdocs",
        "jupyterlab",
        "types",
        "mypy-boto3",
        "apache-airflow-providers",
        "opentelemetry-instrumentation",
        # seen in the benchmark: many legitimate extensions, no malicious one
        "langchain",
        "fastapi",
        "streamlit",
        "pydantic",
        "tree-sitter",
    ),
    Ecosystem.NPM: (
        # plugin conventions of the build tools and frameworks
        "babel-plugin",
        "babel-preset",
        "gatsby-plugin",
        "vite-plugin",
        "rollup-plugin",
        "esbuild-plugin",
        "prettier-plugin",
        "postcss",
        "tailwindcss",
        "unplugin",
        "vitest",
        "esbuild",
        "react",
        "react-native",
        # per-method packages (lodash.get) and a common word
        "lodash",
        "async",
    ),
}
"""Word sequences that start the names of an ecosystem's extensions (the name is that sequence
plus any words). Chosen with the benchmark (``benchmarks/results/typosquat.md``): the
conventions every developer knows, and the prefixes under which legitimate names outnumber the
malicious ones of the OpenSSF records about 50 to 1 or more, in a list of some 210,000 npm
names with about 500 downloads a month or more (``react-``: 4,250 names for 80; ``postcss-``:
300 for 2; ``async-``: 170 for 2) and in 40,000 recent PyPI names (``django-``: 290 for 1;
``langchain-``: 90 for none). Not here although they are conventions: ``eslint-config-`` and
``eslint-plugin-``, the most common shape of the malicious npm names (company lint
configurations published for dependency confusion: ``eslint-config-mattermost``; 1,500 names
for 107), nor ``express-``, ``webpack-`` (about 25 for 1), ``axios-`` (15 for 1) or PyPI's
``requests-`` (5 for 8). ``@types/`` and other popular npm scopes are left alone anyway: only
their owner publishes there."""

PLUGIN_SUFFIXES: dict[Ecosystem, tuple[str, ...]] = {
    Ecosystem.PYPI: (),
    Ecosystem.NPM: ("webpack-plugin", "loader"),
}
"""Word sequences that end the names of an ecosystem's extensions (``x-webpack-plugin``,
webpack's ``x-loader``)."""


def is_version_tag(word: str) -> bool:
    """Whether ``word`` is a version tag (``2``, ``v3``)."""
    return VERSION_TAG.fullmatch(word) is not None
