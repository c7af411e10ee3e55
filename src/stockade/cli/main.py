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
from stockade.errors import StockadeError, VerificationFailed

app = typer.Typer(
    name="stockade",
    help="Can I trust this dependency? Audit Python and npm projects for known "
    "vulnerabilities and malicious packages, and score every package version's trust.",
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
    """Turn StockadeError into a one-line message and exit code 2 (1 for evidence that does
    not verify)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VerificationFailed as exc:
            err_console.print(f"[bold red]not verified:[/] {exc}", soft_wrap=True)
            if exc.hint:
                err_console.print(f"[dim]hint:[/] {exc.hint}", soft_wrap=True)
            raise typer.Exit(EXIT_FINDINGS) from None
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
    scores: Annotated[
        bool,
        typer.Option(
            "--scores",
            help="Trust-score every dependency, fetching registry metadata for those the store "
            "has not scored yet (without it, only scores already in the store are shown).",
        ),
    ] = False,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score", help="Exit 1 when a dependency's trust score is below this (0-10)."
        ),
    ] = None,
) -> None:
    """Audit a project's dependencies for vulnerabilities, malware and low trust scores."""
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

    min_score = min_score if min_score is not None else config.min_score
    if min_score is not None and not 0.0 <= min_score <= 10.0:
        raise StockadeError(f"--min-score must be between 0 and 10, not {min_score:g}")
    request = CheckRequest(
        root=path,
        config=config,
        resolve=config.resolve and not no_resolve,
        min_score=min_score,
    )
    fetch_scores = scores or min_score is not None
    with BarProgress(err_console) as progress:
        report = asyncio.run(_run_check(request, chosen_source, progress, fetch_scores))

    to_terminal = output is None and sys.stdout.isatty()
    width = Console().width if to_terminal else 120
    text = formatter.render(report, color=to_terminal, width=width)
    emit(text, output)
    if report.fails(threshold):
        raise typer.Exit(EXIT_FINDINGS)


async def _run_check(request: Any, source: str, progress: Any, fetch_scores: bool) -> Any:
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
            scorer=_dependency_scorer(clients, fetch_scores),
        )


def _dependency_scorer(clients: Any, fetch: bool) -> Any:
    """Scores from the store; with ``fetch``, missing ones from the registries too. ``None``
    when there is nothing to score with (no stored facts and no fetching)."""
    from stockade.check.scores import DependencyScorer
    from stockade.cli.score import open_store

    store, why = open_store()
    if not fetch:
        if store is None or next(iter(store.iter_facts(limit=1)), None) is None:
            return None
        return DependencyScorer(store)
    from stockade.scoring.service import Gatherer

    if store is None:
        err_console.print(f"[dim]note:[/] scores are not kept: {escape(why or '')}")
    return DependencyScorer(store, Gatherer(registry_for=clients.registry, store=store))


