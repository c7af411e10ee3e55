"""``stockade verify``: check a Sigstore bundle over an artifact, with flags named as cosign
names them. Exit 0 verified, 1 not verified, 2 unusable input."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stockade.errors import StockadeError, VerificationFailed

if TYPE_CHECKING:  # the verification stack (cryptography, sigstore) loads only for `verify`
    from stockade.provenance.bundles import Verification

_GITHUB_CLAIM_FLAGS = {
    "github_workflow_repository": "--certificate-github-workflow-repository",
    "github_workflow_ref": "--certificate-github-workflow-ref",
    "github_workflow_sha": "--certificate-github-workflow-sha",
    "github_workflow_trigger": "--certificate-github-workflow-trigger",
    "github_workflow_name": "--certificate-github-workflow-name",
}


def render_table(result: Verification, *, color: bool = False, width: int = 100) -> str:
    """A human-readable summary of a verification."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width)
    table = Table(title="Verified", title_justify="left", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value", overflow="fold")
    data = result.to_dict()
    rows: list[tuple[str, str | None]] = [
        ("Artifact", data["artifact"]),
        ("Kind", result.kind),
        ("Identity", result.identity),
        ("Issuer", data["issuer"]),
        ("Key", result.key_id and f"sha256:{result.key_id}"),
        ("Log index", None if result.log_index is None else str(result.log_index)),
        ("Integrated time", data["integrated_time"]),
        ("Signed times", ", ".join(data["signed_times"]) or None),
    ]
    for name in _GITHUB_CLAIM_FLAGS:
        rows.append((name.replace("_", " ").capitalize(), data["claims"].get(name)))
    if result.statement is not None:
        rows.append(("Predicate type", result.statement.predicate_type))
        rows.extend(
            ("Subject", f"{s.name} sha256:{s.digests.get('sha256', '?')}")
            for s in result.statement.subjects
        )
    for field, value in rows:
        if value:
            table.add_row(field, escape(value))
    console.print(table)
    return buffer.getvalue()


def register(app: typer.Typer) -> None:
    """Add ``stockade verify`` to `app`."""

    @app.command("verify")
    def verify(
        artifact: Annotated[
            str, typer.Argument(metavar="ARTIFACT", help="The signed file, or sha256:HEX.")
        ],
        bundle: Annotated[
            Path, typer.Option("--bundle", metavar="FILE", help="The Sigstore bundle (JSON).")
        ],
        identity: Annotated[
            list[str] | None,
            typer.Option(
                "--certificate-identity",
                metavar="IDENTITY",
                help="Expected signer identity (repeatable: any of).",
            ),
        ] = None,
        identity_regexp: Annotated[
            list[str] | None,
            typer.Option(
                "--certificate-identity-regexp",
                metavar="REGEXP",
                help="Regular expression the whole identity must match (repeatable).",
            ),
        ] = None,
        issuer: Annotated[
            list[str] | None,
            typer.Option(
                "--certificate-oidc-issuer",
                metavar="ISSUER",
                help="Expected OIDC issuer (repeatable).",
            ),
        ] = None,
        issuer_regexp: Annotated[
            list[str] | None,
            typer.Option(
                "--certificate-oidc-issuer-regexp",
                metavar="REGEXP",
                help="Regular expression the whole issuer must match (repeatable).",
            ),
        ] = None,
        gh_repository: Annotated[
            str | None,
            typer.Option("--certificate-github-workflow-repository", help="owner/repo."),
        ] = None,
        gh_ref: Annotated[
            str | None,
            typer.Option("--certificate-github-workflow-ref", help="e.g. refs/tags/v1.0."),
        ] = None,
        gh_sha: Annotated[
            str | None, typer.Option("--certificate-github-workflow-sha", help="Commit SHA.")
        ] = None,
        gh_trigger: Annotated[
            str | None,
            typer.Option("--certificate-github-workflow-trigger", help="e.g. push, release."),
        ] = None,
        gh_name: Annotated[
            str | None, typer.Option("--certificate-github-workflow-name", help="Workflow name.")
        ] = None,
        key: Annotated[
            Path | None,
            typer.Option(
                "--key",
                metavar="FILE",
                help="PEM public key: verify a key signature, not an identity.",
            ),
        ] = None,
        trusted_root: Annotated[
            Path | None,
            typer.Option(
                "--trusted-root",
                metavar="FILE",
                help="A Sigstore trusted root or client trust config (private instances).",
            ),
        ] = None,
        staging: Annotated[
            bool, typer.Option("--staging", help="Use the Sigstore staging root.")
        ] = False,
        output_format: Annotated[
            str, typer.Option("--format", metavar="table|json", help="table or json.")
        ] = "table",
    ) -> None:
        """Verify a Sigstore bundle over ARTIFACT (exit 0 verified, 1 not, 2 unusable input)."""
        claims = {
            name: value
            for name, value in {
                "github_workflow_repository": gh_repository,
                "github_workflow_ref": gh_ref,
                "github_workflow_sha": gh_sha,
                "github_workflow_trigger": gh_trigger,
                "github_workflow_name": gh_name,
            }.items()
            if value
        }
        err = Console(stderr=True, highlight=False)
        try:
            if output_format not in ("table", "json"):
                raise StockadeError(f"unknown format {output_format!r} (table or json)")
            result = _run(
                artifact,
                bundle,
                identity or [],
                identity_regexp or [],
                issuer or [],
                issuer_regexp or [],
                claims,
                key,
                trusted_root,
                staging,
            )
        except VerificationFailed as exc:
            if output_format == "json":
                typer.echo(json.dumps({"verified": False, "reason": str(exc)}, indent=2))
            err.print(f"[bold red]not verified:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(1) from None
        except StockadeError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(2) from None
        if output_format == "json":
            typer.echo(json.dumps(result.to_dict(), indent=2))
        else:
            typer.echo(render_table(result).rstrip())


def _run(
    artifact: str,
    bundle: Path,
    identity: list[str],
    identity_regexp: list[str],
    issuer: list[str],
    issuer_regexp: list[str],
    claims: dict[str, str],
    key: Path | None,
    trusted_root: Path | None,
    staging: bool,
) -> Verification:
    from stockade.provenance.policy import IdentityPolicy
    from stockade.provenance.trust import load_trust, shipped_root
    from stockade.provenance.verify import verify_bundle

    logging.getLogger("sigstore").setLevel(logging.ERROR)
    if key is not None and (identity or identity_regexp or claims):
        raise StockadeError("--key verifies a key signature: it cannot be combined with identities")
    root = (
        load_trust(trusted_root)
        if trusted_root
        else shipped_root("staging" if staging else "production")
    )
    policy = None
    if key is None:
        policy = IdentityPolicy.of(
            identity=identity,
            identity_regexp=identity_regexp,
            issuer=issuer,
            issuer_regexp=issuer_regexp,
            claims=claims,
        )
    return verify_bundle(artifact, bundle, policy, root, key=key)
