"""Everything a page or an answer shows about one entity, in one call.

Labels in English and Chinese, its facts as (property, value) pairs with
labels, the suitability records with evidence and reasons, lineage both
ways, checkpoints, and its neighbourhood as nodes and edges to draw.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.queries import select
from graph.vocab import split_iri

_LABELS = """
SELECT ?e ?lang ?label ?alt WHERE {
  { ?e rdfs:label ?label BIND(LANG(?label) AS ?lang) }
  UNION { ?e skos:altLabel ?alt BIND(LANG(?alt) AS ?lang) }
}"""

_TYPES = "SELECT DISTINCT ?e ?type WHERE { ?e a ?type }"

_OUT = """
SELECT DISTINCT ?e ?lang ?p ?o ?plabel ?olabel WHERE {
  ?e ?p ?o .
  FILTER(?p NOT IN (rdfs:label, skos:altLabel, skos:prefLabel, rdf:type, mkg:suitability, mkg:lineage))
  FILTER(STRSTARTS(STR(?p), STR(mkg:)) || ?p IN (dcterms:description, skos:definition, dcterms:title,
         schema:url, rdfs:comment, dcterms:source))
  OPTIONAL { ?p rdfs:label ?plabel FILTER(LANG(?plabel) = ?lang) }
  OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) = ?lang || LANG(?olabel) = "") }
}"""

_IN = """
SELECT DISTINCT ?e ?lang ?s ?p ?slabel ?plabel WHERE {
  ?s ?p ?e .
  FILTER(STRSTARTS(STR(?p), STR(mkg:)) && ?p NOT IN (mkg:task, mkg:source, mkg:relation, mkg:derivedFrom))
  ?s a ?stype FILTER(?stype IN (mkg:Model, mkg:Task, mkg:Objective, mkg:Category, mkg:Paper, mkg:Checkpoint))
  OPTIONAL { ?p rdfs:label ?plabel FILTER(LANG(?plabel) = ?lang) }
  OPTIONAL { ?s rdfs:label ?slabel FILTER(LANG(?slabel) = ?lang || LANG(?slabel) = "") }
}"""

_SUITABILITY = """
SELECT DISTINCT ?e ?lang ?task ?tasklabel ?evidence ?evlabel ?rank ?reason WHERE {
  ?e mkg:suitability ?s . ?s mkg:task ?task ; mkg:evidence ?evidence ; mkg:reason ?reason .
  ?evidence mkg:rank ?rank .
  OPTIONAL { ?task rdfs:label ?tasklabel FILTER(LANG(?tasklabel) = ?lang) }
  OPTIONAL { ?evidence rdfs:label ?evlabel FILTER(LANG(?evlabel) = ?lang) }
} ORDER BY ?rank ?tasklabel"""

_LINEAGE = """
SELECT DISTINCT ?e ?lang ?from ?to ?relation ?rlabel ?note WHERE {
  ?from mkg:lineage ?l . ?l mkg:source ?to ; mkg:relation ?relation .
  FILTER(?from = ?e || ?to = ?e)
  OPTIONAL { ?l mkg:lineageNote ?note }
  OPTIONAL { ?relation rdfs:label ?rlabel FILTER(LANG(?rlabel) = ?lang) }
}"""

_CHECKPOINTS = """
SELECT DISTINCT ?e ?c ?id ?params ?note WHERE {
  ?e mkg:checkpoint ?c . ?c mkg:hubId ?id .
  OPTIONAL { ?c mkg:parameterCount ?params }
  OPTIONAL { ?c rdfs:comment ?note }
} ORDER BY ?params"""


def _value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        kind = term.datatype.value.rsplit("#", 1)[-1]
        if kind == "integer":
            return int(term.value)
        if kind == "boolean":
            return term.value == "true"
        return term.value
    return term.value if term is not None else None


def label_of(store: ox.Store, iri: str, lang: str = "en") -> str:
    """The entity's label in ``lang``, else in English, else its slug."""
    rows = select(store, _LABELS, e=ox.NamedNode(iri))
    by_lang = {row["lang"].value: row["label"].value for row in rows if "label" in row}
    return by_lang.get(lang) or by_lang.get("en") or by_lang.get("") or (split_iri(iri) or ("", iri))[1]


