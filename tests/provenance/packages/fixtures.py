"""Fixture documents of package provenance (see tests/fixtures/provenance/README.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from stockade.provenance.attestations import SigstoreDsse
from stockade.provenance.trust import shipped_root

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "provenance"

GCB_SDIST = "gcb_attestation_test-0.0.0.tar.gz"
GCB_SHA256 = "461317362419124b6012e855423a9078d6de8aed3e74fa78cc74d669b23dc6cf"
GCB_EMAIL = "919436158236-compute@developer.gserviceaccount.com"
A_TXT_SHA256 = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
GUNDAM_SHA512 = (
    "8d9d7972f676516c75014aa074e11ae604d98f0b64ec6725a61e2838ff3dab16"
    "2118fa71433fb31e1550d30bd0dec9d086ce032b94457b583900c507acf39c40"
)
BEACON = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon"
REGEN_BUILDER = "https://github.com/sigstore-conformance/rekor2-dsse-hashedrekord-regen"


def text(relative: str) -> str:
    """A fixture file's text."""
    return (FOLDER / relative).read_text(encoding="utf-8")


def load(relative: str) -> Any:
    """A fixture file's JSON."""
    return json.loads(text(relative))


@cache
def staging_verifier() -> SigstoreDsse:
    """sigstore-python over the shipped staging root (offline)."""
    return SigstoreDsse(shipped_root("staging"))
