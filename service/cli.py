"""The ``modelkg`` command: thin wrappers that call one library function each.

Failures print one line that says what to do and exit non-zero; progress goes
to stderr so stdout stays clean for pipes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from service.settings import SETTINGS, SettingError, load_settings

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CLIError(click.ClickException):
    """A failure the user can act on; shown as one line."""

    def show(self, file: Any = None) -> None:
        click.echo(f"modelkg: error: {self.format_message()}", err=True)


class Group(click.Group):
    """Turns the library's own errors into one-line messages with exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from graph.results import ResultFormatError
        from graph.store import StoreError
        from ingest.build import ShapeError
        from ingest.facts import FactsError
        from ingest.taxonomy import TaxonomyError

        try:
            return super().invoke(ctx)
        except (StoreError, TaxonomyError, FactsError, SettingError, ShapeError, ResultFormatError) as exc:
            raise CLIError(str(exc)) from None
        except SyntaxError as exc:  # pyoxigraph's SPARQL parse errors
            raise CLIError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise CLIError(f"{exc.filename or ''} {exc.strerror or exc}".strip()) from None


def _store(ctx: click.Context):
    from graph.store import Store

    settings = ctx.obj["settings"]
    return Store(settings["database_url"], lock_wait_s=settings["store_lock_wait_s"])


@click.group(cls=Group, context_settings=CONTEXT)
@click.option(
    "--database-url", metavar="URL", help="Store URL (default: $MODELKG_DATABASE_URL or sqlite:///var/modelkg.db)."
)
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """modelkg: a knowledge graph of transformer models.

    \b
    Examples:
      modelkg ingest
      modelkg stats --json
      modelkg sparql 'SELECT ?m WHERE { ?m a mkg:Model } LIMIT 3' --format csv
      modelkg ask "Which models suit summarization?"
      modelkg export --format ttl -o modelkg.ttl
    """
    overrides = {"database_url": database_url} if database_url else {}
    try:
        ctx.obj = {"settings": load_settings(overrides)}
    except SettingError as exc:
        raise CLIError(str(exc)) from None


class _Progress:
    """Step lines and a write counter on stderr, with elapsed time and rate."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.write_started: float | None = None

    def step(self, name: str) -> None:
        if not self.quiet:
            click.echo(f"{self._elapsed()} {name} ...", err=True)

    def batch(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.write_started is None:
            self.write_started = time.perf_counter()
        elapsed = time.perf_counter() - self.write_started
        width = 20
        filled = width * done // max(total, 1)
        line = f"{self._elapsed()} writing [{'#' * filled}{'-' * (width - filled)}] {done:,}/{total:,} triples"
        line += f" ({done / max(elapsed, 1e-9):,.0f}/s)"
        if self.tty:
            click.echo("\r" + line, err=True, nl=done >= total)
        elif done >= total:
            click.echo(line, err=True)

    def _elapsed(self) -> str:
        return f"[{time.perf_counter() - self.started:5.1f}s]"


@main.command(context_settings=CONTEXT)
@click.option(
    "--taxonomy", type=click.Path(path_type=Path), help="Taxonomy document (default: the shipped model summary)."
)
@click.option("--facts", "models_dir", type=click.Path(path_type=Path), help="Directory of model fact files (*.yaml).")
@click.option(
    "--concepts", type=click.Path(path_type=Path), help="Concept schemes file (categories, objectives, tasks)."
)
@click.option("--no-transformers", is_flag=True, help="Skip the installed transformers library as a source.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_context
def ingest(
    ctx: click.Context,
    taxonomy: Path | None,
    models_dir: Path | None,
    concepts: Path | None,
    no_transformers: bool,
    quiet: bool,
) -> None:
    """Build the graph from its sources and replace the store's graph atomically.

    Sources: a taxonomy document, the curated fact files, and the installed
    transformers library. Everything is checked (file fields, SHACL shapes)
    before anything is written; on any error the store keeps what it had.
    Running it twice on the same sources changes nothing.

    \b
    Examples:
      modelkg ingest
      modelkg ingest --taxonomy my_summary.md --facts my_facts/
      MODELKG_DATABASE_URL=postgresql+psycopg://localhost/kg modelkg ingest
    """
    from ingest.build import Sources
    from ingest.build import ingest as run_ingest

    sources = Sources()
    if taxonomy:
        sources.taxonomy = taxonomy
    if models_dir:
        sources.models_dir = models_dir
    if concepts:
        sources.concepts = concepts
    sources.transformers = not no_transformers
    progress = _Progress(quiet)
    built, written = run_ingest(_store(ctx), sources, progress=progress.step, on_batch=progress.batch)
    if not quiet:
        models = len(built.taxonomy.models)
        click.echo(
            f"Wrote {written.triples:,} triples in {len(written.graphs)} graphs ({models} seed models, "
            f"{len(built.taxonomy.categories)} categories, {built.model_types} model types) "
            f"in {time.perf_counter() - progress.started:.1f} s; graph version {written.version}",
            err=True,
        )


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of the graph: classes, named graphs, seed models, transformers model types.

    \b
    Example:
      modelkg stats --json | jq .seed_models.complete
    """
    from graph.stats import graph_stats

    store = _store(ctx)
    result = graph_stats(store.load_oxigraph(), version=store.version())
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"graph version {result['version']}: {result['triples']:,} triples")
    for graph_iri, count in result["graphs"].items():
        click.echo(f"  {graph_iri:<50} {count:>8,}")
    click.echo("classes:")
    for name, count in sorted(result["classes"].items()):
        click.echo(f"  {name:<20} {count:>8,}")
    seed = result["seed_models"]
    click.echo(f"seed models: {seed['count']} ({seed['complete']} complete, {seed['with_arxiv_id']} with an arXiv id)")
    if seed["removed_from_transformers"]:
        click.echo(f"  removed from transformers: {', '.join(seed['removed_from_transformers'])}")
    types = result["transformers"]
    click.echo(
        f"transformers: {types['types']} model types, {types['with_heads']} with task heads, {types['heads']} kinds of head"
    )