def describe(store: ox.Store, iri: str, *, lang: str = "en") -> dict[str, Any] | None:
    """The entity at ``iri`` for a page or an answer, or None when the graph does not know it."""
    e = ox.NamedNode(iri)
    types = [row["type"].value for row in select(store, _TYPES, e=e)]
    if not types:
        return None
    binding = {"e": e, "lang": ox.Literal(lang)}
    labels: dict[str, str] = {}
    aliases: list[dict[str, str]] = []
    for row in select(store, _LABELS, e=e):
        if "label" in row:
            labels.setdefault(row["lang"].value or "en", row["label"].value)
        elif "alt" in row:
            aliases.append({"lang": row["lang"].value, "text": row["alt"].value})
    facts = []
    for row in select(store, _OUT, **binding):
        prop = row["p"].value
        facts.append(
            {
                "property": prop,
                "property_label": row["plabel"].value if "plabel" in row else prop.rsplit("#", 1)[-1],
                "value": _value(row["o"]),
                "iri": row["o"].value if isinstance(row["o"], ox.NamedNode) else None,
                "label": row["olabel"].value if "olabel" in row else None,
                "internal": isinstance(row["o"], ox.NamedNode) and split_iri(row["o"].value) is not None,
            }
        )
    incoming = [
        {
            "iri": row["s"].value,
            "label": row["slabel"].value if "slabel" in row else row["s"].value,
            "property": row["p"].value,
            "property_label": row["plabel"].value if "plabel" in row else row["p"].value.rsplit("#", 1)[-1],
        }
        for row in select(store, _IN, **binding)
    ]
    suitability = [
        {
            "task": row["task"].value,
            "task_label": row["tasklabel"].value if "tasklabel" in row else row["task"].value,
            "evidence": row["evidence"].value,
            "evidence_label": row["evlabel"].value if "evlabel" in row else "",
            "rank": int(row["rank"].value),
            "reason": row["reason"].value,
        }
        for row in select(store, _SUITABILITY, **binding)
    ]
    lineage = [
        {
            "from": row["from"].value,
            "to": row["to"].value,
            "relation": row["relation"].value.rsplit("#", 1)[-1],
            "relation_label": row["rlabel"].value if "rlabel" in row else row["relation"].value,
            "note": row["note"].value if "note" in row else None,
        }
        for row in select(store, _LINEAGE, **binding)
    ]
    checkpoints = [
        {
            "hub_id": row["id"].value,
            "parameters": int(row["params"].value) if "params" in row else None,
            "note": row["note"].value if "note" in row else None,
        }
        for row in select(store, _CHECKPOINTS, e=e)
    ]
    kind, slug = split_iri(iri) or ("", iri)
    return {
        "iri": iri,
        "kind": kind,
        "slug": slug,
        "types": types,
        "label": labels.get(lang) or labels.get("en") or slug,
        "labels": labels,
        "aliases": aliases,
        "facts": facts,
        "incoming": incoming,
        "suitability": suitability,
        "lineage": lineage,
        "checkpoints": checkpoints,
        "neighbourhood": _neighbourhood(store, iri, facts, incoming, lineage, lang),
    }


