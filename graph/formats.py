"""Export formats: one table from format name to media type and serialiser.

Triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) carry the union of the
named graphs; quad formats (TriG, N-Quads) keep each source's graph; GraphML
is the networkx entity view for graph tools (Gephi, yEd, networkx).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import networkx as nx
from rdflib import Dataset, Graph

from graph.analytics import to_networkx
from graph.vocab import PREFIXES


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    rdflib_format: str | None  # None: not an RDF serialisation
    quads: bool = False


EXPORT_FORMATS = {
    f.name: f
    for f in (
        ExportFormat("ttl", "text/turtle", "ttl", "turtle"),
        ExportFormat("nt", "application/n-triples", "nt", "nt"),
        ExportFormat("jsonld", "application/ld+json", "jsonld", "json-ld"),
        ExportFormat("rdfxml", "application/rdf+xml", "rdf", "xml"),
        ExportFormat("trig", "application/trig", "trig", "trig", quads=True),
        ExportFormat("nq", "application/n-quads", "nq", "nquads", quads=True),
        ExportFormat("graphml", "application/graphml+xml", "graphml", None),
    )
}


def union_graph(dataset: Dataset) -> Graph:
    """All triples of every named graph in one Graph, with the vocabulary prefixes bound."""
    union = Graph()
    for name, ns in PREFIXES.items():
        union.bind(name, ns, override=True)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def export(dataset: Dataset, fmt: str) -> bytes:
    """Serialise ``dataset`` as ``fmt`` (a key of EXPORT_FORMATS)."""
    try:
        spec = EXPORT_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}") from None
    if spec.rdflib_format is None:
        buffer = io.BytesIO()
        nx.write_graphml(to_networkx(dataset), buffer)
        return buffer.getvalue()
    if spec.quads:
        for name, ns in PREFIXES.items():
            dataset.bind(name, ns, override=True)
        return dataset.serialize(format=spec.rdflib_format, encoding="utf-8")
    return union_graph(dataset).serialize(format=spec.rdflib_format, encoding="utf-8")
