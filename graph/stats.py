"""Counts that say whether the graph is whole: per class, per graph, per seed model."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.queries import select

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?class { mkg:Model mkg:Category mkg:Objective mkg:Task mkg:Paper mkg:Checkpoint
                  mkg:Organization mkg:ModelType mkg:TaskHead mkg:Suitability mkg:Taxonomy }
  OPTIONAL { ?s a ?class }
} GROUP BY ?class
"""

GRAPH_COUNTS = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""

SEED_MODELS = """
SELECT ?model ?name ?category
       (SAMPLE(?en) AS ?label_en) (SAMPLE(?zh) AS ?label_zh)
       (COUNT(DISTINCT ?objective) AS ?objectives) (COUNT(DISTINCT ?task) AS ?tasks)
       (COUNT(DISTINCT ?curatedTask) AS ?curated_tasks)
       (SAMPLE(?arxiv) AS ?arxiv_id) (SAMPLE(?year) AS ?paper_year) (SAMPLE(?status) AS ?transformers)
       (SAMPLE(?type) AS ?model_type) (COUNT(DISTINCT ?checkpoint) AS ?checkpoints)
WHERE {
  ?model mkg:inTaxonomy ?taxonomy ; mkg:summaryName ?name ; mkg:position ?pos ; mkg:category ?c .
  ?c mkg:position ?cpos .
  BIND(STRAFTER(STR(?c), "/category/") AS ?category)
  OPTIONAL { ?model rdfs:label ?en FILTER(LANG(?en) = "en") }
  OPTIONAL { ?model rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?model mkg:objective ?objective }
  OPTIONAL { ?model mkg:suitedFor ?task }
  OPTIONAL { ?model mkg:suitability [ mkg:task ?curatedTask ; mkg:evidence mkg:CuratedEvidence ] }
  OPTIONAL { ?model mkg:paper ?paper . ?paper mkg:year ?year . OPTIONAL { ?paper mkg:arxivId ?arxiv } }
  OPTIONAL { ?model mkg:transformersStatus ?status }
  OPTIONAL { ?model mkg:modelType ?type }
  OPTIONAL { ?model mkg:checkpoint ?checkpoint }
}
GROUP BY ?model ?name ?category ?cpos ?pos
ORDER BY ?cpos ?pos
"""

MODEL_TYPES = """
SELECT (COUNT(DISTINCT ?t) AS ?types) (COUNT(DISTINCT ?withHead) AS ?with_heads)
       (COUNT(DISTINCT ?head) AS ?heads) WHERE {
  ?t a mkg:ModelType .
  OPTIONAL { ?t mkg:head ?head . BIND(?t AS ?withHead) }
}
"""


def _py(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        kind = term.datatype.value.rsplit("#", 1)[-1]
        if kind in ("integer", "int", "long"):
            return int(term.value)
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return term


def graph_stats(store: ox.Store, *, version: str | None = None) -> dict[str, Any]:
    """Counts per class and named graph, each seed model's completeness, and model types."""
    classes = {row["class"].value.rsplit("#", 1)[-1]: int(row["n"].value) for row in select(store, CLASS_COUNTS)}
    graphs = {row["g"].value: int(row["n"].value) for row in select(store, GRAPH_COUNTS)}
    seed = [{k: _py(v) for k, v in row.items()} for row in select(store, SEED_MODELS)]
    types_row = select(store, MODEL_TYPES)[0]
    complete = [
        m
        for m in seed
        if m.get("category")
        and m.get("objectives")
        and m.get("tasks")
        and m.get("paper_year")
        and m.get("label_en")
        and m.get("label_zh")
    ]
    return {
        "version": version,
        "triples": sum(graphs.values()),
        "graphs": graphs,
        "classes": classes,
        "seed_models": {
            "count": len(seed),
            "complete": len(complete),
            "with_arxiv_id": sum(1 for m in seed if m.get("arxiv_id")),
            "removed_from_transformers": [m["name"] for m in seed if m.get("transformers") == "removed"],
            "models": seed,
        },
        "transformers": {k: int(v.value) for k, v in types_row.items()},
    }
