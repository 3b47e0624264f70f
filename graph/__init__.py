"""The modelkg graph: vocabulary, SQL store, SPARQL, analytics and exports.

For tools that embed the graph::

    from graph import load_graph, load_networkx
    dataset = load_graph()                  # rdflib Dataset, one named graph per source
    G = load_networkx()                     # networkx MultiDiGraph of the entities

Neither needs Flask; both read the store named by the URL (the default is
the SQLite file ``var/modelkg.db`` that ``modelkg ingest`` writes).
"""

from __future__ import annotations

import networkx as nx
from rdflib import Dataset

from graph.analytics import ancestors, descendants, neighbourhood, to_networkx
from graph.store import DEFAULT_URL, Store
from graph.vocab import MKG, iri

__all__ = [
    "MKG",
    "Store",
    "ancestors",
    "descendants",
    "iri",
    "load_graph",
    "load_networkx",
    "neighbourhood",
]


def load_graph(url: str = DEFAULT_URL) -> Dataset:
    """The graph in the store at ``url`` as an rdflib Dataset."""
    return Store(url).load_dataset()


def load_networkx(url: str = DEFAULT_URL) -> nx.MultiDiGraph:
    """The entity graph in the store at ``url`` as a networkx MultiDiGraph."""
    return to_networkx(load_graph(url))
