"""Ecosystems (PyPI, npm) behind one protocol: :class:`~.interface.EcosystemSupport`."""

from __future__ import annotations

from stockade.ecosystems.interface import Ecosystem, EcosystemSupport

_SUPPORT: dict[Ecosystem, EcosystemSupport] = {}


def get(ecosystem: Ecosystem | str) -> EcosystemSupport:
    """The support object of an ecosystem (``Ecosystem.PYPI`` or ``"PyPI"``)."""
    eco = Ecosystem(ecosystem)
    if not _SUPPORT:
        from stockade.ecosystems.npm import NpmSupport
        from stockade.ecosystems.pypi import PyPISupport

        _SUPPORT[Ecosystem.PYPI] = PyPISupport()
        _SUPPORT[Ecosystem.NPM] = NpmSupport()
    return _SUPPORT[eco]


def all_ecosystems() -> list[EcosystemSupport]:
    """Every supported ecosystem."""
    return [get(e) for e in Ecosystem]


__all__ = ["Ecosystem", "EcosystemSupport", "all_ecosystems", "get"]
