"""The SPARQL 1.1 Service Description of this endpoint, in Turtle.

Lists the result formats, the union default graph, the named graphs the
store holds, and the titled example queries (as SHACL SPARQL executables,
the shape the SIB/UniProt example collections use), so a client can learn
the endpoint from the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from graph.examples import EXAMPLES
from service.sparql.formats import FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
EXECUTABLE = {
    "SELECT": ("SPARQLSelectExecutable", "select"),
    "ASK": ("SPARQLAskExecutable", "ask"),
    "CONSTRUCT": ("SPARQLConstructExecutable", "construct"),
    "DESCRIBE": ("SPARQLDescribeExecutable", "describe"),
}


def _form(query: str) -> str:
    words = query.upper().split()
    for word in words:
        if word in EXECUTABLE:
            return word
    return "SELECT"


def service_description(endpoint: str, graphs: Iterable[str]) -> bytes:
    """Turtle describing the endpoint at ``endpoint`` over the named ``graphs``."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("sh", SH)
    g.bind("schema", SCHEMA)
    service = URIRef(endpoint + "#service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in FORMATS:
        g.add((service, SD.resultFormat, URIRef(fmt.sd_iri)))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    for name in sorted(graphs):
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    for example in EXAMPLES:
        node = URIRef(f"{endpoint}#example-{example.slug}")
        cls, prop = EXECUTABLE[_form(example.query)]
        g.add((node, RDF.type, SH[cls]))
        g.add((node, RDFS.label, Literal(example.title, lang="en")))
        g.add((node, RDFS.label, Literal(example.title_zh, lang="zh")))
        g.add((node, RDFS.comment, Literal(example.description, lang="en")))
        g.add((node, RDFS.comment, Literal(example.description_zh, lang="zh")))
        g.add((node, SH[prop], Literal(example.query)))
        g.add((node, SCHEMA.target, service))
    return g.serialize(format="turtle").encode()