def emit(text: str, output: Path | None) -> None:
    """A report to standard output (ending in a newline), or atomically to ``output``."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_atomic(output, text)
        err_console.print(f"report written to {output}")


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
    emit(text, output)
    for result in results:
        if result.error:
            err_console.print(
                f"[bold red]error:[/] {escape(result.target)}: {escape(result.error)}"
            )
    code = exit_code(results)
    if code:
        raise typer.Exit(code)


def _ecosystem_option(value: str | None) -> Any:
    from stockade.ecosystems.interface import Ecosystem

    if value is None:
        return None
    by_name = {e.purl_type: e for e in Ecosystem}
    found = by_name.get(value.strip().lower())
    if found is None:
        raise StockadeError(f"unknown ecosystem {value!r}; use pypi or npm")
    return found


@app.command()
@_handle_errors
def score(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="PURL|NAME[@VERSION]...",
            help="Packages to score: pkg:pypi/requests@2.32.3, requests, @scope/name@1.0.0.",
        ),
    ],
    ecosystem: Annotated[
        str | None,
        typer.Option("--ecosystem", "-e", help="pypi or npm, for bare names (default: pypi)."),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Exit 1 when a score is below this.")
    ] = None,
    no_scan: Annotated[
        bool, typer.Option("--no-scan", help="Do not download and scan the archives.")
    ] = False,
    source: Annotated[
        str, typer.Option("--source", help="Vulnerability source: auto, local or osv-api.")
    ] = "auto",
) -> None:
    """Trust score (0-10) of package versions, with the evidence behind it.

    Exit codes: 0 scored, 1 known-malicious or below --min-score, 2 unknown package or error.
    """
    from stockade.cli.progress import BarProgress
    from stockade.cli.score import exit_code, open_store, render_json, render_table, score_targets
    from stockade.ecosystems.interface import Ecosystem

    if output_format not in ("table", "json"):
        raise StockadeError(f"unknown format {output_format!r}; use table or json")
    if source not in ("auto", "local", "osv-api"):
        raise StockadeError(f"invalid --source {source!r}; use auto, local or osv-api")
    default = _ecosystem_option(ecosystem) or Ecosystem.PYPI
    store, why = open_store()
    if store is None:
        err_console.print(f"[dim]note:[/] scores are not kept: {escape(why or '')}")
    with BarProgress(err_console) as progress:
        reports = asyncio.run(
            score_targets(
                targets,
                ecosystem=default,
                source=source,
                scan=not no_scan,
                store=store,
                progress=progress,
            )
        )
    to_terminal = output is None and sys.stdout.isatty()
    if output_format == "json":
        text = render_json(reports)
    else:
        text = render_table(
            reports, color=to_terminal, width=Console().width if to_terminal else 120
        )
    emit(text, output)
    for report in reports:
        if not report.known or report.score is None:
            why_not = "; ".join(report.incomplete) or "nothing could be scored"
            err_console.print(f"[bold red]error:[/] {escape(report.purl)}: {escape(why_not)}")
    code = exit_code(reports, min_score)
    if code:
        raise typer.Exit(code)


@app.command()
@_handle_errors
def ingest(
    file: Annotated[
        Path | None,
        typer.Argument(help="A list of packages, one purl or NAME or NAME@VERSION per line."),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option("--top", help="Ingest the N most popular packages of each ecosystem."),
    ] = None,
    ecosystem: Annotated[
        str | None,
        typer.Option("--ecosystem", "-e", help="pypi or npm: bare names in FILE, or --top's."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-j", help="Packages fetched at once.")
    ] = 8,
    scan: Annotated[
        bool, typer.Option("--scan/--no-scan", help="Download and scan the archives.")
    ] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start over instead of resuming an earlier run.")
    ] = False,
    source: Annotated[
        str, typer.Option("--source", help="Vulnerability source: auto, local or osv-api.")
    ] = "local",
) -> None:
    """Score many packages into the store, in parallel; an interrupted run resumes.

    What it learns improves later scores: who else declares a source repository,
    which packages score well for which keywords.
    """
    from stockade.cli.progress import BarProgress
    from stockade.cli.score import open_store
    from stockade.ecosystems.interface import Ecosystem
    from stockade.scoring.ingest import read_targets, top_targets

    chosen = _ecosystem_option(ecosystem)
    if (file is None) == (top is None):
        raise StockadeError("give either a FILE of packages or --top N")
    if file is not None:
        targets = read_targets(file, chosen or Ecosystem.PYPI)
    else:
        assert top is not None
        if top <= 0:
            raise StockadeError("--top must be a positive number")
        targets = top_targets([chosen] if chosen else list(Ecosystem), top)
    store, why = open_store()
    if store is None:
        raise StockadeError(f"the store cannot be opened: {why}")
    with BarProgress(err_console) as progress:
        stats = asyncio.run(_run_ingest(targets, store, concurrency, scan, fresh, source, progress))
    err_console.print(
        f"ingested {stats.scored} package(s), {stats.skipped} already done, "
        f"{stats.unknown} unknown to their registry, {stats.failed} failed; "
        f"{len(stats.keys)} scored"
    )
    for error in stats.errors[:20]:
        err_console.print(f"[bold red]error:[/] {escape(error)}")
    if stats.failed:
        err_console.print("run the same command again to retry the failed ones")
        raise typer.Exit(EXIT_ERROR)


async def _run_ingest(
    targets: Any, store: Any, concurrency: int, scan: bool, fresh: bool, source: str, progress: Any
) -> Any:
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import AsyncExitStack

    from stockade import paths
    from stockade.cli.score import make_gatherer
    from stockade.scoring.ingest import Journal, gather_all, rescore

    journal = Journal.for_job(paths.data_dir() / "ingest", targets, fresh=fresh)
    async with AsyncExitStack() as stack:
        executor = stack.enter_context(ProcessPoolExecutor()) if scan else None
        gatherer, _ = await make_gatherer(
            stack, source=source, scan=scan, store=store, executor=executor
        )
        pending = len(targets) - sum(1 for t in targets if journal.label(t) in journal.done)
        progress.stage("Fetching facts", pending)
        stats = await gather_all(
            targets, gatherer, store, journal, concurrency=concurrency, on_done=progress.advance
        )
    progress.stage("Scoring", len(stats.keys))
    rescore(stats.keys, store, on_done=progress.advance)
    return stats


def _register_provenance() -> None:
    from stockade.cli import provenance_log, provenance_sign, provenance_verify

    for module in (provenance_verify, provenance_sign, provenance_log):
        module.register(app)


_register_provenance()


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
