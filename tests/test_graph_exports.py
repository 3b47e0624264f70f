"""Exports parse back to the same triples."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from rdflib import Dataset, Graph

from graph.formats import EXPORT_FORMATS, export, union_graph
from graph.store import Store
from ingest.build import Sources, ingest


@pytest.fixture
def dataset(store: Store, mini_sources: Sources) -> Dataset:
    ingest(store, mini_sources)
    return store.load_dataset()


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdfxml"])
def test_triple_formats_round_trip(dataset: Dataset, fmt: str) -> None:
    expected = union_graph(dataset)
    parsed = Graph().parse(data=export(dataset, fmt), format=EXPORT_FORMATS[fmt].rdflib_format)
    assert len(parsed) == len(expected) > 100
    assert set(parsed) == set(expected)


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_quad_formats_keep_the_named_graphs(dataset: Dataset, fmt: str) -> None:
    parsed = Dataset()
    parsed.parse(data=export(dataset, fmt), format=EXPORT_FORMATS[fmt].rdflib_format)
    names = {g.identifier for g in parsed.graphs() if len(g)}
    assert {g.identifier for g in dataset.graphs() if len(g)} == names
    assert sum(1 for _ in parsed.quads((None, None, None, None))) == sum(
        1 for _ in dataset.quads((None, None, None, None))
    )


def test_graphml_is_the_entity_graph(dataset: Dataset) -> None:
    G = nx.read_graphml(io.BytesIO(export(dataset, "graphml")))
    bert = "https://w3id.org/modelkg/model/bert"
    assert G.nodes[bert]["kind"] == "model"
    assert any(data.get("relation") == "distilledFrom" for _, _, data in G.edges(data=True))


def test_unknown_format_is_refused(dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown format 'docx'"):
        export(dataset, "docx")
