"""The modelkg vocabulary: namespaces, resource IRIs and the named graphs.

Every IRI the project mints is built here, so a slug always maps to the same
IRI and re-ingesting gives the same triples.

>>> str(iri("model", "bert"))
'https://w3id.org/modelkg/model/bert'
>>> str(MKG.suitedFor)
'https://w3id.org/modelkg/vocab#suitedFor'
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/modelkg/"
MKG = Namespace(BASE + "vocab#")
SCHEMA = Namespace("https://schema.org/")
MLS = Namespace("http://www.w3.org/ns/mls#")
SH = Namespace("http://www.w3.org/ns/shacl#")

VOCAB_TTL = Path(__file__).with_name("vocab.ttl")
SHAPES_TTL = Path(__file__).with_name("shapes.ttl")

#: The kinds of resource that get an IRI ``BASE + kind + "/" + slug``.
KINDS = (
    "model",
    "category",
    "objective",
    "task",
    "paper",
    "checkpoint",
    "organization",
    "model-type",
    "head",
    "suitability",
    "lineage",
    "taxonomy",
    "scheme",
    "graph",
    "source",
)

#: Prefixes bound in every serialisation and accepted by every SPARQL query.
PREFIXES: dict[str, str] = {
    "mkg": str(MKG),
    "model": BASE + "model/",
    "task": BASE + "task/",
    "objective": BASE + "objective/",
    "category": BASE + "category/",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "mls": str(MLS),
}

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug of ``text``, words joined by hyphens.

    >>> slugify("Sequence-to-sequence models")
    'sequence-to-sequence-models'
    >>> slugify("  XLM RoBERTa ")
    'xlm-roberta'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_JUNK.sub("-", ascii_text.lower()).strip("-")


def iri(kind: str, slug: str) -> URIRef:
    """The IRI of the resource of ``kind`` named ``slug``.

    >>> iri("task", "summarization")
    rdflib.term.URIRef('https://w3id.org/modelkg/task/summarization')
    """
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not slug or "/" in slug or slug != slug.strip():
        raise ValueError(f"bad slug {slug!r} for {kind}")
    return URIRef(f"{BASE}{kind}/{slug}")


def split_iri(value: str) -> tuple[str, str] | None:
    """``(kind, slug)`` for an IRI minted here, else None.

    >>> split_iri("https://w3id.org/modelkg/model/bert")
    ('model', 'bert')
    >>> split_iri("https://example.org/x") is None
    True
    """
    if not value.startswith(BASE):
        return None
    kind, _, slug = value[len(BASE) :].partition("/")
    if kind not in KINDS or not slug:
        return None
    return kind, slug


# The named graphs, one per source, plus the graph that holds ingest provenance.
TAXONOMY_GRAPH = iri("graph", "taxonomy")
CURATED_GRAPH = iri("graph", "curated")
TRANSFORMERS_GRAPH = iri("graph", "transformers")
VOCAB_GRAPH = iri("graph", "vocabulary")
PROVENANCE_GRAPH = iri("graph", "provenance")

# Concept schemes.
CATEGORY_SCHEME = iri("scheme", "categories")
OBJECTIVE_SCHEME = iri("scheme", "objectives")
TASK_SCHEME = iri("scheme", "tasks")

# Lineage sub-properties of mkg:derivedFrom, keyed by the relation names used in data files.
LINEAGE: dict[str, URIRef] = {
    "distilled-from": MKG.distilledFrom,
    "multilingual-variant-of": MKG.multilingualVariantOf,
    "optimised-variant-of": MKG.optimisedVariantOf,
    "composed-of": MKG.composedOf,
    "builds-on": MKG.buildsOn,
}

# Where a suitability fact comes from; curated evidence ranks above a registered head.
CURATED_EVIDENCE = MKG.CuratedEvidence
HEAD_EVIDENCE = MKG.TransformersHeadEvidence
