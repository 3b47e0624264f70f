"""``MODELKG_SPARQL_BACKEND``: the service in front of a real Oxigraph server, started by the test."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph.store import Store

from .server import Server, free_port, serve

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
QUERIES = [
    "SELECT ?m ?label WHERE { ?m mkg:suitedFor task:summarization ; rdfs:label ?label FILTER(LANG(?label) = 'en') } ORDER BY ?m",
    "SELECT ?o (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m mkg:objective ?o } GROUP BY ?o ORDER BY ?o",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
]


@pytest.fixture(scope="module")
def oxigraph(seed_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("oxigraph")
    _, nquads = Store(seed_db_url).snapshot()
    data = tmp / "graph.nq"
    data.write_text(nquads)
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(tmp / "db"), "--file", str(data)], check=True, capture_output=True
    )
    port = free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve-read-only", "--location", str(tmp / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=1)
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def local(seed_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(seed_db_url, tmp_path_factory.mktemp("local")) as running:
        yield running


@pytest.fixture(scope="module")
def fronted(seed_db_url: str, oxigraph: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = {"sparql_backend": oxigraph, "sparql_max_rows": "100"}
    with serve(seed_db_url, tmp_path_factory.mktemp("fronted"), settings=settings) as running:
        yield running


@pytest.mark.parametrize("query", QUERIES)
def test_the_remote_backend_answers_like_the_in_process_engine(local: Server, fronted: Server, query: str) -> None:
    mine = local.get("/sparql", params={"query": query}).json()
    theirs = fronted.get("/sparql", params={"query": query})
    assert theirs.status_code == 200, theirs.text
    assert theirs.json() == mine
    assert len(mine["results"]["bindings"]) > 2


def test_formats_caps_and_checks_apply_in_front_of_the_backend(fronted: Server) -> None:
    csv = fronted.get("/sparql", params={"query": QUERIES[0], "format": "csv"})
    assert csv.headers["Content-Type"].startswith("text/csv") and "model/bart" in csv.text
    turtle = fronted.get("/sparql", params={"query": "DESCRIBE model:bert"}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and "mkg:objective" in turtle.text
    ask = fronted.get("/sparql", params={"query": "ASK { model:bert mkg:derivedFrom ?x }"})
    assert ask.json()["boolean"] is False
    capped = fronted.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(capped.json()["results"]["bindings"]) == 100 and capped.json()["truncated"] is True
    service = fronted.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 400 and service.json()["error"]["code"] == "service_refused"
    assert fronted.post("/sparql", data={"update": "DROP ALL"}).status_code == 403


def test_a_backend_that_is_down_is_a_502(seed_db_url: str, tmp_path: Path) -> None:
    settings = {"sparql_backend": f"http://127.0.0.1:{free_port()}/query"}
    with serve(seed_db_url, tmp_path, settings=settings) as orphan:
        response = orphan.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "backend_error"
