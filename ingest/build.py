"""Build the whole graph from its sources, check it, and write it in one go.

Each source becomes its own named graph (taxonomy, curated facts,
transformers registry, and the vocabulary itself); a provenance graph says
where each came from, which version and when. The union is checked against
the SHACL shapes before anything is written, and the store replaces all the
graphs in one transaction: a failure anywhere leaves the previous graph.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from graph import embeddings as entity_embeddings
from graph.store import GraphWrite, Store, WriteResult, encode_triples
from graph.vocab import (
    CURATED_GRAPH,
    MKG,
    PROVENANCE_GRAPH,
    SHAPES_TTL,
    TAXONOMY_GRAPH,
    TRANSFORMERS_GRAPH,
    VOCAB_GRAPH,
    VOCAB_TTL,
    iri,
    slugify,
)
from ingest import facts
from ingest.taxonomy import SEED_TAXONOMY, Taxonomy, read_taxonomy
from ingest.transformers_registry import read_registry, registry_triples

Progress = Callable[[str], None]


class ShapeError(ValueError):
    """The built graph fails the SHACL shapes; ``report`` lists each violation."""

    def __init__(self, report: list[str]) -> None:
        self.report = report
        shown = "; ".join(report[:5]) + (f"; and {len(report) - 5} more" if len(report) > 5 else "")
        super().__init__(f"the data fails {len(report)} SHACL check(s): {shown}")


@dataclass
class Sources:
    """Where ingest reads from; the defaults are the data shipped with the project."""

    taxonomy: Path = SEED_TAXONOMY
    concepts: Path = facts.CONCEPTS_FILE
    models_dir: Path = facts.MODELS_DIR
    transformers: bool = True
    #: Embed entity names and descriptions for /ask (vectors of unchanged text are reused).
    embeddings: bool = True


@dataclass
class Build:
    """The graphs ready to write, with what went into them."""

    writes: list[GraphWrite]
    taxonomy: Taxonomy
    models: dict[str, dict]
    model_types: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def taxonomy_iri(taxonomy: Taxonomy) -> URIRef:
    return iri("taxonomy", slugify(Path(taxonomy.name).stem) or "taxonomy")


def taxonomy_triples(taxonomy: Taxonomy, labels: dict[str, str]) -> Iterator[tuple]:
    """Triples for a parsed taxonomy; ``labels`` (slug -> English label) avoids repeating a label as alias."""
    scheme = taxonomy_iri(taxonomy)
    yield scheme, RDF.type, MKG.Taxonomy
    yield scheme, RDF.type, SKOS.ConceptScheme
    yield scheme, DCTERMS.title, Literal(taxonomy.title)
    yield scheme, RDFS.label, Literal(taxonomy.title)
    if taxonomy.language:
        yield scheme, DCTERMS.language, Literal(taxonomy.language)
    for category in taxonomy.categories:
        node = iri("category", category.slug)
        yield node, RDF.type, MKG.Category
        yield node, SKOS.inScheme, scheme
        yield node, SKOS.topConceptOf, scheme
        yield scheme, SKOS.hasTopConcept, node
        yield node, MKG.position, Literal(category.position, datatype=XSD.integer)
        yield node, RDFS.label, Literal(category.name, lang="en")
        if category.label_local and taxonomy.language:
            yield node, RDFS.label, Literal(category.label_local, lang=taxonomy.language)
        for entry in category.models:
            model = iri("model", entry.anchor)
            yield model, RDF.type, MKG.Model
            yield model, MKG.inTaxonomy, scheme
            yield model, MKG.category, node
            yield model, MKG.summaryName, Literal(entry.name)
            yield model, MKG.anchor, Literal(entry.anchor)
            yield model, MKG.position, Literal(entry.position, datatype=XSD.integer)
            if labels.get(entry.anchor) != entry.name:
                yield model, SKOS.altLabel, Literal(entry.name, lang="en")


def _alignments(vocab: Graph) -> tuple[dict[URIRef, set[URIRef]], dict[URIRef, set[URIRef]]]:
    """Super-properties and super-classes of every vocabulary term, transitively."""

    def closure(pairs: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, set[URIRef]]:
        direct: dict[URIRef, set[URIRef]] = {}
        for sub, sup in pairs:
            if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
                direct.setdefault(sub, set()).add(sup)
        result = {}
        for start in direct:
            seen, todo = set(), list(direct[start])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(direct.get(node, ()))
            result[start] = seen
        return result

    props = list(vocab.subject_objects(RDFS.subPropertyOf)) + list(vocab.subject_objects(OWL.equivalentProperty))
    return closure(props), closure(vocab.subject_objects(RDFS.subClassOf))


def materialise(triples: Iterable[tuple], vocab: Graph) -> set[tuple]:
    """The triples plus what the vocabulary's alignments entail (super-properties and super-classes).

    Materialising them lets a query use the standard term (prov:wasDerivedFrom,
    skos:Concept, schema:ScholarlyArticle) without an inference engine.
    """
    super_props, super_classes = _alignments(vocab)
    out = set()
    for s, p, o in triples:
        out.add((s, p, o))
        for sup in super_props.get(p, ()):
            out.add((s, sup, o))
        if p == RDF.type:
            for sup in super_classes.get(o, ()):
                out.add((s, RDF.type, sup))
    return out


def _timed(timings: dict[str, float], name: str, progress: Progress | None) -> Callable:
    def wrap(fn: Callable, *args, **kwargs):
        if progress:
            progress(name)
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        timings[name] = time.perf_counter() - started
        return result

    return wrap


def build(sources: Sources | None = None, *, progress: Progress | None = None) -> Build:
    """Read every source into named graphs; raises TaxonomyError, FactsError or ShapeError."""
    sources = sources or Sources()
    timings: dict[str, float] = {}
    step = _timed(timings, "taxonomy", progress)
    taxonomy = step(read_taxonomy, sources.taxonomy)
    concepts = _timed(timings, "concepts", progress)(facts.load_concepts, sources.concepts)
    models = _timed(timings, "curated facts", progress)(facts.load_models, sources.models_dir, concepts=concepts)

    vocab = Graph().parse(VOCAB_TTL, format="turtle")
    labels = {slug: data["label"] for slug, data in models.items()}

    curated = list(facts.concept_triples(concepts))
    for data in models.values():
        curated.extend(facts.model_triples(data))
    taxonomy_version = taxonomy.digest
    writes = [
        GraphWrite(
            TAXONOMY_GRAPH,
            str(sources.taxonomy),
            taxonomy_version,
            sorted(materialise(taxonomy_triples(taxonomy, labels), vocab)),
        ),
        GraphWrite(
            CURATED_GRAPH,
            str(sources.models_dir),
            facts.digest_models(sources.models_dir)[:16] + "-" + concepts.digest[:16],
            sorted(materialise(curated, vocab)),
        ),
        GraphWrite(VOCAB_GRAPH, str(VOCAB_TTL), "1", sorted(vocab)),
    ]
    model_types = 0
    if sources.transformers:
        registry = _timed(timings, "transformers registry", progress)(read_registry)
        seed_types = {slug: d["model_type"] for slug, d in models.items() if d.get("model_type")}
        registry_part = materialise(registry_triples(registry, seed_types, concepts.tasks), vocab)
        writes.append(
            GraphWrite(TRANSFORMERS_GRAPH, f"transformers {registry.version}", registry.version, sorted(registry_part))
        )
        model_types = len(registry.config_classes)
    _timed(timings, "shape checks", progress)(check_shapes, [t for w in writes for t in w.triples])
    return Build(writes, taxonomy, models, model_types, timings)


def check_shapes(triples: Iterable[tuple]) -> None:
    """Validate triples (the union of all graphs) against the SHACL shapes; raise ShapeError."""
    data = Graph()
    for triple in triples:
        data.add(triple)
    data.parse(VOCAB_TTL, format="turtle")
    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    conforms, report_graph, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return
    sh = "http://www.w3.org/ns/shacl#"
    report = []
    for result in report_graph.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        focus = report_graph.value(result, URIRef(sh + "focusNode"))
        path = report_graph.value(result, URIRef(sh + "resultPath"))
        message = report_graph.value(result, URIRef(sh + "resultMessage"))
        value = report_graph.value(result, URIRef(sh + "value"))
        where = str(focus).removeprefix("https://w3id.org/modelkg/")
        prop = f" {data.namespace_manager.normalizeUri(path)}" if path is not None else ""
        shown = f" (value {str(value).removeprefix('https://w3id.org/modelkg/')})" if value is not None else ""
        report.append(f"{where}{prop}: {message}{shown}")
    raise ShapeError(sorted(set(report)))


def provenance_triples(build_result: Build, result_time: str) -> list[tuple]:
    """Where each named graph came from, which version, and when this content first arrived."""
    triples = [(PROVENANCE_GRAPH, RDF.type, PROV.Bundle)]
    for write in build_result.writes:
        g = write.iri
        triples += [
            (g, RDF.type, PROV.Entity),
            (g, DCTERMS.source, Literal(write.source)),
            (g, MKG.sourceVersion, Literal(write.source_version)),
            (g, MKG.tripleCount, Literal(len(write.triples), datatype=XSD.integer)),
            (g, PROV.generatedAtTime, Literal(result_time, datatype=XSD.dateTime)),
        ]
    return triples


def ingest(
    store: Store,
    sources: Sources | None = None,
    *,
    progress: Progress | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> tuple[Build, WriteResult]:
    """Build every source and replace the store's graphs with it, atomically.

    Running it twice on unchanged sources leaves the store's triples and
    version unchanged: the provenance time is when the content first arrived.
    """
    result = build(sources, progress=progress)
    content_time = _first_seen(store, result) or datetime.now(UTC).isoformat(timespec="seconds")
    writes = [
        *result.writes,
        GraphWrite(PROVENANCE_GRAPH, "modelkg ingest", "1", provenance_triples(result, content_time)),
    ]
    vectors = None
    if sources is None or sources.embeddings:
        texts = entity_embeddings.entity_texts(t for w in result.writes for t in w.triples)
        vectors = _timed(result.timings, "embeddings", progress)(
            entity_embeddings.embed_entity_texts, texts, reuse=store.embedding_vectors()
        )
    if progress:
        progress("writing")
    started = time.perf_counter()
    written = store.replace_graphs(writes, on_batch=on_batch, now=content_time, embeddings=vectors)
    result.timings["writing"] = time.perf_counter() - started
    return result, written


def _first_seen(store: Store, result: Build) -> str | None:
    """The provenance time already recorded when every source graph is unchanged, else None."""
    if not store.has_graph():
        return None
    recorded = {info.iri: info for info in store.graphs()}
    for write in result.writes:
        info = recorded.get(str(write.iri))
        if info is None or info.digest != encode_triples(write.triples)[1]:
            return None
    prov = recorded.get(str(PROVENANCE_GRAPH))
    return prov.ingested_at if prov is not None else None
