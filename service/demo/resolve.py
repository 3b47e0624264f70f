"""Name → seed model, from the graph: the allowlist of everything a demo may run.

A demo request names a model by a label (English or Chinese), an alias, a
slug, an IRI, or one of its checkpoints' hub ids. Every one of those strings
comes from the graph; anything else (a path, an unknown hub id, ``../../etc``)
matches nothing and is refused here, before any weights are looked for or any
transformers code runs. The names are indexed once per graph version.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.queries import select
from service.errors import ApiError

MODEL_NS = "https://w3id.org/modelkg/model/"
TASK_NS = "https://w3id.org/modelkg/task/"
CURATED = "https://w3id.org/modelkg/vocab#CuratedEvidence"

#: Other names a request may give a task (pipeline names and common words), by the graph's task slug.
TASK_ALIASES = {
    "token-classification": "named-entity-recognition",
    "ner": "named-entity-recognition",
    "sentiment-analysis": "text-classification",
    "classification": "text-classification",
    "generation": "text-generation",
    "text2text-generation": "text-generation",
    "sentence-similarity": "feature-extraction",
    "similarity": "feature-extraction",
    "embedding": "feature-extraction",
    "embeddings": "feature-extraction",
    "qa": "question-answering",
    "retrieval": "passage-retrieval",
    "summarisation": "summarization",
}


@dataclass(frozen=True)
class Checkpoint:
    """A canonical checkpoint the graph names for a model."""

    hub_id: str
    parameters: int | None


@dataclass(frozen=True)
class SeedModel:
    """What the demo needs to know about one seed model, all of it from the graph."""

    slug: str
    iri: str
    label: str
    model_type: str | None
    status: str  # "available" or "removed"
    status_note: str | None
    checkpoints: tuple[Checkpoint, ...]  # smallest first
    curated_tasks: tuple[str, ...]
    head_tasks: tuple[str, ...]  # tasks only a registered transformers head suggests

    @property
    def tasks(self) -> tuple[str, ...]:
        return self.curated_tasks + tuple(t for t in self.head_tasks if t not in self.curated_tasks)

    @property
    def implemented(self) -> bool:
        return self.status != "removed" and bool(self.model_type)


@dataclass
class Catalogue:
    """The seed models of one graph version and every name that reaches them."""

    version: str
    models: dict[str, SeedModel]
    names: dict[str, str] = field(default_factory=dict)  # exact (casefolded) name -> slug
    loose: dict[str, str] = field(default_factory=dict)  # name without spaces/dashes -> slug
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checkpoints: dict[str, tuple[str, str]] = field(default_factory=dict)  # casefolded hub id -> (slug, id)
    tasks: dict[str, str] = field(default_factory=dict)  # task name -> slug

    def resolve(self, name: str) -> tuple[SeedModel, str | None]:
        """The seed model ``name`` names, and the checkpoint when it named one; ApiError 404 otherwise."""
        text = " ".join(str(name).split())
        folded = text.casefold()
        if folded in self.checkpoints:
            slug, hub_id = self.checkpoints[folded]
            return self.models[slug], hub_id
        slug = self.names.get(folded)
        if slug is None and _looks_like_path(text):
            raise ApiError(
                404,
                f"No model named {text!r} in the graph. The demo runs only models the graph names, "
                "never a path or a hub id from a request; see `modelkg models` or GET /demo.",
                code="unknown_model",
            )
        if slug is None:
            key = _loose(text)
            if key in self.ambiguous:
                raise ApiError(
                    400,
                    f"{text!r} could mean {', '.join(self.ambiguous[key])}; name one of them.",
                    code="ambiguous_model",
                )
            slug = self.loose.get(key)
        if slug is None:
            raise ApiError(
                404,
                f"No model named {text!r} in the graph; name one of its {len(self.models)} seed models "
                "by label, alias, slug or IRI (see `modelkg models` or GET /demo).",
                code="unknown_model",
            )
        return self.models[slug], None

    def task(self, name: str) -> str:
        """The graph's task slug for a task name, IRI, label or alias; ApiError 400 when unknown."""
        folded = " ".join(str(name).split()).casefold()
        slug = self.tasks.get(folded) or self.tasks.get(_loose(folded))
        if slug is None:
            known = ", ".join(sorted(set(self.tasks.values())))
            raise ApiError(400, f"Unknown task {name!r}; the graph's tasks are: {known}.", code="unknown_task")
        return slug


def _loose(text: str) -> str:
    return re.sub(r"[\s\-_.]+", "", text.casefold())


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or ".." in text or text.startswith("~")


