"""Curated facts: the concept schemes and one YAML file per model.

The files under ``ingest/data`` are checked against the papers and the
transformers docs by a person; this module reads them, refuses any file that
is missing a field or names a concept that does not exist (naming the file
and the field), and turns them into triples.

>>> concepts = load_concepts()
>>> "summarization" in concepts.tasks
True
>>> models = load_models(concepts=concepts)
>>> models["roberta"]["summary_name"]
'RoBERT'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from graph.vocab import (
    CATEGORY_SCHEME,
    CURATED_EVIDENCE,
    LINEAGE,
    MKG,
    OBJECTIVE_SCHEME,
    SCHEMA,
    TASK_SCHEME,
    iri,
    slugify,
)

DATA_DIR = Path(__file__).parent / "data"
CONCEPTS_FILE = DATA_DIR / "concepts.yaml"
MODELS_DIR = DATA_DIR / "models"

Triple = tuple[URIRef, URIRef, Any]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")

SCHEMES = {
    "categories": ("category", MKG.Category, CATEGORY_SCHEME, "Model categories", "模型类别"),
    "objectives": ("objective", MKG.Objective, OBJECTIVE_SCHEME, "Pre-training objectives", "预训练目标"),
    "tasks": ("task", MKG.Task, TASK_SCHEME, "Tasks", "任务"),
}


class FactsError(ValueError):
    """A facts file is missing, malformed or inconsistent; the message names file and field."""


@dataclass(frozen=True)
class Concepts:
    """The concept schemes and organisations, each keyed by slug."""

    categories: dict[str, dict]
    objectives: dict[str, dict]
    tasks: dict[str, dict]
    organizations: dict[str, dict]
    digest: str


# ------------------------------------------------------------------ checks


class _Checker:
    """Field checks that name the file and the field in every message."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, field: str, problem: str) -> FactsError:
        return FactsError(f"{self.where}: '{field}' {problem}")

    def get(self, data: dict, field: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        if field not in data:
            if optional:
                return None
            raise self.fail(field, "is required")
        value = data[field]
        if value is None:
            if optional:
                return None
            raise self.fail(field, "is required")
        if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(field, f"must be {_kind_name(kind)}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(field, f"must be {_kind_name(kind)}, got {type(value).__name__}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(field, "must not be empty")
        return value

    def strings(self, data: dict, field: str, *, optional: bool = False, nonempty: bool = False) -> list[str]:
        value = self.get(data, field, list, optional=optional) or []
        if nonempty and not value:
            raise self.fail(field, "must list at least one value")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(field, f"must list non-empty strings, got {item!r}")
        return value

    def slug(self, data: dict, field: str, known: dict[str, Any] | None = None, what: str = "") -> str:
        value = self.get(data, field, str)
        if not _SLUG.match(value):
            raise self.fail(field, f"must be a lower-case slug like 'masked-language-modeling', got {value!r}")
        if known is not None and value not in known:
            raise self.fail(field, f"names unknown {what} {value!r}; known: {', '.join(sorted(known))}")
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a mapping"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FactsError(f"{path}: no such file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FactsError(f"{where}: not valid YAML ({problem})") from None
    except UnicodeDecodeError:
        raise FactsError(f"{path}: not UTF-8 text") from None


def _check_concept(check: _Checker, item: Any, *, organization: bool = False) -> dict:
    if not isinstance(item, dict):
        raise check.fail("entry", f"must be a mapping, got {item!r}")
    check.slug(item, "slug")
    for field in ("label", "label_zh", "definition"):
        check.get(item, field, str)
    check.strings(item, "aliases")
    check.strings(item, "aliases_zh")
    check.get(item, "pipeline", str, optional=True)
    if organization:
        check.get(item, "url", str, optional=True)
    return item


def load_concepts(path: Path = CONCEPTS_FILE) -> Concepts:
    """Read and check the concept schemes file."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise FactsError(f"{path}: must be a mapping with categories, objectives, tasks and organizations")
    parts: dict[str, dict[str, dict]] = {}
    for key in ("categories", "objectives", "tasks", "organizations"):
        items = data.get(key)
        if not isinstance(items, list) or not items:
            raise FactsError(f"{path}: '{key}' must be a non-empty list")
        parts[key] = {}
        for number, item in enumerate(items, start=1):
            check = _Checker(f"{path} ({key} #{number})")
            item = _check_concept(check, item, organization=key == "organizations")
            if item["slug"] in parts[key]:
                raise check.fail("slug", f"repeats {item['slug']!r}")
            parts[key][item["slug"]] = item
    return Concepts(**parts, digest=hashlib.sha256(path.read_bytes()).hexdigest())


def _check_model(path: Path, data: Any, concepts: Concepts) -> dict:
    check = _Checker(str(path))
    if not isinstance(data, dict):
        raise FactsError(f"{path}: must be a mapping of fields (slug, label, category, ...)")
    slug = check.slug(data, "slug")
    if slug != path.stem:
        raise check.fail("slug", f"is {slug!r} but the file is named {path.name}; they must agree")
    for field in ("label", "label_zh", "summary_name", "description"):
        check.get(data, field, str)
    check.strings(data, "aliases")
    check.strings(data, "aliases_zh")
    check.slug(data, "category", concepts.categories, "category")
    check.slug(data, "organization", concepts.organizations, "organization")
    check.get(data, "model_type", str, optional=True)
    status = check.get(data, "transformers_status", str)
    if status not in ("available", "removed"):
        raise check.fail("transformers_status", f"must be 'available' or 'removed', got {status!r}")
    if status == "removed":
        check.get(data, "status_note", str)
    elif not data.get("model_type"):
        raise check.fail("model_type", "is required while transformers_status is 'available'")
    check.get(data, "multilingual", bool)
    length = check.get(data, "max_sequence_length", int, optional=True)
    if length is not None and length <= 0:
        raise check.fail("max_sequence_length", "must be positive")
    check.get(data, "attention", str, optional=True)
    for objective in check.strings(data, "objectives", nonempty=True):
        if objective not in concepts.objectives:
            raise check.fail("objectives", f"names unknown objective {objective!r}")
    tasks = check.get(data, "tasks", list)
    if not tasks:
        raise check.fail("tasks", "must list at least one task with a reason")
    for number, item in enumerate(tasks, start=1):
        sub = _Checker(f"{path} (tasks #{number})")
        if not isinstance(item, dict):
            raise sub.fail("task", "entries must be mappings with 'task' and 'reason'")
        sub.slug(item, "task", concepts.tasks, "task")
        sub.get(item, "reason", str)
    paper = check.get(data, "paper", dict)
    sub = _Checker(f"{path} (paper)")
    sub.get(paper, "title", str)
    year = sub.get(paper, "year", int)
    if not 1990 <= year <= 2100:
        raise sub.fail("year", f"must be a year, got {year}")
    arxiv = sub.get(paper, "arxiv", str, optional=True)
    if arxiv is not None and not _ARXIV.match(arxiv):
        raise sub.fail("arxiv", f"must look like '1810.04805', got {arxiv!r}")
    sub.get(paper, "url", str)
    sub.strings(paper, "authors", optional=True)
    for number, item in enumerate(check.get(data, "derived_from", list), start=1):
        sub = _Checker(f"{path} (derived_from #{number})")
        if not isinstance(item, dict):
            raise sub.fail("model", "entries must be mappings with 'model', 'relation' and 'note'")
        sub.slug(item, "model")
        sub.slug(item, "relation", LINEAGE, "relation")
        sub.get(item, "note", str, optional=True)
    checkpoints = check.get(data, "checkpoints", list)
    if not checkpoints:
        raise check.fail("checkpoints", "must list at least one checkpoint")
    for number, item in enumerate(checkpoints, start=1):
        sub = _Checker(f"{path} (checkpoints #{number})")
        if not isinstance(item, dict):
            raise sub.fail("id", "entries must be mappings with 'id' and 'parameters'")
        sub.get(item, "id", str)
        params = sub.get(item, "parameters", int, optional=True)
        if params is not None and params <= 0:
            raise sub.fail("parameters", "must be positive")
        sub.get(item, "note", str, optional=True)
    check.strings(data, "sources", optional=True)
    return data


def load_models(models_dir: Path = MODELS_DIR, *, concepts: Concepts) -> dict[str, dict]:
    """Read and check every ``*.yaml`` model file in ``models_dir``, keyed by slug."""
    if not models_dir.is_dir():
        raise FactsError(f"{models_dir}: no such directory of model facts")
    models = {}
    for path in sorted(models_dir.glob("*.yaml")):
        data = _check_model(path, _read_yaml(path), concepts)
        models[data["slug"]] = data
    if not models:
        raise FactsError(f"{models_dir}: holds no model files (*.yaml)")
    for slug, data in models.items():
        for number, item in enumerate(data["derived_from"], start=1):
            if item["model"] not in models:
                raise FactsError(
                    f"{models_dir / (slug + '.yaml')} (derived_from #{number}): 'model' names unknown model "
                    f"{item['model']!r}"
                )
            if item["model"] == slug:
                raise FactsError(f"{models_dir / (slug + '.yaml')}: a model cannot derive from itself")
    return models


def digest_models(models_dir: Path = MODELS_DIR) -> str:
    """A digest of every model file, the curated graph's source version."""
    h = hashlib.sha256()
    for path in sorted(models_dir.glob("*.yaml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


# ----------------------------------------------------------------- triples


def _labels(subject: URIRef, item: dict) -> Iterator[Triple]:
    for prop in (RDFS.label, SKOS.prefLabel):
        yield subject, prop, Literal(item["label"], lang="en")
        yield subject, prop, Literal(item["label_zh"], lang="zh")
    for alias in item.get("aliases") or ():
        if alias != item["label"]:
            yield subject, SKOS.altLabel, Literal(alias, lang="en")
    for alias in item.get("aliases_zh") or ():
        if alias != item["label_zh"]:
            yield subject, SKOS.altLabel, Literal(alias, lang="zh")


def concept_triples(concepts: Concepts) -> Iterator[Triple]:
    """Triples for the three concept schemes and the organisations."""
    for key, (kind, cls, scheme, label_en, label_zh) in SCHEMES.items():
        yield scheme, RDF.type, SKOS.ConceptScheme
        yield scheme, RDFS.label, Literal(label_en, lang="en")
        yield scheme, RDFS.label, Literal(label_zh, lang="zh")
        for slug, item in getattr(concepts, key).items():
            subject = iri(kind, slug)
            yield subject, RDF.type, cls
            yield subject, SKOS.inScheme, scheme
            yield subject, SKOS.topConceptOf, scheme
            yield scheme, SKOS.hasTopConcept, subject
            yield subject, SKOS.definition, Literal(item["definition"], lang="en")
            yield from _labels(subject, item)
            if item.get("pipeline"):
                yield subject, MKG.pipeline, Literal(item["pipeline"])
    for slug, item in concepts.organizations.items():
        subject = iri("organization", slug)
        yield subject, RDF.type, MKG.Organization
        yield subject, RDFS.comment, Literal(item["definition"], lang="en")
        yield from _labels(subject, item)
        if item.get("url"):
            yield subject, SCHEMA.url, URIRef(item["url"])


def paper_iri(paper: dict) -> URIRef:
    """The paper's IRI: its arXiv id, or a slug of its title when it has none.

    >>> paper_iri({"arxiv": "1810.04805", "title": "BERT"})
    rdflib.term.URIRef('https://w3id.org/modelkg/paper/1810.04805')
    """
    return iri("paper", paper["arxiv"] or slugify(paper["title"])[:80])


def model_triples(data: dict) -> Iterator[Triple]:
    """Triples for one checked model file."""
    slug = data["slug"]
    model = iri("model", slug)
    yield model, RDF.type, MKG.Model
    yield from _labels(model, data)
    if data["summary_name"] != data["label"]:
        yield model, SKOS.altLabel, Literal(data["summary_name"], lang="en")
    yield model, DCTERMS.description, Literal(" ".join(data["description"].split()), lang="en")
    yield model, MKG.category, iri("category", data["category"])
    yield model, MKG.organization, iri("organization", data["organization"])
    yield model, MKG.multilingual, Literal(data["multilingual"])
    yield model, MKG.transformersStatus, Literal(data["transformers_status"])
    if data.get("status_note"):
        yield model, MKG.statusNote, Literal(data["status_note"], lang="en")
    if data.get("model_type"):
        yield model, MKG.modelType, Literal(data["model_type"])
    if data.get("max_sequence_length"):
        yield model, MKG.maxSequenceLength, Literal(data["max_sequence_length"], datatype=XSD.integer)
    if data.get("attention"):
        yield model, MKG.attentionNote, Literal(data["attention"], lang="en")
    for objective in data["objectives"]:
        yield model, MKG.objective, iri("objective", objective)
    paper = data["paper"]
    paper_node = paper_iri(paper)
    yield model, MKG.paper, paper_node
    for item in data["tasks"]:
        task = iri("task", item["task"])
        suitability = iri("suitability", f"{slug}--{item['task']}--curated")
        yield model, MKG.suitedFor, task
        yield model, MKG.suitability, suitability
        yield suitability, RDF.type, MKG.Suitability
        yield suitability, MKG.task, task
        yield suitability, MKG.evidence, CURATED_EVIDENCE
        yield suitability, MKG.reason, Literal(item["reason"], lang="en")
        yield suitability, DCTERMS.source, paper_node
    yield paper_node, RDF.type, MKG.Paper
    yield paper_node, DCTERMS.title, Literal(paper["title"])
    yield paper_node, RDFS.label, Literal(paper["title"])
    yield paper_node, MKG.year, Literal(paper["year"], datatype=XSD.integer)
    yield paper_node, SCHEMA.url, URIRef(paper["url"])
    if paper.get("arxiv"):
        yield paper_node, MKG.arxivId, Literal(paper["arxiv"])
    for author in paper.get("authors") or ():
        yield paper_node, MKG.author, Literal(author)
    for item in data["derived_from"]:
        source = iri("model", item["model"])
        relation = LINEAGE[item["relation"]]
        lineage = iri("lineage", f"{slug}--{item['relation']}--{item['model']}")
        yield model, relation, source
        yield model, MKG.lineage, lineage
        yield lineage, RDF.type, MKG.Lineage
        yield lineage, MKG.relation, relation
        yield lineage, MKG.source, source
        if item.get("note"):
            yield lineage, MKG.lineageNote, Literal(item["note"], lang="en")
    for item in data["checkpoints"]:
        checkpoint = iri("checkpoint", slugify(item["id"]))
        yield model, MKG.checkpoint, checkpoint
        yield checkpoint, RDF.type, MKG.Checkpoint
        yield checkpoint, RDFS.label, Literal(item["id"])
        yield checkpoint, MKG.hubId, Literal(item["id"])
        if item.get("parameters"):
            yield checkpoint, MKG.parameterCount, Literal(item["parameters"], datatype=XSD.integer)
        if item.get("note"):
            yield checkpoint, RDFS.comment, Literal(item["note"], lang="en")
    for url in data.get("sources") or ():
        yield model, DCTERMS.source, URIRef(url)
