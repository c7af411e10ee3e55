"""``stockade keygen``, ``sign``, ``attest`` and ``sbom``: make keys, Sigstore bundles over
files and in-toto statements, and SBOMs. Bad input exits 2 with a one-line message."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer

from stockade.errors import InputError
from stockade.provenance.intoto import CYCLONEDX_PREDICATE, SLSA_PROVENANCE_V1, SPDX_PREDICATE

if TYPE_CHECKING:
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext

    from stockade.provenance.intoto import Statement
    from stockade.provenance.keys import SigningKey
    from stockade.provenance.sbom import SbomFormat

PASSWORD_ENV = "STOCKADE_KEY_PASSWORD"
"""The variable a key password is read from before asking."""
MAX_PREDICATE = 16 * 1024 * 1024
"""Largest predicate or SBOM file wrapped in a statement."""

PREDICATE_TYPES = {
    "slsaprovenance1": SLSA_PROVENANCE_V1,
    "cyclonedx": CYCLONEDX_PREDICATE,
    "spdx": SPDX_PREDICATE,
    "spdxjson": SPDX_PREDICATE,
    "openvex": "https://openvex.dev/ns",
}
"""cosign's ``--type`` shorthands Stockade accepts (any other type must be a URI)."""


KEY_OPTION = typer.Option("--key", help="Sign with this private key (PEM) instead of keylessly.")
TOKEN_OPTION = typer.Option(
    "--identity-token",
    envvar="SIGSTORE_IDENTITY_TOKEN",
    help="OIDC token for keyless signing (default: the CI's ambient credentials).",
)
STAGING_OPTION = typer.Option("--staging", help="Keyless: use Sigstore's staging instance.")
TRUST_OPTION = typer.Option(
    "--trust-config",
    help="Keyless: a Sigstore client trust configuration (a private instance).",
)


def predicate_type(value: str) -> str:
    """A ``--type`` value as a predicate type URI."""
    found = PREDICATE_TYPES.get(value.lower())
    if found is not None:
        return found
    if "://" in value:
        return value
    names = ", ".join(sorted(PREDICATE_TYPES))
    raise InputError(f"unknown predicate type {value!r}: use a URI or one of {names}")


def parse_timestamp(value: str | None) -> datetime | None:
    """``--timestamp``: POSIX seconds or an ISO 8601 time (UTC when no offset is given);
    without it, ``SOURCE_DATE_EPOCH``."""
    from stockade.provenance.sbom import timestamp_from_env

    if value is None:
        return timestamp_from_env(os.environ)
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--timestamp {value!r} is neither POSIX seconds nor ISO 8601") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def can_prompt() -> bool:
    """Whether a password can be asked for (standard input is a terminal)."""
    return sys.stdin.isatty()


def read_password(*, confirm: bool, prompt: str) -> bytes:
    """The key password: ``STOCKADE_KEY_PASSWORD``, else asked on the terminal."""
    env = os.environ.get(PASSWORD_ENV)
    if env is not None:
        if not env:
            raise InputError(f"{PASSWORD_ENV} is set but empty")
        return env.encode()
    missing = InputError(
        "no key password given", hint=f"set {PASSWORD_ENV}, or run in a terminal to be asked"
    )
    if not can_prompt():
        raise missing
    try:
        text = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    except (click.exceptions.Abort, typer.Abort):
        raise missing from None
    if not text:
        raise InputError("an empty password cannot protect a key")
    return str(text).encode()


def load_key(path: Path) -> SigningKey:
    """Load a signing key, asking for its password only when it is encrypted."""
    from stockade.provenance.keys import is_encrypted, load_signing_key

    password = None
    try:
        encrypted = is_encrypted(path.read_bytes()[:4096])
    except OSError:
        encrypted = False  # load_signing_key names the problem
    if encrypted:
        password = read_password(confirm=False, prompt=f"Password for {path}")
    return load_signing_key(path, password)


def _write(path: Path, text: str) -> None:
    from stockade.provenance.keys import write_new_file

    write_new_file(path, text.encode(), mode=0o644, force=True)