_SEEDS = """
SELECT ?m ?label ?type ?status ?note WHERE {
  ?m a mkg:Model ; mkg:inTaxonomy ?t ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
  OPTIONAL { ?m mkg:modelType ?type }
  OPTIONAL { ?m mkg:transformersStatus ?status }
  OPTIONAL { ?m mkg:statusNote ?note }
}"""
_NAMES = """
SELECT ?m ?name WHERE {
  ?m a mkg:Model ; mkg:inTaxonomy ?t .
  { ?m rdfs:label ?name } UNION { ?m skos:altLabel ?name } UNION { ?m mkg:summaryName ?name }
}"""
_CHECKPOINTS = """
SELECT DISTINCT ?m ?id ?n WHERE {
  ?m a mkg:Model ; mkg:inTaxonomy ?t ; mkg:checkpoint ?c . ?c mkg:hubId ?id .
  OPTIONAL { ?c mkg:parameterCount ?n }
}"""
_SUITED = """
SELECT DISTINCT ?m ?task ?evidence WHERE {
  ?m a mkg:Model ; mkg:inTaxonomy ?t ; mkg:suitability ?s . ?s mkg:task ?task ; mkg:evidence ?evidence .
}"""
_TASKS = "SELECT ?task ?label WHERE { ?task a mkg:Task . OPTIONAL { ?task rdfs:label ?label } }"


def build_catalogue(store: ox.Store, version: str = "") -> Catalogue:
    """Read the seed models, their names, checkpoints and tasks from the graph."""
    rows = select(store, _SEEDS)
    checkpoints: dict[str, list[Checkpoint]] = {}
    for row in select(store, _CHECKPOINTS):
        n = row.get("n")
        checkpoints.setdefault(row["m"].value, []).append(Checkpoint(row["id"].value, int(n.value) if n else None))
    curated: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    for row in select(store, _SUITED):
        target = curated if row["evidence"].value == CURATED else heads
        target.setdefault(row["m"].value, set()).add(row["task"].value.removeprefix(TASK_NS))
    models: dict[str, SeedModel] = {}
    for row in rows:
        iri = row["m"].value
        slug = iri.removeprefix(MODEL_NS)
        if slug in models:
            continue
        ordered = sorted(checkpoints.get(iri, []), key=lambda c: (c.parameters or 0, c.hub_id))
        models[slug] = SeedModel(
            slug=slug,
            iri=iri,
            label=row["label"].value,
            model_type=row["type"].value if "type" in row else None,
            status=row["status"].value if "status" in row else "available",
            status_note=row["note"].value if "note" in row else None,
            checkpoints=tuple(ordered),
            curated_tasks=tuple(sorted(curated.get(iri, ()))),
            head_tasks=tuple(sorted(heads.get(iri, set()) - curated.get(iri, set()))),
        )
    catalogue = Catalogue(version, models)
    exact: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}

    def add(name: str, slug: str) -> None:
        exact.setdefault(" ".join(name.split()).casefold(), set()).add(slug)
        loose.setdefault(_loose(name), set()).add(slug)

    for slug, model in models.items():
        for name in (slug, model.iri, f"model:{slug}"):
            add(name, slug)
        for c in model.checkpoints:
            catalogue.checkpoints.setdefault(c.hub_id.casefold(), (slug, c.hub_id))
    for row in select(store, _NAMES):
        slug = row["m"].value.removeprefix(MODEL_NS)
        if slug in models:
            add(row["name"].value, slug)
    catalogue.names = {name: next(iter(slugs)) for name, slugs in exact.items() if len(slugs) == 1}
    catalogue.loose = {name: next(iter(slugs)) for name, slugs in loose.items() if len(slugs) == 1}
    catalogue.ambiguous = {name: tuple(sorted(slugs)) for name, slugs in loose.items() if len(slugs) > 1}
    for row in select(store, _TASKS):
        slug = row["task"].value.removeprefix(TASK_NS)
        for name in (slug, row["task"].value, f"task:{slug}", row["label"].value if "label" in row else slug):
            catalogue.tasks[" ".join(name.split()).casefold()] = slug
            catalogue.tasks[_loose(name)] = slug
    for alias, slug in TASK_ALIASES.items():
        catalogue.tasks.setdefault(alias, slug)
        catalogue.tasks.setdefault(_loose(alias), slug)
    return catalogue


_lock = threading.Lock()


def catalogue_for(app) -> Catalogue:
    """The app's catalogue for the graph version it serves now, rebuilt when an ingest changes it."""
    from service.graph_state import for_app

    snapshot = for_app(app).current()
    cached = app.extensions.get("modelkg_demo_catalogue")
    if cached is not None and cached.version == snapshot.version:
        return cached
    with _lock:
        cached = app.extensions.get("modelkg_demo_catalogue")
        if cached is None or cached.version != snapshot.version:
            cached = build_catalogue(snapshot.store, snapshot.version)
            app.extensions["modelkg_demo_catalogue"] = cached
    return cached
