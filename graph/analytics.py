"""A networkx view of the graph, and lineage and neighbourhood over it.

Nodes are the graph's typed entities (models, categories, tasks, objectives,
papers, checkpoints, organisations), keyed by IRI, with ``kind`` and
``label`` attributes; edges carry the property as ``relation`` (its local
name, e.g. ``suitedFor``, ``distilledFrom``). Literals and bookkeeping
resources (suitability and lineage records, model types) stay out, so the
view is the shape people draw.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph.vocab import LINEAGE, MKG, iri, split_iri

NODE_KINDS = {
    MKG.Model: "model",
    MKG.Category: "category",
    MKG.Task: "task",
    MKG.Objective: "objective",
    MKG.Paper: "paper",
    MKG.Checkpoint: "checkpoint",
    MKG.Organization: "organization",
}

EDGE_PROPERTIES = {
    MKG.category,
    MKG.objective,
    MKG.suitedFor,
    MKG.paper,
    MKG.checkpoint,
    MKG.organization,
    *LINEAGE.values(),
}

LINEAGE_RELATIONS = frozenset(str(p).rsplit("#", 1)[-1] for p in LINEAGE.values())


def to_networkx(graph: Graph | Dataset) -> nx.MultiDiGraph:
    """The entity graph of ``graph`` (a Dataset is read as the union of its graphs).

    >>> from rdflib import Graph
    >>> g = Graph()
    >>> _ = g.add((iri("model", "distilbert"), RDF.type, MKG.Model))
    >>> _ = g.add((iri("model", "bert"), RDF.type, MKG.Model))
    >>> _ = g.add((iri("model", "distilbert"), MKG.distilledFrom, iri("model", "bert")))
    >>> G = to_networkx(g)
    >>> list(G.edges(data="relation"))
    [('https://w3id.org/modelkg/model/distilbert', 'https://w3id.org/modelkg/model/bert', 'distilledFrom')]
    """
    triples = _triples(graph)
    G = nx.MultiDiGraph()
    labels: dict[str, str] = {}
    for s, p, o in triples:
        if p == RDF.type and o in NODE_KINDS:
            G.add_node(str(s), kind=NODE_KINDS[o])
        elif p == RDFS.label and isinstance(o, Literal) and o.language in (None, "en"):
            labels.setdefault(str(s), str(o))
    for s, p, o in triples:
        if p in EDGE_PROPERTIES and str(s) in G and str(o) in G:
            G.add_edge(str(s), str(o), key=str(p), relation=str(p).rsplit("#", 1)[-1])
    for node, data in G.nodes(data=True):
        data["label"] = labels.get(node) or (split_iri(node) or ("", node))[1]
    return G


def _triples(graph: Graph | Dataset) -> list[tuple]:
    if isinstance(graph, Dataset):
        return list({(s, p, o) for s, p, o, _ in graph.quads((None, None, None, None))})
    return list(graph)


def _lineage_view(G: nx.MultiDiGraph) -> nx.DiGraph:
    view = nx.DiGraph()
    view.add_nodes_from(n for n, kind in G.nodes(data="kind") if kind == "model")
    view.add_edges_from((u, v) for u, v, rel in G.edges(data="relation") if rel in LINEAGE_RELATIONS)
    return view


def _node(G: nx.MultiDiGraph, model: str | URIRef) -> str:
    node = str(model)
    if node not in G:
        candidate = str(iri("model", node))
        if candidate not in G:
            raise KeyError(f"no model {model!r} in the graph")
        node = candidate
    return node


def ancestors(G: nx.MultiDiGraph, model: str | URIRef) -> set[str]:
    """Every model that ``model`` derives from, directly or not (slug or IRI)."""
    lineage = _lineage_view(G)
    return nx.descendants(lineage, _node(G, model))


def descendants(G: nx.MultiDiGraph, model: str | URIRef) -> set[str]:
    """Every model that derives from ``model``, directly or not (slug or IRI)."""
    lineage = _lineage_view(G)
    return nx.ancestors(lineage, _node(G, model))


def neighbourhood(G: nx.MultiDiGraph, node: str | URIRef, *, radius: int = 1) -> nx.MultiDiGraph:
    """The subgraph within ``radius`` edges of ``node``, whichever way the edges point."""
    return nx.ego_graph(G, _node(G, node), radius=radius, undirected=True)


def lineage_edges(G: nx.MultiDiGraph) -> Iterable[tuple[str, str, str]]:
    """``(model, relation, source model)`` for every typed lineage edge."""
    return sorted((u, rel, v) for u, v, rel in G.edges(data="relation") if rel in LINEAGE_RELATIONS)