def _read_json_file(path: Path, what: str) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_PREDICATE:
            raise InputError(f"too large for a {what} (over {MAX_PREDICATE} bytes)", path=path)
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", path=path) from None
    except UnicodeDecodeError:
        raise InputError(f"a {what} must be UTF-8 JSON", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if not isinstance(data, dict):
        raise InputError(f"a {what} must be a JSON object", path=path)
    return data


def _read_artifact(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None


def sbom_document(path: Path, sbom_format: str, timestamp: datetime | None) -> dict[str, Any]:
    """An SBOM for ``--sbom PATH``: the file itself when it is a CycloneDX or SPDX JSON
    document, else one made from the project at ``path``."""
    from stockade.provenance.sbom import read_project, sbom_json

    if path.is_file() and path.suffix == ".json":
        data = _read_json_file(path, "SBOM")
        if data.get("bomFormat") == "CycloneDX" or "spdxVersion" in data:
            return data
    loaded: dict[str, Any] = json.loads(
        sbom_json(read_project(path), _sbom_format(sbom_format), timestamp=timestamp)
    )
    return loaded


def _sbom_format(value: str) -> SbomFormat:
    from stockade.provenance.sbom import SbomFormat

    try:
        return SbomFormat(value.lower())
    except ValueError:
        raise InputError(f"unknown SBOM format {value!r} (cyclonedx or spdx)") from None


def _sign_keyless(
    *,
    token: str | None,
    staging: bool,
    trust_config: Path | None,
    sign: Callable[[IdentityToken, SigningContext], str],
) -> str:
    from stockade.provenance.sign import identity_token, signing_context
    from stockade.provenance.sign import trust_config as load_trust_config

    identity = identity_token(token)
    config = load_trust_config("staging" if staging else "production", trust_config)
    return sign(identity, signing_context(config))


def register(app: typer.Typer) -> None:
    """Add ``keygen``, ``sign``, ``attest`` and ``sbom`` to `app`."""
    from stockade.cli.main import _handle_errors, err_console

    @app.command("keygen")
    @_handle_errors
    def keygen(
        algorithm: Annotated[
            str,
            typer.Option(
                "--algorithm",
                "-a",
                help="ecdsa-p256 (cosign's default, verified by every Sigstore client) or ed25519.",
            ),
        ] = "ecdsa-p256",
        prefix: Annotated[
            Path,
            typer.Option("--output-key-prefix", help="Write PREFIX.key and PREFIX.pub."),
        ] = Path("stockade"),
        no_password: Annotated[
            bool, typer.Option("--no-password", help="Leave the private key unencrypted.")
        ] = False,
        force: Annotated[bool, typer.Option("--force", help="Replace existing key files.")] = False,
    ) -> None:
        """Make a key pair for offline signing (password from STOCKADE_KEY_PASSWORD or asked)."""
        from stockade.provenance.keys import KeyAlgorithm, generate_key, write_key_pair

        try:
            chosen = KeyAlgorithm(algorithm.lower())
        except ValueError:
            raise InputError(f"unknown algorithm {algorithm!r} (ed25519 or ecdsa-p256)") from None
        for path in (
            prefix.with_name(prefix.name + ".key"),
            prefix.with_name(prefix.name + ".pub"),
        ):
            if path.exists() and not force:
                raise InputError("already exists", path=path, hint="use --force to replace it")
        password = None if no_password else read_password(confirm=True, prompt="Key password")
        files = write_key_pair(prefix, generate_key(chosen), password, force=force)
        state = "unencrypted" if password is None else "encrypted"
        err_console.print(
            f"Wrote {chosen.value} private key {files.private} ({state}) "
            f"and public key {files.public}",
            soft_wrap=True,
            highlight=False,
        )

    @app.command("sign")
    @_handle_errors
    def sign(
        artifact: Annotated[Path, typer.Argument(help="The file to sign.")],
        key: Annotated[Path | None, KEY_OPTION] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="The bundle (default: ARTIFACT.sigstore.json)."),
        ] = None,
        token: Annotated[str | None, TOKEN_OPTION] = None,
        staging: Annotated[bool, STAGING_OPTION] = False,
        trust_config: Annotated[Path | None, TRUST_OPTION] = None,
    ) -> None:
        """Sign a file into a Sigstore bundle: with a key (offline, no log entry) or keyless."""
        from stockade.provenance.sign import bundle_json, keyless_sign_blob, sign_file

        target = output or artifact.with_name(artifact.name + ".sigstore.json")
        if not artifact.is_file():
            _read_artifact(artifact)  # names the problem before a password is asked
            raise InputError("not a regular file", path=artifact)
        if key is not None:
            signing_key = load_key(key)
            text = bundle_json(sign_file(artifact, signing_key))
        else:
            data = _read_artifact(artifact)
            text = _sign_keyless(
                token=token,
                staging=staging,
                trust_config=trust_config,
                sign=lambda tok, ctx: keyless_sign_blob(data, tok, ctx),
            )
        _write(target, text)
        err_console.print(f"Wrote {target}", soft_wrap=True, highlight=False)

    @app.command("attest")
    @_handle_errors
    def attest(
        artifact: Annotated[Path, typer.Argument(help="The file the statement is about.")],
        predicate: Annotated[
            Path | None, typer.Option("--predicate", help="A predicate (JSON) to wrap.")
        ] = None,
        type_: Annotated[
            str | None,
            typer.Option("--type", help="Its type: a URI, or slsaprovenance1, cyclonedx, spdx."),
        ] = None,
        sbom: Annotated[
            Path | None,
            typer.Option("--sbom", help="An SBOM file, or a project to make one of."),
        ] = None,
        sbom_format: Annotated[
            str, typer.Option("--sbom-format", help="cyclonedx or spdx, for a made SBOM.")
        ] = "cyclonedx",
        slsa: Annotated[
            bool, typer.Option("--slsa", help="SLSA provenance v1 of this build.")
        ] = False,
        builder_id: Annotated[
            str | None, typer.Option("--builder-id", help="SLSA builder id (outside CI).")
        ] = None,
        build_type: Annotated[
            str | None, typer.Option("--build-type", help="SLSA build type URI.")
        ] = None,
        parameters: Annotated[
            list[str] | None,
            typer.Option(
                "--external-parameter", help="SLSA external parameter KEY=VALUE (repeatable)."
            ),
        ] = None,
        dependencies: Annotated[
            list[str] | None,
            typer.Option(
                "--resolved-dependency",
                help="SLSA resolved dependency URI[#ALGORITHM:HEX] (repeatable).",
            ),
        ] = None,
        invocation_id: Annotated[
            str | None, typer.Option("--invocation-id", help="SLSA invocation id (a run URL).")
        ] = None,
        timestamp: Annotated[
            str | None,
            typer.Option("--timestamp", help="SBOM time (POSIX seconds or ISO 8601)."),
        ] = None,
        key: Annotated[Path | None, KEY_OPTION] = None,
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                help="The bundle (default: ARTIFACT.attestation.sigstore.json).",
            ),
        ] = None,
        token: Annotated[str | None, TOKEN_OPTION] = None,
        staging: Annotated[bool, STAGING_OPTION] = False,
        trust_config: Annotated[Path | None, TRUST_OPTION] = None,
        log: Annotated[
            bool,
            typer.Option(
                "--log/--no-log", help="Record the attestation in the tamper-evident log."
            ),
        ] = True,
    ) -> None:
        """Sign an in-toto statement about a file (a DSSE envelope in a Sigstore bundle)."""
        from stockade.provenance.sign import (
            bundle_json,
            keyless_sign_statement,
            sign_statement,
        )

        statement = _statement(
            artifact,
            predicate=predicate,
            type_=type_,
            sbom=sbom,
            sbom_format=sbom_format,
            slsa=slsa,
            slsa_build=SlsaFlags(
                builder_id=builder_id,
                build_type=build_type,
                parameters=tuple(parameters or ()),
                dependencies=tuple(dependencies or ()),
                invocation_id=invocation_id,
            ),
            timestamp=timestamp,
        )
        target = output or artifact.with_name(artifact.name + ".attestation.sigstore.json")
        if key is not None:
            text = bundle_json(sign_statement(statement, load_key(key)))
        else:
            text = _sign_keyless(
                token=token,
                staging=staging,
                trust_config=trust_config,
                sign=lambda tok, ctx: keyless_sign_statement(statement, tok, ctx),
            )
        _write(target, text)
        err_console.print(
            f"Wrote {target} ({statement.predicate_type})", soft_wrap=True, highlight=False
        )
        if log:
            index = _record_attestation(statement, target, text, keyless=key is None)
            err_console.print(f"Recorded in the log at index {index}", highlight=False)

    @app.command("sbom")
    @_handle_errors
    def sbom_command(
        path: Annotated[
            Path, typer.Argument(help="Project folder, or one manifest or lockfile.")
        ] = Path("."),
        sbom_format: Annotated[
            str, typer.Option("--format", "-f", help="cyclonedx (1.6) or spdx (2.3).")
        ] = "cyclonedx",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the SBOM to this file.")
        ] = None,
        timestamp: Annotated[
            str | None,
            typer.Option(
                "--timestamp",
                help="Creation time, POSIX seconds or ISO 8601 (default: SOURCE_DATE_EPOCH, "
                "else now).",
            ),
        ] = None,
        exclude: Annotated[
            list[str] | None,
            typer.Option("--exclude", help="Skip paths matching this pattern (repeatable)."),
        ] = None,
    ) -> None:
        """Write a CycloneDX or SPDX JSON SBOM of a project's dependencies."""
        from stockade.provenance.sbom import read_project, sbom_json

        chosen = _sbom_format(sbom_format)
        moment = parse_timestamp(timestamp)
        text = sbom_json(read_project(path, exclude=exclude or ()), chosen, timestamp=moment)
        if output is None:
            typer.echo(text, nl=False)
        else:
            _write(output, text)
            err_console.print(f"Wrote {output}", soft_wrap=True, highlight=False)


