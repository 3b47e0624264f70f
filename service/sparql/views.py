"""``/sparql``: the SPARQL 1.1 Protocol over HTTP.

GET with ``query=``; POST form-encoded or ``application/sparql-query``;
``default-graph-uri``/``named-graph-uri`` for the dataset; results chosen by
``format=`` or ``Accept`` (406 when neither can be met). Without a query, GET
returns the service description, or the query page to a browser. Every query
passes the guard, then runs in a killable worker (or on the configured
remote backend) under the deadline and the row and byte caps; answers are
cached per (graph version, query, format, dataset).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from service.errors import ApiError
from service.graph_state import GraphState, for_app
from service.sparql import guard
from service.sparql.description import service_description
from service.sparql.formats import ResultFormat, by_param, for_form
from service.sparql.negotiate import choose, quality
from service.sparql.remote import RemoteBackend
from service.sparql.runner import Outcome, QueryRunner

bp = Blueprint("sparql", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
READ_ONLY = "This endpoint is read-only: SPARQL Update is not accepted."
#: Largest answer kept in the cache; bigger ones are recomputed.
CACHE_ENTRY_BYTES = 1_000_000
#: Seconds a query that hit the deadline is refused at once when sent again.
RUNAWAY_MEMORY_S = 60.0


@dataclass
class Engine:
    """The per-process query machinery, made on first use (after any fork)."""

    settings: dict[str, Any]
    runner: QueryRunner | None
    remote: RemoteBackend | None
    cache: OrderedDict = field(default_factory=OrderedDict)
    graphs: dict[str, frozenset[str]] = field(default_factory=dict)
    runaways: dict[tuple[str, str], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def known_graphs(self, state: GraphState) -> tuple[str, frozenset[str]]:
        snapshot = state.current()
        with self.lock:
            names = self.graphs.get(snapshot.version)
            if names is None:
                names = frozenset(g.value for g in snapshot.store.named_graphs())
                self.graphs = {snapshot.version: names}
        return snapshot.version, names

    def mark_runaway(self, version: str, text: str) -> None:
        """Remember a query that ran past the deadline, so repeats cannot tie up workers."""
        with self.lock:
            if len(self.runaways) > 1000:
                self.runaways.clear()
            self.runaways[(version, text)] = time.monotonic() + RUNAWAY_MEMORY_S

    def refuse_if_runaway(self, version: str, text: str) -> None:
        until = self.runaways.get((version, text))
        if until is not None and time.monotonic() < until:
            raise ApiError(
                503,
                "This query ran past the deadline moments ago and is not run again yet.",
                code="timeout",
                headers={"Retry-After": str(int(until - time.monotonic()) + 1)},
            )

    def cached(self, key: tuple) -> Outcome | None:
        with self.lock:
            hit = self.cache.get(key)
            if hit is not None:
                self.cache.move_to_end(key)
            return hit

    def remember(self, key: tuple, outcome: Outcome) -> None:
        limit = self.settings["sparql_cache_entries"]
        if not limit or len(outcome.body) > CACHE_ENTRY_BYTES:
            return
        with self.lock:
            if self.cache and next(iter(self.cache))[0] != key[0]:
                self.cache.clear()  # a new graph version: every cached answer is stale
            self.cache[key] = outcome
            while len(self.cache) > limit:
                self.cache.popitem(last=False)


def engine(app: Flask) -> Engine:
    found = app.extensions.get("modelkg_sparql")
    if found is None:
        settings = app.config["MODELKG_SETTINGS"]
        remote = None
        runner = None
        if settings["sparql_backend"]:
            remote = RemoteBackend(settings["sparql_backend"], timeout_s=settings["sparql_timeout_s"])
        else:
            runner = QueryRunner(
                slots=settings["sparql_max_concurrent"],
                timeout_s=settings["sparql_timeout_s"],
                memory_mb=settings["sparql_max_memory_mb"],
            )
        found = app.extensions.setdefault("modelkg_sparql", Engine(settings, runner, remote))
        if runner is not None and found.runner is runner:
            state = for_app(app)
            snapshot = state.current()
            runner.warm(snapshot.version, snapshot.store)
            # A new ingest: load it into the query workers now, not under the first queries that see it.
            state.on_reload(lambda new: runner.warm(new.version, new.store))
    return found


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: str | None


def read_request() -> ProtocolRequest:
    """The protocol operation of this request; ApiError for what the protocol does not allow."""
    args = request.args
    if request.method == "POST":
        media = (request.mimetype or "").lower()
        if media == UPDATE_TYPE or "update" in args:
            raise ApiError(403, READ_ONLY, code="read_only")
        if media == FORM_TYPE:
            form = request.form
            if "update" in form:
                raise ApiError(403, READ_ONLY, code="read_only")
            queries = form.getlist("query") + args.getlist("query")
            default = form.getlist("default-graph-uri") + args.getlist("default-graph-uri")
            named = form.getlist("named-graph-uri") + args.getlist("named-graph-uri")
            fmt = form.get("format") or args.get("format")
        elif media == QUERY_TYPE:
            try:
                queries = [request.get_data(cache=False).decode("utf-8")]
            except UnicodeDecodeError:
                raise ApiError(400, "The query must be UTF-8 text.", code="bad_encoding") from None
            if "query" in args:
                raise ApiError(400, "Give the query either in the body or as query=, not both.", code="bad_request")
            default, named, fmt = args.getlist("default-graph-uri"), args.getlist("named-graph-uri"), args.get("format")
        else:
            raise ApiError(
                415,
                f"POST a query as {FORM_TYPE} (query=...) or as {QUERY_TYPE}; got {media or 'no content type'}.",
                code="unsupported_media_type",
            )
        if not queries:
            raise ApiError(400, "No query given: send query=... .", code="missing_query")
    else:
        if "update" in args:
            raise ApiError(403, READ_ONLY, code="read_only")
        queries = args.getlist("query")
        default, named, fmt = args.getlist("default-graph-uri"), args.getlist("named-graph-uri"), args.get("format")
    if len(queries) > 1:
        raise ApiError(400, "Give exactly one query.", code="bad_request")
    return ProtocolRequest(queries[0] if queries else None, tuple(default), tuple(named), fmt)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    operation = read_request()
    state = for_app(current_app)
    if operation.query is None:
        return _description(state)
    settings = current_app.config["MODELKG_SETTINGS"]
    machinery = engine(current_app)
    version, graphs = machinery.known_graphs(state)
    try:
        checked = guard.check(
            operation.query,
            known_graphs=graphs,
            max_chars=settings["sparql_max_query_chars"],
            max_depth=settings["sparql_max_depth"],
        )
        unknown = [g for g in operation.default_graphs + operation.named_graphs if g not in graphs]
        if unknown:
            raise guard.QueryRefused(400, "unknown_graph", f"<{unknown[0]}> is not a graph of this store.")
    except guard.QueryRefused as refusal:
        raise _api_error(refusal) from None
    fmt = _result_format(checked.form, operation.format)
    default_graphs = operation.default_graphs or checked.from_graphs
    named_graphs = operation.named_graphs or checked.from_named
    key = (version, checked.text, fmt.name, default_graphs, named_graphs)
    outcome = machinery.cached(key)
    if outcome is None:
        machinery.refuse_if_runaway(version, checked.text)
        try:
            outcome = _evaluate(machinery, state, version, checked, fmt, default_graphs, named_graphs, graphs)
        except guard.QueryRefused as refusal:
            if refusal.code in ("timeout", "worker_failed"):
                machinery.mark_runaway(version, checked.text)
            raise _api_error(refusal) from None
        machinery.remember(key, outcome)
    return _result_response(outcome, fmt, version)


def _evaluate(
    machinery: Engine,
    state: GraphState,
    version: str,
    checked: guard.CheckedQuery,
    fmt: ResultFormat,
    default_graphs: tuple[str, ...],
    named_graphs: tuple[str, ...],
    graphs: frozenset[str],
) -> Outcome:
    settings = machinery.settings
    caps = {"max_rows": settings["sparql_max_rows"], "max_bytes": settings["sparql_max_bytes"]}
    if machinery.remote is not None:
        if not default_graphs and not named_graphs:
            # The in-process dataset: the union as default graph, every graph available to GRAPH.
            default_graphs = named_graphs = tuple(sorted(graphs))
        return machinery.remote.run(
            checked.form, checked.text, fmt.name, default_graphs=default_graphs, named_graphs=named_graphs, **caps
        )
    snapshot = state.current()
    return machinery.runner.run(
        version,
        snapshot.store,
        checked.text,
        fmt.name,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        **caps,
    )


def _result_format(form: str, param: str | None) -> ResultFormat:
    if param:
        fmt = by_param(param, form)
        if fmt is None:
            names = ", ".join(f.name for f in for_form(form))
            raise ApiError(406, f"format={param} is not available for a {form} query; use one of {names}.")
        return fmt
    offers = [(f.media_type, f) for f in for_form(form)]
    offers += [(alias, f) for f in for_form(form) for alias in f.aliases]
    fmt = choose(request.headers.get("Accept"), offers)
    if fmt is None:
        types = ", ".join(f.media_type for f in for_form(form))
        raise ApiError(406, f"Cannot answer a {form} query in any type the Accept header allows; available: {types}.")
    return fmt


def _result_response(outcome: Outcome, fmt: ResultFormat, version: str) -> Response:
    media = fmt.media_type
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    response = Response(outcome.body, content_type=media)
    response.headers["Vary"] = "Accept"
    response.headers["Modelkg-Graph-Version"] = version
    if outcome.truncated:
        response.headers["Modelkg-Truncated"] = f"true; kept={outcome.count}"
    if request.args.get("download") or (request.args.get("format") and request.method == "GET"):
        ext = {"rdfxml": "rdf"}.get(fmt.name, fmt.name)
        response.headers["Content-Disposition"] = f'inline; filename="results.{ext}"'
    return response


def _description(state: GraphState) -> Response:
    accept = request.headers.get("Accept", "")
    if quality(accept, "text/html") > max(quality(accept, "text/turtle"), 0.0) and "text/html" in accept:
        from service.pages import query_page

        return query_page()
    snapshot = state.current()
    graphs = [g.value for g in snapshot.store.named_graphs()]
    endpoint = request.url_root.rstrip("/") + "/sparql"
    response = Response(service_description(endpoint, graphs), content_type="text/turtle; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def _api_error(refusal: guard.QueryRefused) -> ApiError:
    headers = {"Retry-After": "2"} if refusal.status == 503 else None
    return ApiError(refusal.status, refusal.message, code=refusal.code, headers=headers)
