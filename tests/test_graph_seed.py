"""The full shipped graph: every seed model whole, the transformers registry, alignments and lineage."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from graph.analytics import ancestors, descendants, lineage_edges, neighbourhood, to_networkx
from graph.queries import select
from graph.stats import graph_stats
from graph.store import Store
from graph.vocab import MKG, SHAPES_TTL, VOCAB_TTL, iri

REMOVED = {"Transformer-XL", "XLM-ProphetNet", "MMBT"}


@pytest.fixture(scope="module")
def oxi(seed_store: Store):
    return seed_store.load_oxigraph()


@pytest.fixture(scope="module")
def stats(seed_store: Store, oxi) -> dict:
    return graph_stats(oxi, version=seed_store.version())


def test_every_seed_model_is_complete(stats: dict) -> None:
    seed = stats["seed_models"]
    assert seed["count"] == 28
    incomplete = [m["name"] for m in seed["models"] if m not in [x for x in seed["models"] if _complete(x)]]
    assert incomplete == []
    assert seed["complete"] == 28
    for model in seed["models"]:
        assert model["curated_tasks"] >= 1, model["name"]
        assert model["checkpoints"] >= 1, model["name"]


def _complete(m: dict) -> bool:
    return all(m.get(k) for k in ("category", "objectives", "tasks", "paper_year", "label_en", "label_zh"))


def test_mmbt_dpr_and_rag_have_tasks_and_objectives(stats: dict) -> None:
    by_name = {m["name"]: m for m in stats["seed_models"]["models"]}
    for name in ("MMBT", "DPR", "RAG"):
        assert by_name[name]["tasks"] >= 1 and by_name[name]["objectives"] >= 1


def test_models_removed_from_transformers_say_so(stats: dict, oxi) -> None:
    assert set(stats["seed_models"]["removed_from_transformers"]) == REMOVED
    rows = select(oxi, "SELECT ?m ?note WHERE { ?m mkg:transformersStatus 'removed' ; mkg:statusNote ?note }")
    assert len(rows) == 3
    implemented = select(oxi, "SELECT ?m WHERE { ?m mkg:inTaxonomy ?t ; mkg:implementation ?type }")
    assert len(implemented) == 25


def test_the_transformers_registry_holds_its_model_types_and_heads(stats: dict, oxi) -> None:
    assert stats["transformers"]["types"] >= 700
    assert stats["transformers"]["with_heads"] >= 600
    heads = {
        row["h"].value.rsplit("/", 1)[-1]
        for row in select(
            oxi,
            "SELECT ?h WHERE { ?t mkg:modelType 'bert' ; mkg:head ?h }",
        )
    }
    assert {"masked-lm", "sequence-classification", "token-classification", "question-answering"} <= heads


def test_curated_evidence_and_head_evidence_are_both_recorded(oxi) -> None:
    query = """SELECT ?evidence WHERE { model:bart mkg:suitability ?s . ?s mkg:task task:summarization ;
               mkg:evidence ?evidence }"""
    evidence = {row["evidence"].value for row in select(oxi, query)}
    assert evidence == {str(MKG.CuratedEvidence), str(MKG.TransformersHeadEvidence)}


def test_the_summary_spelling_is_an_alias_and_the_anchor_identifies_the_model(oxi) -> None:
    rows = select(oxi, "SELECT DISTINCT ?m WHERE { ?m skos:altLabel 'RoBERT'@en }")
    assert [row["m"].value for row in rows] == [str(iri("model", "roberta"))]
    rows = select(oxi, "SELECT ?label WHERE { model:roberta rdfs:label ?label FILTER(LANG(?label) = 'en') }")
    assert [row["label"].value for row in rows] == ["RoBERTa"]
    for name in ("Original GPT", "Funnel Transformer", "MarianMT"):
        found = select(
            oxi, "SELECT ?m ?n WHERE { { ?m rdfs:label ?n } UNION { ?m skos:altLabel ?n } }", n=Literal(name, lang="en")
        )
        assert found, name


def test_standard_vocabularies_query_the_same_facts(oxi) -> None:
    ours = select(oxi, "SELECT ?m ?s WHERE { ?m mkg:derivedFrom ?s }")
    prov = select(oxi, "SELECT ?m ?s WHERE { ?m prov:wasDerivedFrom ?s }")
    assert len(ours) == len(prov) > 10
    concepts = select(
        oxi, "SELECT ?t WHERE { ?t a skos:Concept ; skos:inScheme <https://w3id.org/modelkg/scheme/tasks> }"
    )
    tasks = select(oxi, "SELECT ?t WHERE { ?t a mkg:Task }")
    assert len(concepts) == len(tasks) > 5
    articles = select(oxi, "SELECT ?p WHERE { ?p a schema:ScholarlyArticle }")
    assert len(articles) >= 25


def test_the_required_lineage_is_typed(seed_store: Store) -> None:
    edges = {
        (u.rsplit("/", 1)[-1], rel, v.rsplit("/", 1)[-1])
        for u, rel, v in lineage_edges(to_networkx(seed_store.load_dataset()))
    }
    assert {
        ("roberta", "optimisedVariantOf", "bert"),
        ("distilbert", "distilledFrom", "bert"),
        ("xlm-roberta", "multilingualVariantOf", "roberta"),
        ("mt5", "multilingualVariantOf", "t5"),
        ("mbart", "multilingualVariantOf", "bart"),
        ("xlm-prophetnet", "multilingualVariantOf", "prophetnet"),
        ("rag", "composedOf", "dpr"),
        ("rag", "composedOf", "bart"),
    } <= edges


def test_networkx_lineage_and_neighbourhood(seed_store: Store) -> None:
    G = to_networkx(seed_store.load_dataset())
    bert = str(iri("model", "bert"))
    assert G.nodes[bert] == {"kind": "model", "label": "BERT"}
    assert {str(iri("model", m)) for m in ("roberta", "distilbert", "xlm-roberta")} <= descendants(G, "bert")
    assert str(iri("model", "roberta")) in ancestors(G, "xlm-roberta")
    near = neighbourhood(G, "bert")
    kinds = {data["kind"] for _, data in near.nodes(data=True)}
    assert {"model", "task", "objective", "category", "paper", "checkpoint"} <= kinds


def test_the_stored_graph_conforms_to_the_shapes_and_vocab_terms_are_commented(seed_store: Store) -> None:
    from pyshacl import validate

    union = Graph()
    for s, p, o, _ in seed_store.load_dataset().quads((None, None, None, None)):
        union.add((s, p, o))
    conforms, _, text = validate(union, shacl_graph=Graph().parse(SHAPES_TTL), inference="none")
    assert conforms, text
    vocab = Graph().parse(VOCAB_TTL)
    terms = {s for s in vocab.subjects() if isinstance(s, URIRef) and str(s).startswith(str(MKG))}
    uncommented = [t for t in terms if (t, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), None) not in vocab]
    assert uncommented == []
    used = {p for _, p, _ in union if str(p).startswith(str(MKG))} | {
        o for _, _, o in union.triples((None, RDF.type, None)) if str(o).startswith(str(MKG))
    }
    assert used - terms == set(), "terms used in data but not declared in vocab.ttl"