def _neighbourhood(
    store: ox.Store, iri: str, facts: list[dict], incoming: list[dict], lineage: list[dict], lang: str
) -> dict[str, list[dict]]:
    """Nodes and edges around the entity, for drawing: its linked entities one step away."""
    nodes = {iri: {"id": iri, "label": label_of(store, iri, lang), "kind": (split_iri(iri) or ("",))[0]}}
    edges = []

    def add(node: str, label: str | None) -> None:
        if node not in nodes:
            nodes[node] = {"id": node, "label": label or label_of(store, node, lang), "kind": split_iri(node)[0]}

    for fact in facts:
        if fact["internal"] and split_iri(fact["iri"])[0] in ("model", "task", "objective", "category", "paper"):
            add(fact["iri"], fact["label"])
            edges.append({"source": iri, "target": fact["iri"], "label": fact["property_label"]})
    for item in incoming:
        if split_iri(item["iri"]) and split_iri(item["iri"])[0] == "model":
            add(item["iri"], item["label"])
            edges.append({"source": item["iri"], "target": iri, "label": item["property_label"]})
    for item in lineage:
        for node in (item["from"], item["to"]):
            add(node, None)
        edge = {"source": item["from"], "target": item["to"], "label": item["relation_label"]}
        if edge not in edges:
            edges.append(edge)
    return {"nodes": list(nodes.values()), "edges": edges}


_CATALOGUE = """
SELECT DISTINCT ?lang ?c ?clabel ?cpos ?m ?mlabel ?mpos ?multilingual ?task ?tasklabel ?objective ?oblabel WHERE {
  ?m mkg:inTaxonomy ?t ; mkg:category ?c ; mkg:position ?mpos .
  ?c mkg:position ?cpos .
  OPTIONAL { ?c rdfs:label ?clabel FILTER(LANG(?clabel) = ?lang) }
  OPTIONAL { ?m rdfs:label ?mlabel FILTER(LANG(?mlabel) = ?lang) }
  OPTIONAL { ?m mkg:multilingual ?multilingual }
  OPTIONAL { ?m mkg:suitability [ mkg:task ?task ; mkg:evidence mkg:CuratedEvidence ] .
             ?task rdfs:label ?tasklabel FILTER(LANG(?tasklabel) = ?lang) }
  OPTIONAL { ?m mkg:objective ?objective . ?objective rdfs:label ?oblabel FILTER(LANG(?oblabel) = ?lang) }
} ORDER BY ?cpos ?mpos"""


def catalogue(store: ox.Store, *, lang: str = "en") -> list[dict[str, Any]]:
    """The taxonomy as the summary lists it: categories in order, each with its models,
    and each model's curated tasks, objectives and whether it is multilingual."""
    categories: dict[str, dict[str, Any]] = {}
    for row in select(store, _CATALOGUE, lang=ox.Literal(lang)):
        c = row["c"].value
        category = categories.setdefault(
            c, {"iri": c, "label": _value(row.get("clabel")) or split_iri(c)[1], "models": {}}
        )
        m = row["m"].value
        model = category["models"].setdefault(
            m,
            {
                "iri": m,
                "slug": split_iri(m)[1],
                "label": _value(row.get("mlabel")) or split_iri(m)[1],
                "multilingual": _value(row.get("multilingual")) or False,
                "tasks": {},
                "objectives": {},
            },
        )
        if "task" in row:
            model["tasks"][split_iri(row["task"].value)[1]] = row["tasklabel"].value
        if "objective" in row:
            model["objectives"][split_iri(row["objective"].value)[1]] = row["oblabel"].value
    return [{**c, "models": list(c["models"].values())} for c in categories.values()]


_OVERVIEW_EDGES = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { ?s mkg:category ?o BIND(mkg:category AS ?p) }
  UNION { ?s mkg:lineage [ mkg:relation ?p ; mkg:source ?o ] }
  ?s mkg:inTaxonomy ?t .
}"""


def overview(store: ox.Store, *, lang: str = "en") -> dict[str, list[dict[str, str]]]:
    """Models, their categories and lineage as nodes and edges: the picture of the whole seed graph."""
    nodes: dict[str, dict[str, str]] = {}
    edges = []
    for row in select(store, _OVERVIEW_EDGES):
        for term in (row["s"], row["o"]):
            if term.value not in nodes:
                nodes[term.value] = {
                    "id": term.value,
                    "label": label_of(store, term.value, lang),
                    "kind": split_iri(term.value)[0],
                }
        edges.append({"source": row["s"].value, "target": row["o"].value, "label": row["p"].value.rsplit("#", 1)[-1]})
    return {"nodes": list(nodes.values()), "edges": edges}
