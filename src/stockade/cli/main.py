"""The ``stockade`` command line (Typer + Rich).

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or input error.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stockade import __version__
from stockade.errors import StockadeError

app = typer.Typer(
    name="stockade",
    help="Can I trust this dependency? Audit Python and npm projects for known "
    "vulnerabilities and malicious packages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="The local OSV database (vulnerabilities and malicious packages).", no_args_is_help=True
)
app.add_typer(db_app, name="db")

err_console = Console(stderr=True, highlight=False)
EXIT_FINDINGS = 1
EXIT_ERROR = 2

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    """Turn StockadeError into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StockadeError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
            if exc.hint:
                err_console.print(f"[dim]hint:[/] {exc.hint}", soft_wrap=True)
            raise typer.Exit(EXIT_ERROR) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stockade {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Stockade: software-supply-chain security."""


@app.command()
@_handle_errors
def check(
    path: Annotated[
        Path, typer.Argument(help="Project folder, or one manifest or lockfile.")
    ] = Path("."),
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help="table, json, sarif, cyclonedx or markdown."),
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 on findings at or above: any, low, medium, high, critical, or none.",
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Configuration file (default: nearest "
            "stockade.toml or pyproject.toml with [tool.stockade]).",
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="auto, local (database) or osv-api.")
    ] = None,
    no_resolve: Annotated[
        bool, typer.Option("--no-resolve", help="Do not resolve declared ranges online.")
    ] = False,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Skip folders matching this pattern.")
    ] = None,
) -> None:
    """Audit a project's dependencies for known vulnerabilities and malicious packages."""
    from stockade.check.service import CheckRequest
    from stockade.cli.progress import BarProgress
    from stockade.config import fail_threshold, find_config, load_config
    from stockade.report import get_formatter

    formatter = get_formatter(output_format)
    cfg_path = config_file or find_config(path if path.exists() else Path("."))
    config = load_config(cfg_path)
    threshold = fail_threshold(fail_on or config.fail_on)
    if exclude:
        from dataclasses import replace

        config = replace(config, exclude=(*config.exclude, *exclude))
    chosen_source = source or config.source
    if chosen_source not in ("auto", "local", "osv-api"):
        raise StockadeError(f"invalid --source {chosen_source!r}; use auto, local or osv-api")

    request = CheckRequest(root=path, config=config, resolve=config.resolve and not no_resolve)
    with BarProgress(err_console) as progress:
        report = asyncio.run(_run_check(request, chosen_source, progress))

    to_terminal = output is None and sys.stdout.isatty()
    width = Console().width if to_terminal else 120
    text = formatter.render(report, color=to_terminal, width=width)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_atomic(output, text)
        err_console.print(f"report written to {output}")
    if report.fails(threshold):
        raise typer.Exit(EXIT_FINDINGS)


async def _run_check(request: Any, source: str, progress: Any) -> Any:
    from stockade.check.service import run_check
    from stockade.cli.wiring import Clients, vulnerability_sources
    from stockade.ecosystems.interface import Ecosystem

    config = request.config
    overrides = {Ecosystem.PYPI: config.pypi_registry, Ecosystem.NPM: config.npm_registry}
    async with Clients(registries=overrides) as clients:
        return await run_check(
            request,
            sources=vulnerability_sources(source, clients),
            registry_for=clients.registry,
            progress=progress,
        )


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that it is either complete or untouched."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StockadeError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StockadeError(f"{path}: cannot write report: {exc}") from None


@app.command()
@_handle_errors
def scan(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="ARCHIVE|PURL...",
            help="Package archives (.tar.gz, .zip, .whl, .tgz) or purls (pkg:pypi/x@1.0).",
        ),
    ],
    output_format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-j", help="Processes (default: one per core).")
    ] = None,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="For purls, scan every file of the release.")
    ] = False,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="Configuration file with suppressions.")
    ] = None,
) -> None:
    """Judge package archives for malicious behaviour, without running them.

    Exit codes: 0 benign, 1 suspicious or malicious, 2 error.
    """
    from stockade.cli.progress import BarProgress
    from stockade.cli.scan import exit_code, render_json, render_table, run_scan
    from stockade.config import find_config, load_config

    if output_format not in ("table", "json"):
        raise StockadeError(f"unknown format {output_format!r}; use table or json")
    config = load_config(config_file or find_config(Path(".")))
    with BarProgress(err_console) as progress:
        results = run_scan(
            targets,
            workers=workers,
            suppressions=config.suppressions,
            which="all" if all_files else "default",
            progress=progress,
        )
    to_terminal = output is None and sys.stdout.isatty()
    if output_format == "json":
        text = render_json(results)
    else:
        text = render_table(
            results, color=to_terminal, width=Console().width if to_terminal else 120
        )
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_atomic(output, text)
        err_console.print(f"report written to {output}")
    for result in results:
        if result.error:
            err_console.print(
                f"[bold red]error:[/] {escape(result.target)}: {escape(result.error)}"
            )
    code = exit_code(results)
    if code:
        raise typer.Exit(code)


