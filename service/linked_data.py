"""The graph's own IRIs dereference: ``https://w3id.org/modelkg/model/bert`` is served at ``/model/bert``.

Browsers get the entity's page; machines get its description in Turtle,
JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``format=`` (Linked Data
content negotiation). ``/vocab`` serves the vocabulary itself.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from graph.vocab import KINDS, PREFIXES, VOCAB_TTL, iri
from service.errors import ApiError
from service.graph_state import for_app
from service.sparql.negotiate import choose
from service.sparql.writers import RDF_FORMATS

bp = Blueprint("linked_data", __name__)

MACHINE_FORMATS = (
    ("ttl", "text/turtle"),
    ("jsonld", "application/ld+json"),
    ("nt", "application/n-triples"),
    ("rdfxml", "application/rdf+xml"),
)
#: Nodes whose own triples belong to the description of the entity that points at them.
OWNED_KINDS = ("suitability", "lineage", "checkpoint")

_OWNED = " || ".join(f'STRSTARTS(STR(?n), "https://w3id.org/modelkg/{k}/")' for k in OWNED_KINDS)
DESCRIPTION = f"""CONSTRUCT {{ ?e ?p ?o . ?n ?np ?no . ?o rdfs:label ?label }}
WHERE {{
  {{ ?e ?p ?o }}
  UNION {{ ?e ?via ?n . FILTER(isIRI(?n) && ({_OWNED})) ?n ?np ?no }}
  UNION {{ ?e ?p ?o . ?o rdfs:label ?label }}
}}"""


def describe_triples(store: ox.Store, target: str) -> list[ox.Triple]:
    """The entity's own triples, those of the nodes it owns, and its neighbours' labels."""
    result = store.query(DESCRIPTION.replace("?e", f"<{target}>"), prefixes=PREFIXES, use_default_graph_as_union=True)
    return list(dict.fromkeys(result))


@bp.get("/<any(" + ", ".join(f'"{k}"' for k in KINDS) + "):kind>/<slug>")
def entity(kind: str, slug: str) -> Response:
    target = str(iri(kind, slug))
    if not _safe_slug(slug):
        raise ApiError(404, f"No entity /{kind}/{slug} in this graph.")
    alternates = [(name, media) for name, media in MACHINE_FORMATS]
    wanted = request.args.get("format")
    if wanted:
        fmt = wanted if wanted in RDF_FORMATS else None
        if fmt is None and wanted != "html":
            raise ApiError(406, f"format={wanted} is not offered; use html, ttl, jsonld, nt or rdfxml.")
    else:
        fmt = choose(request.headers.get("Accept"), [("text/html", "html"), *((m, n) for n, m in MACHINE_FORMATS)])
        if fmt is None:
            raise ApiError(
                406, "Offered: text/html, text/turtle, application/ld+json, application/n-triples, application/rdf+xml."
            )
    if fmt in (None, "html"):
        from service.pages import entity_page

        response = entity_page(kind, slug, alternates)
    else:
        store = for_app(current_app).current().store
        triples = describe_triples(store, target)
        if not triples:
            raise ApiError(404, f"No entity /{kind}/{slug} in this graph.")
        prefixes = PREFIXES if fmt in ("ttl", "rdfxml") else None
        body = ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes)
        media = dict(MACHINE_FORMATS)[fmt]
        response = Response(body, content_type=media + "; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(
        f'<{request.path}?format={name}>; rel="alternate"; type="{media}"' for name, media in alternates
    )
    return response


@bp.get("/vocab")
def vocabulary() -> Response:
    return Response(VOCAB_TTL.read_bytes(), content_type="text/turtle; charset=utf-8")


def _safe_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= 200 and all(c.isalnum() or c in "-_." for c in slug)
