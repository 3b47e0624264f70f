"""SPARQL over the loaded graph, with the vocabulary's prefixes always declared.

Queries run on pyoxigraph with the union of the named graphs as the default
graph, so ``?m a mkg:Model`` finds models whichever source said so.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("https://w3id.org/modelkg/model/bert"),
...     ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
...     ox.NamedNode("https://w3id.org/modelkg/vocab#Model"),
...     ox.NamedNode("https://w3id.org/modelkg/graph/curated")))
>>> [row["m"].value for row in select(store, "SELECT ?m WHERE { ?m a mkg:Model }")]
['https://w3id.org/modelkg/model/bert']
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from graph.vocab import PREFIXES

#: The prefix declarations, for showing a query with its prefixes spelled out.
PREFIX_BLOCK = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())


def run(store: ox.Store, query: str, **bindings: Any) -> Any:
    """Run a SPARQL query over the union of all named graphs; ``bindings`` pre-bind variables.

    Bound values are passed to the engine as RDF terms, never formatted into
    the query text. pyoxigraph requires each bound variable to be in the
    SELECT projection.
    """
    substitutions = {ox.Variable(name): _term(value) for name, value in bindings.items()}
    return store.query(
        query,
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions=substitutions or None,
    )


def select(store: ox.Store, query: str, **bindings: Any) -> list[dict[str, Any]]:
    """Rows of a SELECT query as dicts of variable name to pyoxigraph term (unbound left out)."""
    solutions = run(store, query, **bindings)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def _term(value: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """A pyoxigraph term for a bound value: pyoxigraph and rdflib terms keep their kind,
    language and datatype; other strings become IRIs when they look like one, else plain literals."""
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    text = str(value)
    if text.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(text)
    return ox.Literal(text)