@db_app.command("import")
@_handle_errors
def db_import(
    paths_: Annotated[
        list[Path],
        typer.Argument(metavar="PATH...", help="OSV JSON/YAML files, folders or zip exports."),
    ],
) -> None:
    """Import OSV records into the local database (all or nothing)."""
    from stockade.cli.progress import BarProgress
    from stockade.intel.osv.loader import count_files, iter_records
    from stockade.store.db import Database
    from stockade.store.osv import OSVStore

    for p in paths_:
        if not p.exists():
            raise StockadeError(f"{p}: no such file or folder")
    store = OSVStore(Database.open())
    with BarProgress(err_console) as progress:
        progress.stage("Importing OSV records", count_files(paths_))
        stats = store.import_records(
            iter_records(paths_, progress=progress.advance),
            source=", ".join(str(p) for p in paths_),
        )
    _print_import(stats)


def _print_import(stats: Any) -> None:
    table = Table(title="OSV import", show_header=True)
    table.add_column("records read", justify="right")
    table.add_column("added", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("unchanged", justify="right")
    table.add_column("withdrawn", justify="right")
    table.add_row(
        str(stats.total),
        str(stats.added),
        str(stats.updated),
        str(stats.unchanged),
        str(stats.withdrawn),
    )
    Console().print(table)


@db_app.command("sync")
@_handle_errors
def db_sync(
    ecosystem: Annotated[
        list[str] | None,
        typer.Option("--ecosystem", "-e", help="OSV ecosystem to sync (default: PyPI and npm)."),
    ] = None,
) -> None:
    """Download OSV's published exports and import them."""
    from stockade import paths
    from stockade.http import HttpClient
    from stockade.intel.osv.export import download_export
    from stockade.intel.osv.loader import iter_records
    from stockade.store.db import Database
    from stockade.store.osv import OSVStore

    wanted = ecosystem or ["PyPI", "npm"]
    dest = paths.cache_dir() / "osv-exports"
    dest.mkdir(parents=True, exist_ok=True)

    async def download() -> list[Path]:
        async with HttpClient(cache_dir=paths.cache_dir() / "http", timeout=300) as http:
            got = [await download_export(http, eco, dest) for eco in wanted]
        missing = [eco for eco, p in zip(wanted, got, strict=True) if p is None]
        if missing:
            raise StockadeError(
                f"OSV publishes no export for {', '.join(missing)}",
                hint="name ecosystems as OSV does, e.g. PyPI, npm, Go, crates.io, Maven",
            )
        return [p for p in got if p is not None]

    with err_console.status(f"Downloading OSV exports for {', '.join(wanted)}"):
        files = asyncio.run(download())
    store = OSVStore(Database.open())
    stats = store.import_records(iter_records(files), source="OSV export " + ", ".join(wanted))
    _print_import(stats)


@db_app.command("status")
@_handle_errors
def db_status() -> None:
    """Show what the local database holds."""
    from stockade import paths
    from stockade.store.db import Database
    from stockade.store.osv import OSVStore

    stats = OSVStore(Database.open()).stats()
    table = Table(title=f"OSV database ({_redact(paths.database_url())})")
    table.add_column("ecosystem")
    table.add_column("records", justify="right")
    for eco, count in sorted(stats.by_ecosystem.items()):
        table.add_row(eco, f"{count:,}")
    table.add_row("[bold]all[/]", f"[bold]{stats.total:,}[/]")
    Console().print(table)
    Console().print(f"known-malicious records: {stats.malicious:,}; withdrawn: {stats.withdrawn:,}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def run() -> None:
    """Console-script entry point."""
    app()
