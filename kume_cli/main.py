"""The `kume` command line: one sub-command per stage, plus the demo and the evaluations.

This module is a composition root beside the HTTP API (api/): it reads settings,
opens the store and the search backend, and runs the write side (pipeline.Writer)
or a search. Stages are imported inside the commands so that `kume --help` stays instant.

Exit codes scripts can rely on:
  0  success
  1  the run finished but some items failed (each is reported by URL or id)
  2  bad usage (unknown option, missing argument, invalid value)
  3  the document store cannot be used (locked, corrupt, unwritable), or another process is crawling a source
  4  the search backend cannot be reached
  5  nothing to do where something was expected (e.g. a search with no hits)
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack, contextmanager
from enum import IntEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kume.config import CONFIG_ENV, Settings, load_settings
from kume.store import Store, StoreError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from api.schemas import ProjectDossier, Scoreboard
    from kume.labels import Label
    from search_api.contract import Highlight, SearchBackend, SearchResult


class ExitCode(IntEnum):
    OK = 0
    PARTIAL_FAILURE = 1
    USAGE = 2
    STORE_ERROR = 3
    BACKEND_UNAVAILABLE = 4
    NOTHING_FOUND = 5


app = typer.Typer(
    name="kume",
    help="Collect, extract, index and search news about Turkey's export-cluster programmes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Score extraction and NER against gold data.", no_args_is_help=True)
train_app = typer.Typer(help="Train the project's own models.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")

console = Console(stderr=True)
stdout = Console()


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="KUME_DATA_DIR", help="Directory holding the store and the index."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar=CONFIG_ENV, help="TOML settings file (default: ./kume.toml if present)."),
    ] = None,
) -> None:
    """kume: news mining for export-cluster programmes."""
    if config is not None and not config.is_file():
        console.print(f"[red]config file not found:[/red] {config}")
        raise typer.Exit(ExitCode.USAGE)
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
    ctx.obj = load_settings(data_dir=data_dir)


@contextmanager
def _open_store(settings: Settings) -> Iterator[Store]:
    try:
        store = Store(settings.store_path)
    except StoreError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.STORE_ERROR) from exc
    try:
        yield store
    except StoreError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.STORE_ERROR) from exc
    finally:
        store.close()


@contextmanager
def _open_backend(settings: Settings) -> Iterator[SearchBackend]:
    from search_api.backends import open_backend
    from search_api.contract import BackendUnavailable

    try:
        backend = open_backend(settings)
        backend.ping()
    except BackendUnavailable as exc:
        console.print(f"[red]search backend unavailable:[/red] {exc}")
        console.print("The store keeps every document; run `kume index` again once the backend is up.")
        raise typer.Exit(ExitCode.BACKEND_UNAVAILABLE) from exc
    try:
        yield backend
    except BackendUnavailable as exc:
        console.print(f"[red]search backend unavailable:[/red] {exc}")
        raise typer.Exit(ExitCode.BACKEND_UNAVAILABLE) from exc
    finally:
        backend.close()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


# -- stages -------------------------------------------------------------------


def _run_crawl(
    settings: Settings,
    registry_path: Path | None,
    base_url: str | None,
    sources: list[str] | None,
    max_pages: int | None,
    due: bool = False,
    update: bool = False,
) -> bool:
    """Crawl into the store (with `due`, only the sources their schedule says are due; with `update`, then
    extract, link and index what the crawl reached); True when every page went through."""
    from crawler.events import CrawlEvent
    from crawler.registry import load_registry
    from crawler.run import SourceBusy
    from pipeline.writer import Writer

    registry = load_registry(registry_path, base_url=base_url)
    with ExitStack() as stack:
        store = stack.enter_context(_open_store(settings))
        backend = stack.enter_context(_open_backend(settings)) if update else None
        writer = Writer(settings, store, backend, registry=registry)
        if due:
            due_ids = [source_id for source_id in writer.due_sources() if not sources or source_id in sources]
            if not due_ids:
                console.print("no source is due for a crawl yet (see each source's schedule in the registry)")
                return True
            sources = due_ids
        progress = stack.enter_context(_progress())
        task = progress.add_task("crawling", total=None)

        def on_event(event: CrawlEvent) -> None:
            progress.update(task, advance=1, description=f"crawling {event.url[-60:]}")

        try:
            if update:
                report, indexed = writer.crawl_and_update(sources, max_pages=max_pages, on_event=on_event)
                progress.update(task, description=f"crawled; {len(indexed)} documents extracted, linked and indexed")
            else:
                report = writer.crawl(sources, max_pages=max_pages, on_event=on_event)
                progress.update(task, description="crawled")
        except SourceBusy as exc:
            progress.stop()
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(ExitCode.STORE_ERROR) from exc
    console.print(report.summary())
    for warning in report.warnings:
        console.print(f"  [yellow]warning[/yellow] {warning.url}: {warning.message}")
    for error in report.errors:
        console.print(f"  [red]error[/red] {error.url}: {error.message}")
    return not report.errors


def _run_extract(settings: Settings, force: bool, processes: int) -> bool:
    from kume.schema import Document, Extraction, ExtractionStatus
    from pipeline.writer import Writer

    with _open_store(settings) as store, _progress() as progress:
        task = progress.add_task("extracting", total=store.count())

        def on_document(doc: Document, extraction: Extraction) -> None:
            progress.update(task, advance=1)
            if extraction.status is ExtractionStatus.ERROR:
                console.print(f"  [yellow]{doc.url}[/yellow]: {extraction.message}")

        report = Writer(settings, store).extract(force=force, n_process=processes, on_document=on_document)
    console.print(f"extracted: {report}")
    return report.errors == 0


def _run_index(settings: Settings, rebuild: bool) -> int:
    from pipeline.writer import Writer

    with _open_store(settings) as store, _open_backend(settings) as backend, _progress() as progress:
        task = progress.add_task(f"indexing into {settings.backend}", total=store.count())
        writer = Writer(settings, store, backend)
        indexed = writer.index(rebuild=rebuild, on_document=lambda _id: progress.update(task, advance=1))
    console.print(f"indexed {indexed} documents into the {settings.backend} backend")
    return indexed


@app.command("crawl")
def crawl_command(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Registry id; repeat for several.")] = None,
    registry: Annotated[Path | None, typer.Option(help="Source registry TOML (default: the shipped one).")] = None,
    base_url: Annotated[str | None, typer.Option(help="Value for {base_url} placeholders in the registry.")] = None,
    max_pages: Annotated[int | None, typer.Option(min=1, help="Stop after this many pages.")] = None,
    due: Annotated[
        bool, typer.Option("--due", help="Only the sources whose last crawl is older than their schedule.")
    ] = False,
    update: Annotated[
        bool, typer.Option("--update", help="Then extract, link and index the documents the crawl reached.")
    ] = False,
) -> None:
    """Crawl registered sources into the document store (incremental and resumable)."""
    ok = _run_crawl(_settings(ctx), registry, base_url, source, max_pages, due, update)
    raise typer.Exit(ExitCode.OK if ok else ExitCode.PARTIAL_FAILURE)


@app.command("extract")
def extract_command(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option(help="Re-extract documents already extracted by this pipeline version.")
    ] = False,
    processes: Annotated[int, typer.Option(min=1, help="Worker processes for the spaCy pipelines.")] = 1,
) -> None:
    """Extract projects, sectors, countries, organisations, activities and dates from stored documents."""
    ok = _run_extract(_settings(ctx), force, processes)
    raise typer.Exit(ExitCode.OK if ok else ExitCode.PARTIAL_FAILURE)


@app.command("index")
def index_command(
    ctx: typer.Context,
    backend: Annotated[
        str | None, typer.Option(help="embedded, elasticsearch or opensearch (default from settings).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Elasticsearch/OpenSearch URL.")] = None,
    rebuild: Annotated[bool, typer.Option(help="Rebuild the whole index and switch to it atomically.")] = True,
) -> None:
    """Index the store's documents into the search backend."""
    settings = _settings(ctx).model_copy(update={k: v for k, v in {"backend": backend, "search_url": url}.items() if v})
    if settings.backend not in ("embedded", "elasticsearch", "opensearch"):
        console.print(f"[red]unknown backend {settings.backend!r}[/red]: use embedded, elasticsearch or opensearch")
        raise typer.Exit(ExitCode.USAGE)
    _run_index(settings, rebuild)


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one per core serves the most).")] = 1,
) -> None:
    """Serve the HTTP API and the researchers' web page over the data directory."""
    import uvicorn

    settings = _settings(ctx)
    # Workers are separate processes that build the app from the environment, so the data
    # directory chosen on this command line has to travel there too.
    os.environ["KUME_DATA_DIR"] = str(settings.data_dir)
    console.print(f"serving {settings.data_dir} on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run("api.app:app_from_environment", factory=True, host=host, port=port, workers=workers, log_level="info")


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Words in Turkish or English, or a query: "phrase", OR, -word, country:KZ ...')
    ] = "",
    country: Annotated[list[str] | None, typer.Option(help="ISO country code filter; repeatable.")] = None,
    sector: Annotated[list[str] | None, typer.Option(help="NACE division filter; repeatable.")] = None,
    program: Annotated[list[str] | None, typer.Option(help="Programme filter; repeatable.")] = None,
    facet: Annotated[list[str] | None, typer.Option(help="Facet to count, e.g. country; repeatable.")] = None,
    size: Annotated[int, typer.Option(min=0, max=100, help="Hits to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Search the index (exit code 5 when nothing matches)."""
    from search_api.contract import FACETS, InvalidQuery, SearchQuery

    unknown = [f for f in facet or [] if f not in FACETS]
    if unknown:
        console.print(f"[red]unknown facet {unknown[0]!r}[/red]; known: {', '.join(FACETS)}")
        raise typer.Exit(ExitCode.USAGE)
    filters = {k: v for k, v in {"country": country, "sector": sector, "program": program}.items() if v}
    search_query = SearchQuery(q=query, filters=filters, facets=facet or [], size=size)
    with _open_backend(_settings(ctx)) as backend:
        try:
            # Filter values as typed ("kz", "ur-ge") become the index's values, or name the ones that exist.
            result = backend.search(backend.vocabulary().resolve_filters(search_query))
        except InvalidQuery as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(ExitCode.USAGE) from exc
    if as_json:
        stdout.print_json(result.model_dump_json())
    else:
        _print_result(query, result)
    raise typer.Exit(ExitCode.OK if result.total else ExitCode.NOTHING_FOUND)


def _print_result(query: str, result: SearchResult) -> None:
    table = Table(title=f"{result.total} documents match {query!r}", show_lines=False)
    table.add_column("published")
    table.add_column("title")
    table.add_column("countries")
    table.add_column("source")
    for hit in result.hits:
        table.add_row(str(hit.published or ""), hit.title, " ".join(hit.country), hit.source)
    stdout.print(table)
    for facet, counts in result.facets.items():
        stdout.print(f"[bold]{facet}[/bold]: " + ", ".join(f"{c.value} ({c.count})" for c in counts))


def _terminal_fragment(fragment: Highlight) -> Text:
    """A highlight (plain text and match offsets) as styled terminal text."""
    text = Text(fragment.text)
    for span in fragment.matches:
        text.stylize("bold yellow", span.start, span.end)
    return text


# -- project outputs: the scoreboard and dossiers --------------------------------


@app.command("scoreboard")
def scoreboard_command(
    ctx: typer.Context,
    by: Annotated[
        str, typer.Option(help="What a row is: project, program, coordinator, province or sector.")
    ] = "project",
    year: Annotated[int | None, typer.Option(help="Events of this year only.")] = None,
    date_from: Annotated[str | None, typer.Option(help="Events ending on or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option(help="Events starting on or before (YYYY-MM-DD).")] = None,
    program: Annotated[str | None, typer.Option(help="Programme, e.g. UR-GE.")] = None,
    country: Annotated[str | None, typer.Option(help="Events reaching this country: ISO code or name.")] = None,
    sector: Annotated[str | None, typer.Option(help="NACE Rev. 2 division, e.g. C13.")] = None,
    province: Annotated[str | None, typer.Option(help="Turkish province of the coordinator.")] = None,
    activity: Annotated[str | None, typer.Option(help="Activity code or name, e.g. trade_delegation.")] = None,
    sort: Annotated[str, typer.Option(help="A column (events, firms, countries, first, last, ...) or activity.")] = (
        "events"
    ),
    order: Annotated[str, typer.Option(help="desc or asc.")] = "desc",
    size: Annotated[int, typer.Option(min=1, max=1000, help="Rows to show.")] = 20,
    lang: Annotated[str, typer.Option(help="Language of the labels: tr or en.")] = "tr",
    as_json: Annotated[bool, typer.Option("--json", help="Print the scoreboard as JSON (the API's answer).")] = False,
) -> None:
    """Compare projects, programmes, coordinators, provinces or sectors by their events (each counted once however
    many documents tell it): done events per activity, planned ones, countries reached, firms, first and last
    activity, and the documents telling them. Exit code 5 when no event matches."""
    from pydantic import ValidationError

    from api.schemas import ScoreboardParams
    from api.scoreboard import build_scoreboard
    from search_api.contract import InvalidQuery

    given = {"by": by, "year": year, "date_from": date_from, "date_to": date_to, "program": program}
    given |= {"country": country, "sector": sector, "province": province, "activity": activity}
    given |= {"sort": sort, "order": order, "size": size}
    try:
        params = ScoreboardParams.model_validate({name: value for name, value in given.items() if value is not None})
    except ValidationError as exc:
        console.print(f"[red]{_validation_problems(exc)}[/red]")
        raise typer.Exit(ExitCode.USAGE) from exc
    language = _language(lang)
    with _open_store(_settings(ctx)) as store:
        try:
            board = build_scoreboard(store, params)
        except InvalidQuery as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(ExitCode.USAGE) from exc
    if as_json:
        print(board.model_dump_json())
    else:
        stdout.print(_scoreboard_table(board, language))
    raise typer.Exit(ExitCode.OK if board.rows else ExitCode.NOTHING_FOUND)


@app.command("project")
def project_command(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="A project id (see `kume scoreboard`) or its official code.")],
    lang: Annotated[str, typer.Option(help="Language of the labels: tr or en.")] = "tr",
    as_json: Annotated[bool, typer.Option("--json", help="Print the dossier as JSON (the API's answer).")] = False,
) -> None:
    """A project's dossier: its events (done and planned) with their sources, the countries its done events
    reached, its firms, and why each mention joined it. Exit code 5 when no project has that id or code."""
    from api.dossier import build_dossier

    language = _language(lang)
    with _open_store(_settings(ctx)) as store:
        record = store.project(project) or next(
            (p for p in store.projects() if p.code and p.code.casefold() == project.casefold()), None
        )
        if record is None:
            console.print(f"[red]no project with id or code {project!r}[/red]; `kume scoreboard` lists them")
            raise typer.Exit(ExitCode.NOTHING_FOUND)
        dossier = build_dossier(store, record)
    if as_json:
        print(dossier.model_dump_json())
    else:
        _print_dossier(dossier, language)


def _language(lang: str) -> str:
    if lang not in ("tr", "en"):
        console.print(f"[red]--lang: {lang!r}[/red]; labels are in tr or en")
        raise typer.Exit(ExitCode.USAGE)
    return lang


def _validation_problems(exc: Exception) -> str:
    from pydantic import ValidationError

    assert isinstance(exc, ValidationError)
    return "; ".join(
        f"--{'.'.join(str(p) for p in error['loc']).replace('_', '-')}: {error['msg']}"
        if error["loc"]
        else error["msg"].removeprefix("Value error, ")
        for error in exc.errors()
    )


def _label(label: Label | None, language: str, fallback: str = "") -> str:
    """A label in `language`, escaped for rich's markup (names come from crawled pages)."""
    return escape((label.en if language == "en" else label.tr) if label else fallback)


def _scoreboard_table(board: Scoreboard, language: str) -> Table:
    """The scoreboard for a terminal: a row's done events per activity in one column (the JSON and CSV have a
    column each)."""
    shown = f"{len(board.rows)} of {board.total}" if len(board.rows) < board.total else str(board.total)
    table = Table(title=f"scoreboard by {board.by.value}: {shown} rows (each event counted once)")
    table.add_column(board.by.value, ratio=3, overflow="fold")
    table.add_column("done", justify="right")
    table.add_column("planned", justify="right")
    table.add_column("done per activity", ratio=2, overflow="fold")
    table.add_column("countries")
    table.add_column("firms", justify="right")
    table.add_column("first\nlast", no_wrap=True, min_width=10)
    table.add_column("docs", justify="right")
    for row in board.rows:
        activities = [
            f"{_label(board.activity_labels.get(code), language, code)} {row.by_activity[code]}"
            for code in board.activities
            if code in row.by_activity
        ]
        table.add_row(
            _label(row.label, language, row.key),
            str(row.events),
            str(row.planned),
            "\n".join(activities),
            " ".join(row.country_codes),
            str(row.firms),
            f"{row.first}\n{row.last}" if row.first else "",
            str(row.documents),
        )
    return table


def _print_dossier(dossier: ProjectDossier, language: str) -> None:
    title = escape(f"{dossier.name} ({dossier.code})" if dossier.code else dossier.name)
    stdout.rule(f"[bold]{title}[/bold]")
    for caption, value in (
        ("programme", _label(dossier.program_label, language, dossier.program or "")),
        ("coordinator", escape(dossier.coordinator or "")),
        ("province", _label(dossier.province_label, language, dossier.province or "")),
        ("sector", _label(dossier.sector_label, language, dossier.sector or "")),
        ("names", escape("; ".join(dossier.names))),
    ):
        if value:
            stdout.print(f"[bold]{caption}[/bold]: {value}")
    table = Table(title=f"{len(dossier.events)} events, oldest first")
    for column in ("when", "activity", "status", "countries", "cities", "firms", "sources"):
        table.add_column(column)
    for event in dossier.events:
        when = event.start if not event.end or event.end == event.start else f"{event.start} – {event.end}"
        table.add_row(
            when or "undated",
            _label(event.activity_label, language, event.activity),
            event.status.value,
            ", ".join(_label(c.label, language, c.code) for c in event.countries),
            ", ".join(_label(city.label, language, city.name) for city in event.cities),
            "" if event.firms is None else str(event.firms),
            escape("\n".join(f"{s.published or ''} {s.title}".strip() for s in event.sources)),
        )
    stdout.print(table)
    reached = ", ".join(f"{_label(c.label, language, c.code)} ({c.events})" for c in dossier.countries_reached)
    stdout.print(f"[bold]countries reached[/bold] (done events): {reached or 'none yet'}")
    stdout.print(f"[bold]firms[/bold] (summed over done events): {dossier.firms_total}")
    counts = ", ".join(
        f"{_label(a.label, language, a.value)} {a.done}" + (f" (+{a.planned} planned)" if a.planned else "")
        for a in dossier.activity_counts
    )
    stdout.print(f"[bold]activities[/bold]: {counts or 'none'}")
    if dossier.links:
        stdout.print("[bold]why each mention joined[/bold]:")
        for link in dossier.links:
            stdout.print(escape(f"  {link.reason:<11} {link.name!r} in document {link.document_id}"))


# -- demo ---------------------------------------------------------------------

DEMO_QUERIES: tuple[tuple[str, str, dict[str, list[str]], list[str]], ...] = (
    ("A Turkish query in another inflection than the text", "Kazakistan", {}, []),
    ("An English query", "rail systems trade delegation", {}, []),
    ("Facet counts by country over everything", "", {}, ["country"]),
    ("UR-GE news about chemicals, by activity", "UR-GE", {"sector": ["C20"]}, ["activity"]),
)


@app.command("demo")
def demo_command(ctx: typer.Context) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it, extract, index and answer a few queries.

    Its store and index stay in the data directory, so `kume serve` and
    `kume search` afterwards show the demo's documents.
    """
    from demo_site.server import serve_demo_site
    from search_api.contract import SearchQuery

    settings = _settings(ctx).model_copy(update={"backend": "embedded"})
    console.print(f"[bold]kume demo[/bold]: data directory {settings.data_dir}")
    with serve_demo_site() as base_url:
        console.print(f"demo site serving at {base_url}")
        demo_registry = Path(str(resources.files("demo_site") / "sources.toml"))
        crawled_ok = _run_crawl(settings, demo_registry, base_url, None, None)
    extracted_ok = _run_extract(settings, force=False, processes=1)
    if _run_index(settings, rebuild=True) == 0:
        console.print("[red]nothing was indexed[/red]")
        raise typer.Exit(ExitCode.NOTHING_FOUND)
    with _open_backend(settings) as backend:
        for caption, text, filters, facets in DEMO_QUERIES:
            stdout.rule(caption)
            result = backend.search(SearchQuery(q=text, filters=filters, facets=facets, size=5))
            _print_result(text, result)
            for hit in result.hits[:2]:
                for fragment in hit.highlights[:1]:
                    stdout.print(Text("  … ") + _terminal_fragment(fragment) + Text(" …"))
    _demo_outputs(settings)
    stdout.print(f"\nNext: `kume --data-dir {settings.data_dir} serve` and open http://127.0.0.1:8000/")
    raise typer.Exit(ExitCode.OK if crawled_ok and extracted_ok else ExitCode.PARTIAL_FAILURE)


def _demo_outputs(settings: Settings) -> None:
    """The demo's project outputs: the scoreboard by project, and the dossier of its first row."""
    from api.dossier import build_dossier
    from api.schemas import ScoreboardParams
    from api.scoreboard import build_scoreboard

    stdout.rule("Project outputs: the scoreboard (`kume scoreboard`)")
    with _open_store(settings) as store:
        board = build_scoreboard(store, ScoreboardParams(size=20))
        first = store.project(board.rows[0].key) if board.rows else None
        dossier = build_dossier(store, first) if first else None
    stdout.print(_scoreboard_table(board, "tr"))
    if dossier is not None:
        stdout.rule(f"A project's dossier (`kume project {dossier.id}`)")
        _print_dossier(dossier, "tr")


# -- evaluation and training ----------------------------------------------------


@eval_app.command("extract")
def eval_extract_command(
    gold: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Gold JSONL (see shared/eval/README.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
    predictions: Annotated[Path | None, typer.Option(help="Also write the predictions, in the gold's format.")] = None,
    fold: Annotated[
        str | None, typer.Option(help="Score only the records of this fold (a or b); all records when not given.")
    ] = None,
) -> None:
    """Per-field precision, recall and F1 of extraction against gold annotations, events included."""
    from nlp.evaluation import FOLDS, evaluate_gold

    if fold is not None and fold not in FOLDS:
        raise typer.BadParameter(f"the folds are {', '.join(FOLDS)}", param_hint="--fold")
    scores = evaluate_gold(gold, predictions_path=predictions, fold=fold)
    if as_json:
        print(json.dumps(scores, ensure_ascii=False))
        return
    scope = f"fold {fold} of {gold}" if fold else str(gold)
    table = Table(title=f"extraction scores on {scope}")
    for column in ("field", "precision", "recall", "f1", "tp", "fp", "fn"):
        table.add_column(column)
    for field, s in scores.items():
        if "f1" in s:
            ratios = (f"{s[k]:.3f}" for k in ("precision", "recall", "f1"))
            table.add_row(field, *ratios, *(str(s[k]) for k in ("tp", "fp", "fn")))
        else:  # an accuracy over the matched event pairs
            table.add_row(field, "", "", f"{s['accuracy']:.3f}", f"{s['correct']} of {s['total']}", "", "")
    stdout.print(table)
    stdout.print(
        "event_status and event_firms: accuracy over the matched events (firms: where the gold states a count)"
    )


@eval_app.command("ner")
def eval_ner_command(
    ctx: typer.Context,
    conll: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CoNLL file: token and BIO tag per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
    model: Annotated[
        Path | None,
        typer.Option(help="Model directory (default: the shipped one of the encoder); only with one --encoder."),
    ] = None,
    encoder: Annotated[
        list[str] | None,
        typer.Option(
            help="cnn (spaCy pipeline) or e5 (ONNX model); repeat to score both in one run. "
            "Default: the turkish_ner setting."
        ),
    ] = None,
    threads: Annotated[int, typer.Option(help="onnxruntime threads of the e5 model.")] = 1,
) -> None:
    """Entity-level precision, recall and F1 of an NER pipeline on a CoNLL file (seqeval's exact match)."""
    import spacy

    from models.evaluation import evaluate_conll
    from nlp.e5_ner import e5_ner_pipeline
    from nlp.turkish_ner import turkish_ner_path

    encoders = encoder or [_settings(ctx).turkish_ner]
    if unknown := [name for name in encoders if name not in ("cnn", "e5")]:
        raise typer.BadParameter(f"unknown encoder {unknown[0]!r}: cnn or e5", param_hint="--encoder")
    if model is not None and len(encoders) > 1:
        raise typer.BadParameter("--model names one model: give one --encoder with it", param_hint="--model")
    scores = {
        name: evaluate_conll(
            conll,
            spacy.load(model or turkish_ner_path()) if name == "cnn" else e5_ner_pipeline(model, threads=threads),
        )
        for name in encoders
    }
    if as_json:
        print(json.dumps(scores[encoders[0]] if len(encoders) == 1 else scores))
        return
    table = Table(title=f"NER scores on {conll}")
    table.add_column("label")
    for name in encoders:
        for column, short in (("precision", "P"), ("recall", "R"), ("f1", "F1")):
            table.add_column(f"{name} {short}" if len(encoders) > 1 else column)
    rows = [("micro", "micro"), ("micro P/O/G/L", "micro_core")]
    labels = sorted({label for result in scores.values() for label in result["labels"]})
    for title, key in [*rows, *((label, label) for label in labels)]:
        cells: list[str] = []
        for name in encoders:
            result = scores[name]
            s = result[key] if key in ("micro", "micro_core") else result["labels"].get(key)
            cells.extend((f"{s[k]:.3f}" if s else "-") for k in ("precision", "recall", "f1"))
        table.add_row(title, *cells)
    stdout.print(table)


@train_app.command("ner")
def train_ner_command(
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write the model (default: models/tr_kume_ner, models/tr_kume_e5_ner for e5)."),
    ] = None,
    data_dir: Annotated[Path, typer.Option(help="Turkish-Wiki-NER folder.")] = Path("../shared/data/turkish-wiki-ner"),
    max_minutes: Annotated[float | None, typer.Option(help="Stop training after this many minutes.")] = None,
    encoder: Annotated[
        str, typer.Option(help="cnn: the spaCy CNN pipeline; e5: multilingual-e5-small fine-tuned, served by ONNX.")
    ] = "cnn",
    epochs: Annotated[int, typer.Option(help="e5: passes over the training sentences.")] = 3,
    max_sentences: Annotated[
        int | None, typer.Option(help="e5: train on a random subset of this many sentences (a budget run).")
    ] = None,
    threads: Annotated[int, typer.Option(help="e5: torch and onnxruntime threads.")] = 1,
) -> None:
    """Train the Turkish NER on Turkish-Wiki-NER (CPU): the CNN pipeline, or E5 (needs the `train` extra)."""
    if not data_dir.is_dir():
        console.print(f"[red]training data not found:[/red] {data_dir}")
        raise typer.Exit(ExitCode.USAGE)
    if encoder == "e5":
        from models.train_e5_ner import Recipe, train_e5_ner

        recipe = Recipe(epochs=epochs, max_sentences=max_sentences, max_minutes=max_minutes)
        path = train_e5_ner(output or Path("models/tr_kume_e5_ner"), data_dir=data_dir, recipe=recipe, threads=threads)
    elif encoder == "cnn":
        from models.train_ner import train_ner

        path = train_ner(output or Path("models/tr_kume_ner"), data_dir=data_dir, max_minutes=max_minutes)
    else:
        raise typer.BadParameter(f"unknown encoder {encoder!r}: cnn or e5", param_hint="--encoder")
    console.print(f"trained model written to {path}")
