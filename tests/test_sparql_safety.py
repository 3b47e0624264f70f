"""The endpoint is safe on the public internet: each protection tested against a served process.

Every test here fails if its protection is removed: the update refusal, the
algebra check for SERVICE and FROM, the killable deadline, the caps, the
size and depth limits, the concurrency cap and the rate limiter.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

from service.sparql.guard import QueryRefused, check

from .server import Server, serve

# A cross product of the whole graph with itself three times, filtered on all three: about 10^12 rows.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
    "FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), '(.*a){8}')) }"
)
LIMITS = {
    "sparql_timeout_s": "2",
    "sparql_max_rows": "50",
    "sparql_max_bytes": "200000",
    "sparql_max_query_chars": "3000",
    "sparql_max_depth": "20",
    "sparql_max_concurrent": "1",
}


class Listener:
    """A loopback TCP listener that counts every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def server(seed_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(seed_db_url, tmp_path_factory.mktemp("safety"), settings=LIMITS) as running:
        yield running


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def _state(server: Server) -> tuple[str, int]:
    count = server.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } #" + uuid.uuid4().hex}
    )
    return server.get("/health").json()["graph_version"], int(count.json()["results"]["bindings"][0]["n"]["value"])


def test_every_form_of_update_is_403_and_changes_nothing(server: Server) -> None:
    before = _state(server)
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    responses = [
        server.get("/sparql", params={"update": insert}),
        server.post("/sparql", data={"update": insert}),
        server.post("/sparql", data=insert.encode(), headers={"Content-Type": "application/sparql-update"}),
        server.post("/sparql", data={"query": insert}),
        server.get("/sparql", params={"query": "LOAD <http://127.0.0.1:9/data.ttl>"}),
        server.get("/sparql", params={"query": "DROP ALL"}),
        server.post("/sparql", data=b"CLEAR DEFAULT", headers={"Content-Type": "application/sparql-query"}),
        server.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"}),
        server.get("/sparql", params={"query": "PREFIX x: <urn:x:> INSERT { ?s x:p 1 } WHERE { ?s ?p ?o }"}),
    ]
    assert [r.status_code for r in responses] == [403] * len(responses)
    assert {r.json()["error"]["code"] for r in responses} == {"read_only"}
    assert _state(server) == before


