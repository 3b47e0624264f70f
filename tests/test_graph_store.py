"""The SQL store on every backend: atomic, idempotent, safe under a crash and a second writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rdflib import Literal, URIRef

from graph.store import GraphWrite, Store, StoreEmpty, StoreUnavailable
from graph.vocab import CURATED_GRAPH, MKG, iri
from ingest.build import Sources, ingest

from .conftest import ROOT


def test_an_empty_store_says_to_run_ingest(store: Store) -> None:
    assert not store.has_graph()
    with pytest.raises(StoreEmpty, match=r"run `modelkg ingest` first"):
        store.version()


def test_ingest_writes_every_source_graph_with_provenance(store: Store, mini_sources: Sources) -> None:
    _, written = ingest(store, mini_sources)
    graphs = {info.iri: info for info in store.graphs()}
    assert set(graphs) == {
        "https://w3id.org/modelkg/graph/taxonomy",
        "https://w3id.org/modelkg/graph/curated",
        "https://w3id.org/modelkg/graph/vocabulary",
        "https://w3id.org/modelkg/graph/provenance",
    }
    assert written.triples == sum(info.triple_count for info in graphs.values())
    dataset = store.load_dataset()
    prov = dataset.graph(URIRef("https://w3id.org/modelkg/graph/provenance"))
    curated = URIRef("https://w3id.org/modelkg/graph/curated")
    assert prov.value(curated, URIRef("http://www.w3.org/ns/prov#generatedAtTime")) is not None
    assert prov.value(curated, MKG.sourceVersion) is not None


def test_reingest_leaves_the_triples_and_version_unchanged(store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    first_rows, first_version = sorted(store.rows()), store.version()
    ingest(store, mini_sources)
    assert sorted(store.rows()) == first_rows
    assert store.version() == first_version


def test_a_changed_source_changes_the_version(store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    version = store.version()
    extra = [(iri("model", "bert"), MKG.attentionNote, Literal("full attention", lang="en"))]
    store.replace_graphs([GraphWrite(CURATED_GRAPH, "test", "2", extra)])
    assert store.version() != version
    assert len(list(store.load_dataset().graph(CURATED_GRAPH))) == 1


def test_blank_nodes_are_refused_before_anything_is_written(store: Store, mini_sources: Sources) -> None:
    from rdflib import BNode

    ingest(store, mini_sources)
    before = sorted(store.rows())
    with pytest.raises(ValueError, match="blank nodes"):
        store.replace_graphs([GraphWrite(CURATED_GRAPH, "t", "1", [(BNode(), MKG.x, Literal(1))])])
    assert sorted(store.rows()) == before


def test_oxigraph_and_rdflib_views_hold_the_same_quads(store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    dataset = store.load_dataset()
    oxi = store.load_oxigraph()
    assert len(oxi) == sum(1 for _ in dataset.quads((None, None, None, None)))


_SLOW_INGEST = textwrap.dedent(
    """
    import sys, time
    import graph.store as store_module
    from ingest.build import Sources, ingest

    real_insert = store_module.sa.insert
    state = {"batches": 0}

    def slow_insert(table):
        # After the first batch of quads is inside the transaction, say so and stall.
        if table is store_module.schema.quads:
            state["batches"] += 1
            if state["batches"] == 2:
                print("MID-WRITE", flush=True)
                time.sleep(60)
        return real_insert(table)

    store_module.sa.insert = slow_insert
    store_module.BATCH = 50
    ingest(store_module.Store(sys.argv[1]), Sources(transformers=False))
    """
)


@contextmanager
def stalled_ingest(url: str) -> Iterator[subprocess.Popen]:
    """A real ingest process of the shipped data, stopped inside its write transaction; killed on exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", _SLOW_INGEST, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    ) as proc:
        try:
            line = proc.stdout.readline()
            if line.strip() != "MID-WRITE":
                proc.kill()
                raise AssertionError(f"the ingest did not reach its write: {line!r} {proc.stderr.read()[-2000:]}")
            yield proc
        finally:
            proc.kill()
            proc.wait(timeout=30)


def test_a_process_killed_mid_ingest_leaves_the_previous_graph(store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    before, version = sorted(store.rows()), store.version()
    with stalled_ingest(store.url) as proc:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    store.dispose()
    after = Store(store.url)
    assert sorted(after.rows()) == before
    assert after.version() == version
    # And the store is writable again: the dead writer's lock is gone.
    ingest(after, mini_sources)
    after.dispose()


def test_readers_see_the_old_graph_while_an_ingest_is_writing(store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    before = sorted(store.rows())
    with stalled_ingest(store.url):
        reader = Store(store.url)
        assert sorted(reader.rows()) == before
        reader.dispose()


def test_a_second_ingest_waits_or_fails_clearly_and_nothing_is_corrupted(store_url: str, mini_sources: Sources) -> None:
    first = Store(store_url, lock_wait_s=1)
    ingest(first, mini_sources)
    expected = sorted(first.rows())
    with stalled_ingest(store_url):
        # The stalled writer holds the lock: a second writer with a short wait gives up with a message.
        second = Store(store_url, lock_wait_s=1)
        with pytest.raises(Exception, match="another ingest is writing") as info:
            ingest(second, mini_sources)
        assert type(info.value).__name__ == "StoreBusy"
        second.dispose()
    # Two writers at once, each waiting for the other: both finish, and the result is one clean ingest.
    errors: list[BaseException] = []

    def run() -> None:
        s = Store(store_url, lock_wait_s=30)
        try:
            ingest(s, mini_sources)
        except BaseException as exc:
            errors.append(exc)
        finally:
            s.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(first.rows()) == expected
    first.dispose()


def test_an_unreachable_database_gives_one_clear_message() -> None:
    store = Store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(
        StoreUnavailable, match=r"cannot use the store at postgresql\+psycopg://nobody@127\.0\.0\.1:1/none"
    ):
        store.has_graph()
