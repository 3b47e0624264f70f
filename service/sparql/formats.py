"""Result formats: names, media types, and which query forms each serves.

One table drives content negotiation, the ``format=`` parameter, the service
description and the OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResultFormat:
    name: str
    media_type: str
    aliases: tuple[str, ...]
    forms: str  # "solutions" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    sd_iri: str  # the W3C formats IRI used in the service description


FORMATS = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        ("application/json",),
        "solutions",
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        "solutions",
        "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    ),
    ResultFormat("csv", "text/csv", (), "solutions", "http://www.w3.org/ns/formats/SPARQL_Results_CSV"),
    ResultFormat(
        "tsv", "text/tab-separated-values", (), "solutions", "http://www.w3.org/ns/formats/SPARQL_Results_TSV"
    ),
    ResultFormat("ttl", "text/turtle", ("application/x-turtle",), "graph", "http://www.w3.org/ns/formats/Turtle"),
    ResultFormat("nt", "application/n-triples", ("text/plain",), "graph", "http://www.w3.org/ns/formats/N-Triples"),
    ResultFormat(
        "jsonld", "application/ld+json", ("application/json",), "graph", "http://www.w3.org/ns/formats/JSON-LD"
    ),
    ResultFormat(
        "rdfxml",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        "graph",
        "http://www.w3.org/ns/formats/RDF_XML",
    ),
)

BY_NAME = {f.name: f for f in FORMATS}
#: Other spellings accepted in ``format=``.
NAME_ALIASES = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "srj": "json",
    "srx": "xml",
}


def for_form(form: str) -> list[ResultFormat]:
    """The formats a query form can be answered in, the default first."""
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "solutions"
    return [f for f in FORMATS if f.forms == kind]


def by_param(name: str, form: str) -> ResultFormat | None:
    """The format a ``format=`` value names for this query form, or None.

    ``xml`` means SPARQL XML results for SELECT/ASK and RDF/XML for a graph,
    and ``json`` means JSON-LD for a graph, as users of other endpoints expect.
    """
    name = name.strip().lower()
    name = NAME_ALIASES.get(name, name)
    if form in ("CONSTRUCT", "DESCRIBE"):
        name = {"xml": "rdfxml", "json": "jsonld"}.get(name, name)
    fmt = BY_NAME.get(name)
    if fmt is None:
        for candidate in FORMATS:
            if name == candidate.media_type:
                fmt = candidate
    return fmt if fmt is not None and fmt in for_form(form) else None