def _service_queries(port: int, canary: Path) -> list[str]:
    url = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE ex:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?svc {{ <{url}> }} SERVICE ?svc {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?svc) SERVICE SILENT ?svc {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?m a mkg:Model FILTER EXISTS {{ SERVICE <{url}> {{ ?m ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?m a mkg:Model OPTIONAL {{ SERVICE SILENT <{url}> {{ ?m ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?m a mkg:Model MINUS {{ SERVICE <{url}> {{ ?m ?p ?o }} }} }}",
        f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # a comment\n SeRvIcE\n<{url}>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ SERVICE <file://{canary}> {{ ?s ?p ?o }} }}",
        # Keywords straight after punctuation, with no space to mark them out.
        f"SELECT * WHERE {{ {{ ?s ?p ?o }}SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o .SERVICE<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?m mkg:derivedFrom ?x .SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_service_in_any_spelling_or_position_is_refused_before_evaluation(
    server: Server, listener: Listener, tmp_path: Path
) -> None:
    canary = tmp_path / "canary.ttl"
    secret = f"canary-{uuid.uuid4().hex}"
    canary.write_text(f'<urn:x:s> <urn:x:p> "{secret}" .\n')
    for query in _service_queries(listener.port, canary):
        for response in (server.get("/sparql", params={"query": query}), server.post("/sparql", data={"query": query})):
            assert response.status_code == 400, query
            assert response.json()["error"]["code"] == "service_refused", query
            assert secret not in response.text
    time.sleep(0.3)
    assert listener.connections == 0


def test_from_naming_anything_outside_the_store_is_refused(server: Server, listener: Listener, tmp_path: Path) -> None:
    canary = tmp_path / "canary.ttl"
    secret = f"canary-{uuid.uuid4().hex}"
    canary.write_text(f'<urn:x:s> <urn:x:p> "{secret}" .\n')
    outside = [f"http://127.0.0.1:{listener.port}/data.ttl", f"file://{canary}", "https://w3id.org/modelkg/graph/nope"]
    for target in outside:
        for query in (
            f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"SELECT *FROM<{target}>WHERE {{ ?s mkg:derivedFrom ?o }}",
            "CONSTRUCT WHERE { ?s ?p ?o }",
        ):
            params = {"query": query}
            if "FROM" not in query:
                params["default-graph-uri"] = target
            response = server.get("/sparql", params=params)
            assert response.status_code == 400, query
            assert response.json()["error"]["code"] == "unknown_graph"
            assert secret not in response.text
    inside = server.get(
        "/sparql", params={"query": "ASK FROM <https://w3id.org/modelkg/graph/curated> WHERE { ?s ?p ?o }"}
    )
    assert inside.status_code == 200 and inside.json()["boolean"] is True
    time.sleep(0.3)
    assert listener.connections == 0


def test_a_runaway_query_is_stopped_at_the_deadline_and_health_keeps_answering(server: Server) -> None:
    result: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        response = server.get("/sparql", params={"query": RUNAWAY})
        result.update(status=response.status_code, body=response.json(), headers=response.headers)
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    for _ in range(3):
        started = time.monotonic()
        assert server.get("/health").status_code == 200
        assert time.monotonic() - started < 1.0
        time.sleep(0.3)
    thread.join(30)
    assert result["status"] == 503
    assert result["body"]["error"]["code"] == "timeout"
    assert int(result["headers"]["Retry-After"]) > 0
    assert 1.8 < result["seconds"] < 8
    after = server.get("/sparql", params={"query": "ASK { ?s ?p ?o } #after"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_concurrent_queries_past_the_limit_get_503(server: Server) -> None:
    thread = threading.Thread(target=lambda: server.get("/sparql", params={"query": RUNAWAY + " #busy"}))
    thread.start()
    time.sleep(0.5)
    busy = server.get("/sparql", params={"query": "ASK { ?s ?p ?o } #" + uuid.uuid4().hex})
    thread.join(30)
    assert busy.status_code == 503
    assert busy.json()["error"]["code"] == "busy" and "Retry-After" in busy.headers


def test_the_first_queries_of_a_new_server_wait_for_its_query_worker_to_load(seed_db_url: str, tmp_path: Path) -> None:
    """A new web worker starts and loads its query worker in the background; a query arriving
    meanwhile waits for it rather than being told the service is busy."""
    with serve(seed_db_url, tmp_path, settings={"sparql_max_concurrent": "1"}) as fresh:
        queries = [f"ASK {{ ?s ?p ?o }} #{uuid.uuid4().hex}" for _ in range(3)]
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda q: fresh.get("/sparql", params={"query": q}), queries))
        assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]


def test_rows_are_capped_and_reported_as_truncated(server: Server) -> None:
    select = server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert select.status_code == 200
    assert len(select.json()["results"]["bindings"]) == 50
    assert select.json()["truncated"] is True
    assert select.headers["Modelkg-Truncated"].startswith("true")
    construct = server.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert len(construct.text.strip().splitlines()) == 50
    assert construct.headers["Modelkg-Truncated"].startswith("true")
    small = server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert "Modelkg-Truncated" not in small.headers and "truncated" not in small.json()


def test_response_bytes_are_capped(seed_db_url: str, tmp_path: Path) -> None:
    with serve(seed_db_url, tmp_path, settings={"sparql_max_bytes": "4000"}) as small:
        response = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
        assert response.status_code == 200
        assert len(response.content) <= 4000
        assert response.headers["Modelkg-Truncated"].startswith("true")
        assert response.text.endswith("\r\n")
        cut = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "json"})
        assert cut.status_code == 200 and len(cut.content) <= 4000
        body = cut.json()  # still a whole JSON document, cut between bindings
        assert body["truncated"] is True and 0 < len(body["results"]["bindings"]) < 50


def test_oversized_and_overdeep_queries_get_400(server: Server) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 4000
    deep = "SELECT * WHERE " + "{ " * 30 + "?s ?p ?o" + " }" * 30
    deep_expression = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }"
    codes = []
    for query in (big, deep, deep_expression):
        response = server.post("/sparql", data={"query": query})
        assert response.status_code == 400
        codes.append(response.json()["error"]["code"])
    assert codes == ["query_too_large", "query_too_deep", "query_too_deep"]


def test_recursion_inside_the_parser_is_a_400_not_a_crash() -> None:
    """With the depth pre-check out of the way, rdflib's own recursion must still end as a refusal."""
    graph = "https://w3id.org/modelkg/graph/curated"  # a FROM clause makes the query go through the parser
    query = f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"
    with pytest.raises(QueryRefused) as refused:
        check(query, known_graphs=frozenset([graph]), max_chars=100_000, max_depth=100_000)
    assert refused.value.status == 400


def _hammer(server: Server, count: int) -> list[requests.Response]:
    return [server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}) for _ in range(count)]


def test_rate_limit_in_memory_answers_429_with_retry_after(seed_db_url: str, tmp_path: Path) -> None:
    with serve(seed_db_url, tmp_path, settings={"rate_limit": "5 per second"}) as limited:
        responses = _hammer(limited, 15)
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) >= 5 and 429 in statuses
        refused = next(r for r in responses if r.status_code == 429)
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        assert limited.get("/health").status_code == 200  # liveness is never limited


def test_rate_limit_counts_in_redis_across_workers(seed_db_url: str, tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/15"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the project's machines have one)")
    client.flushdb()
    with serve(
        seed_db_url, tmp_path, workers=2, settings={"rate_limit": "6 per 10 seconds", "redis_url": url}
    ) as limited:
        statuses = [r.status_code for r in _hammer(limited, 14)]
        assert statuses.count(200) == 6
        assert statuses.count(429) == 8
        assert any(b"LIMITER" in key for key in client.keys("*"))
    client.flushdb()
