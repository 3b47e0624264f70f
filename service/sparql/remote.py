"""Send checked queries to an external SPARQL 1.1 endpoint (``MODELKG_SPARQL_BACKEND``).

A deployment that outgrows one machine runs the graph on QLever, Virtuoso or
Oxigraph server and keeps this service in front: the same checks, the same
caps and the same formats apply, because results come back in line-based
formats (TSV, N-Triples) that are cut at a line and re-written here.
When the query names no dataset, the store's named graphs are sent both as
``default-graph-uri`` (the default graph is their union) and as
``named-graph-uri`` (each is there for GRAPH), as in-process.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import requests

from graph.queries import PREFIX_BLOCK
from service.sparql.guard import QueryRefused
from service.sparql.runner import Outcome
from service.sparql.writers import write_boolean, write_graph, write_solutions

CONNECT_TIMEOUT_S = 3.0
ACCEPT = {
    "SELECT": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    "ASK": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
}


class RemoteBackend:
    """A SPARQL endpoint URL and one HTTP session to it."""

    def __init__(self, url: str, *, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.session = requests.Session()
        self.session.trust_env = False

    def run(
        self,
        form: str,
        query: str,
        fmt: str,
        *,
        max_rows: int,
        max_bytes: int,
        default_graphs: tuple[str, ...],
        named_graphs: tuple[str, ...],
    ) -> Outcome:
        accept = ACCEPT.get(form, ("application/n-triples", None))[0]
        data: list[tuple[str, str]] = [("query", PREFIX_BLOCK + query)]
        data += [("default-graph-uri", g) for g in default_graphs]
        data += [("named-graph-uri", g) for g in named_graphs]
        raw, cut = self._fetch(data, accept, budget=max_bytes * 4)
        try:
            if form == "ASK":
                result = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
                written = write_boolean(fmt, bool(result))
            elif form == "SELECT":
                solutions = ox.parse_query_results(raw, format=ox.QueryResultsFormat.TSV)
                written = write_solutions(fmt, [v.value for v in solutions.variables], solutions, max_rows, max_bytes)
            else:
                triples = (q.triple for q in ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
                written = write_graph(fmt, triples, max_rows, max_bytes)
        except (SyntaxError, ValueError) as exc:
            raise QueryRefused(
                502, "backend_error", f"The SPARQL backend sent a result that does not parse: {exc}"
            ) from None
        return Outcome(written.body, written.count, written.truncated or cut)

    def _fetch(self, data: list[tuple[str, str]], accept: str, *, budget: int) -> tuple[bytes, bool]:
        deadline = time.monotonic() + self.timeout_s
        try:
            response = self.session.post(
                self.url,
                data=data,
                headers={"Accept": accept},
                timeout=(CONNECT_TIMEOUT_S, self.timeout_s),
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise QueryRefused(504, "backend_timeout", "The SPARQL backend did not answer in time.") from None
        except requests.RequestException:
            raise QueryRefused(502, "backend_error", "The SPARQL backend cannot be reached.") from None
        with response:
            if response.status_code == 400:
                raise QueryRefused(400, "bad_query", "The SPARQL backend refused the query: " + response.text[:300])
            if response.status_code != 200:
                raise QueryRefused(502, "backend_error", f"The SPARQL backend answered {response.status_code}.")
            chunks, size, cut = [], 0, False
            try:
                for chunk in response.iter_content(65536):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > budget:
                        cut = True
                        break
                    if time.monotonic() > deadline:
                        raise QueryRefused(503, "timeout", f"The query ran past the {self.timeout_s:g} s deadline.")
            except requests.RequestException:
                raise QueryRefused(502, "backend_error", "The SPARQL backend's answer broke off.") from None
        raw = b"".join(chunks)
        if cut:
            raw = raw[: raw.rfind(b"\n") + 1]
        return raw, cut
