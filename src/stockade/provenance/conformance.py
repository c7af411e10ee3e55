"""A client for sigstore-conformance's CLI protocol (``stockade-conformance``).

The upstream suite (github.com/sigstore/sigstore-conformance) drives a client executable as::

    stockade-conformance verify-bundle [--staging] --bundle B \\
        (--key K | --certificate-identity I --certificate-oidc-issuer O) \\
        [--trusted-root T] (ARTIFACT | sha256:HEX)

Exit 0 means verified; any other code means rejected (1: does not verify, 2: unusable
input). Without ``--trusted-root`` the shipped production root is used (``--staging``: the
staging root); nothing is fetched. Signing sub-commands are not offered.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from stockade.errors import StockadeError, VerificationFailed
from stockade.provenance.policy import IdentityPolicy
from stockade.provenance.trust import load_trust, shipped_root
from stockade.provenance.verify import verify_bundle


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockade-conformance", description="sigstore-conformance client for Stockade"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify-bundle", help="verify a Sigstore bundle")
    verify.add_argument("--staging", action="store_true")
    verify.add_argument("--bundle", required=True, type=Path)
    verify.add_argument("--key", type=Path)
    verify.add_argument("--certificate-identity")
    verify.add_argument("--certificate-oidc-issuer")
    verify.add_argument("--trusted-root", type=Path)
    verify.add_argument("artifact", metavar="ARTIFACT")
    return parser


def run(argv: Sequence[str]) -> int:
    """Run one protocol command; returns the exit code and prints one line on failure."""
    args = _parser().parse_args(list(argv))
    try:
        if args.trusted_root is not None:
            root = load_trust(args.trusted_root)
        else:
            root = shipped_root("staging" if args.staging else "production")
        policy = None
        if args.key is None:
            policy = IdentityPolicy.of(
                identity=args.certificate_identity or (),
                issuer=args.certificate_oidc_issuer or (),
            )
        artifact: Path | str = args.artifact
        if not args.artifact.startswith("sha256:"):
            artifact = Path(args.artifact)
        verify_bundle(artifact, args.bundle, policy, root, key=args.key)
    except VerificationFailed as exc:
        print(f"not verified: {exc}", file=sys.stderr)
        return 1
    except StockadeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