@main.command(context_settings=CONTEXT)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="ttl",
    show_default=True,
    type=click.Choice(["ttl", "nt", "jsonld", "rdfxml", "trig", "nq", "graphml"]),
    help="Turtle, N-Triples, JSON-LD, RDF/XML (union of graphs); TriG, N-Quads (named graphs kept); GraphML.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: stdout).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the whole graph in an RDF format or as GraphML.

    \b
    Examples:
      modelkg export --format ttl -o modelkg.ttl
      modelkg export --format graphml -o modelkg.graphml
    """
    from graph.formats import export as serialise

    data = serialise(_store(ctx).load_dataset(), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {len(data):,} bytes of {fmt} to {output}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("query")
@click.option(
    "-f",
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(["table", "json", "csv", "tsv", "ttl", "nt"]),
    help="table/json/csv/tsv for SELECT and ASK; ttl/nt for CONSTRUCT and DESCRIBE.",
)
@click.pass_context
def sparql(ctx: click.Context, query: str, fmt: str) -> None:
    """Run a SPARQL query on the local graph; QUERY may be '-' (stdin) or @FILE.

    The vocabulary prefixes (mkg:, rdfs:, skos:, schema:, ...) are declared
    for you, and the default graph is the union of all named graphs.

    \b
    Examples:
      modelkg sparql 'SELECT ?m ?label WHERE { ?m a mkg:Model ; rdfs:label ?label } LIMIT 5'
      modelkg sparql @query.rq --format csv
    """
    from graph.results import render

    if query == "-":
        query = sys.stdin.read()
    elif query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")
    click.echo(render(_store(ctx).load_oxigraph(), query, fmt), nl=False)


@main.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn (one process).")
@click.option(
    "--setting",
    "setting_pairs",
    multiple=True,
    nargs=2,
    metavar="NAME VALUE",
    help="Override a setting (see `modelkg settings`), e.g. --setting sparql_timeout_s 5.",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, workers: int, threads: int, dev: bool, setting_pairs: tuple
) -> None:
    """Serve the SPARQL endpoint, /ask, /demo and the pages.

    The store must hold a graph (`modelkg ingest`); the service checks it
    before it starts listening.

    \b
    Examples:
      modelkg serve --port 8000 --workers 2
      modelkg serve --dev
      modelkg serve --setting sparql_timeout_s 5 --setting rate_limit ''
    """
    from graph.store import Store
    from service.serve import serve as run_server

    overrides = {name: value for name, value in setting_pairs}
    settings = load_settings({**overrides, "database_url": ctx.obj["settings"]["database_url"]})
    store = Store(settings["database_url"])
    try:
        version = store.version()
    finally:
        store.dispose()
    click.echo(
        f"modelkg: serving graph version {version} on http://{host}:{port}/ ({'dev' if dev else f'{workers} workers'})",
        err=True,
    )
    run_server(host=host, port=port, workers=workers, threads=threads, dev=dev, overrides=settings)


@main.command(context_settings=CONTEXT)
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the whole answer as JSON (as GET /ask sends it).")
@click.option("--top-k", default=10, show_default=True, type=click.IntRange(1, 50), help="Most answers listed.")
@click.option(
    "--lang", type=click.Choice(["auto", "en", "zh"]), default="auto", show_default=True, help="Answer language."
)
@click.option("--sparql", "show_sparql", is_flag=True, help="Also print the SPARQL query behind the answer.")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool, top_k: int, lang: str, show_sparql: bool) -> None:
    """Answer a question in plain English or Chinese from the graph.

    The answer names the graph facts behind each result and the SPARQL query
    that produced it. A demo question ("run GPT-2 on 'Hello'") also runs the
    model through the demo runner.

    \b
    Examples:
      modelkg ask "Which models suit summarization?"
      modelkg ask "哪些模型适合翻译？" --json
      modelkg ask "What does DistilBERT derive from?" --sparql
    """
    from service.ask import Asker, AskError, check_request

    settings = ctx.obj["settings"]
    try:
        question, top_k, chosen = check_request(question, top_k, lang, max_chars=int(settings["ask_max_chars"]))
    except AskError as exc:
        raise CLIError(str(exc)) from None
    url = settings["database_url"]

    def run_demo_here(model: str, text: str, task: str | None) -> dict:
        from service.app import create_app
        from service.demo import run_demo

        return run_demo(create_app({"database_url": url}), model, text, task)

    answer = Asker.from_url(url).ask(question, top_k=top_k, lang=chosen, demo_runner=run_demo_here)
    if as_json:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    click.echo(answer["text"])
    for number, item in enumerate(answer["answers"], 1):
        why = "; ".join(item["why"])
        click.echo(f"{number:>3}. {item['label']}" + (f"  ({why})" if why else ""))
    if answer["demo"] is not None:
        click.echo(json.dumps(answer["demo"], indent=2, ensure_ascii=False))
    if show_sparql and answer["sparql"]:
        click.echo("\n" + answer["sparql"], nl=False)


@main.command(context_settings=CONTEXT)
@click.argument("model")
@click.argument("text")
@click.option("--task", help="Task to run (default: the model's best demo task); see `modelkg models`.")
@click.option(
    "--param",
    "param_pairs",
    multiple=True,
    nargs=2,
    metavar="NAME VALUE",
    help="A demo parameter, e.g. --param max_new_tokens 10 (VALUE is read as JSON when it parses).",
)
@click.pass_context
def demo(ctx: click.Context, model: str, text: str, task: str | None, param_pairs: tuple) -> None:
    """Run a seed model of the graph on TEXT and print the result as JSON.

    MODEL is any label, alias, slug, IRI or checkpoint id the graph gives a
    seed model. Without real weights on this machine the demo runs a tiny
    random instance of the same architecture, and says so.

    \b
    Examples:
      modelkg demo gpt2 "Once upon a time" --param max_new_tokens 10
      modelkg demo BERT "Paris is the [MASK] of France." --task fill-mask
      modelkg demo bert $'A man is eating.\nSomeone eats food.' --task feature-extraction
    """
    from service.app import create_app
    from service.demo import run_demo
    from service.errors import ApiError

    params = {}
    for name, raw in param_pairs:
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    app = create_app({"database_url": ctx.obj["settings"]["database_url"]})
    try:
        result = run_demo(app, model, text, task, params)
    except ApiError as exc:
        raise CLIError(exc.message) from None
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@main.command(context_settings=CONTEXT)
@click.option("--markdown", is_flag=True, help="Print the README's table instead.")
@click.option("--json", "as_json", is_flag=True, help="Print every model's demo tasks as JSON.")
@click.pass_context
def models(ctx: click.Context, markdown: bool, as_json: bool) -> None:
    """Per seed model, what its demo can do now: real weights, a random-weights architecture demo, or why not.

    \b
    Examples:
      modelkg models
      modelkg models --markdown
    """
    from service.demo import demo_table, models_markdown
    from service.demo.resolve import build_catalogue

    store = _store(ctx)
    catalogue = build_catalogue(store.load_oxigraph(), store.version())
    rows = demo_table(catalogue, ctx.obj["settings"]["models_dir"])
    if markdown:
        click.echo(models_markdown(rows), nl=False)
    elif as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            detail = row["default_task"] or row["why"]
            click.echo(f"{row['model']:<20} {row['status']:<34} {detail}")


@main.command("settings", context_settings=CONTEXT)
@click.option("--markdown", is_flag=True, help="Print the README's table instead.")
def list_settings(markdown: bool) -> None:
    """Every setting with its environment variable, default and meaning."""
    if markdown:
        from service.settings import settings_markdown

        click.echo(settings_markdown(), nl=False)
        return
    for setting in SETTINGS:
        click.echo(f"{setting.env:<32} {setting.default!s:<28} {setting.help}")


if __name__ == "__main__":
    main()
