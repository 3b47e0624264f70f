"""SPARQL results as text: an aligned table for people, JSON/CSV/TSV, Turtle/N-Triples.

>>> import pyoxigraph as ox
>>> print(render(ox.Store(), "SELECT (1 AS ?one) (mkg:x AS ?iri) {}", "table"), end="")
one | iri
----+------
1   | mkg:x
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.queries import run
from graph.vocab import PREFIXES

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


class ResultFormatError(ValueError):
    """The query's kind of result cannot be written in the asked format."""


def short(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    """A term as people read it: prefixed IRIs, plain literal values.

    >>> short(ox.NamedNode("https://w3id.org/modelkg/vocab#Model"))
    'mkg:Model'
    """
    if isinstance(term, ox.NamedNode):
        for name, ns in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            if term.value.startswith(ns) and "/" not in term.value[len(ns) :]:
                return f"{name}:{term.value[len(ns) :]}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render(store: ox.Store, query: str, fmt: str) -> str:
    """Run ``query`` and write its results as ``fmt`` (table, json, csv, tsv, xml, ttl, nt)."""
    result = run(store, query)
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return f"{'yes' if bool(result) else 'no'}\n"
        if fmt not in RESULT_FORMATS:
            raise ResultFormatError(f"an ASK result cannot be written as {fmt}; use table, json, csv or tsv")
        return result.serialize(format=RESULT_FORMATS[fmt]).decode()
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return _table(result)
        if fmt not in RESULT_FORMATS:
            raise ResultFormatError(f"SELECT results cannot be written as {fmt}; use table, json, csv or tsv")
        return result.serialize(format=RESULT_FORMATS[fmt]).decode()
    if fmt not in GRAPH_FORMATS:
        raise ResultFormatError(f"CONSTRUCT/DESCRIBE results are triples; use ttl or nt, not {fmt}")
    return ox.serialize(result, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES if fmt == "ttl" else None).decode()


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[short(row[n]) if row[n] is not None else "" for n in names] for row in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"