def _record_attestation(statement: Any, bundle: Path, text: str, *, keyless: bool) -> int:
    """Append an ``attestation`` entry for a signed statement to the log; its index."""
    import hashlib

    from stockade.store.db import Database
    from stockade.store.log import LogEntry, LogStore

    first = statement.subjects[0]
    digest = first.digest.get("sha256")
    entry = LogEntry(
        kind="attestation",
        subject=f"sha256:{digest}" if digest else first.name,
        data={
            "predicate_type": statement.predicate_type,
            "subjects": [s.to_dict() for s in statement.subjects],
            "bundle": bundle.name,
            "bundle_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "signer": "keyless" if keyless else "key",
        },
    )
    with Database.open() as db:
        return LogStore(db).append(entry).first_index


@dataclass(frozen=True, slots=True)
class SlsaFlags:
    """What the ``--slsa`` flags say about the build."""

    builder_id: str | None
    build_type: str | None
    parameters: tuple[str, ...]
    dependencies: tuple[str, ...]
    invocation_id: str | None


def _statement(
    artifact: Path,
    *,
    predicate: Path | None,
    type_: str | None,
    sbom: Path | None,
    sbom_format: str,
    slsa: bool,
    slsa_build: SlsaFlags,
    timestamp: str | None,
) -> Statement:
    from stockade.provenance.intoto import (
        Statement,
        build_from_environment,
        check_predicate,
        parse_dependency,
        parse_parameter,
        sbom_predicate_type,
        slsa_predicate,
        subject_for_file,
    )

    chosen = [name for name, given in (("--predicate", predicate), ("--sbom", sbom)) if given]
    if slsa:
        chosen.append("--slsa")
    if len(chosen) != 1:
        raise InputError("give exactly one of --predicate (with --type), --sbom or --slsa")
    if type_ is not None and predicate is None:
        raise InputError("--type goes with --predicate")
    subject = subject_for_file(artifact)
    if predicate is not None:
        if type_ is None:
            raise InputError(
                "--predicate needs --type (a URI, or slsaprovenance1, cyclonedx, spdx)"
            )
        kind = predicate_type(type_)
        content = _read_json_file(predicate, "predicate")
        try:
            check_predicate(kind, content)
        except InputError as exc:
            raise InputError(exc.reason, path=predicate) from None
        return Statement((subject,), kind, content)
    if sbom is not None:
        document = sbom_document(sbom, sbom_format, parse_timestamp(timestamp))
        return Statement((subject,), sbom_predicate_type(document), document)
    build = build_from_environment(
        os.environ,
        builder_id=slsa_build.builder_id,
        build_type=slsa_build.build_type,
        external_parameters=dict(parse_parameter(p) for p in slsa_build.parameters),
        resolved_dependencies=[parse_dependency(d) for d in slsa_build.dependencies],
        invocation_id=slsa_build.invocation_id,
    )
    return Statement((subject,), SLSA_PROVENANCE_V1, slsa_predicate(build))
