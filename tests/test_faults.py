"""Faults while serving, against real processes: killed workers, a broken or locked store, a database
down at start-up, a dropped PostgreSQL connection, hostile traffic, and a new ingest mid-flight."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from .conftest import MINI, postgres_admin_url
from .server import MODELKG, Server, free_port, serve

RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(CONCAT(STR(?c), STR(?f), STR(?i)) != '') }"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
MINI_ARGS = [
    "--taxonomy",
    str(MINI / "taxonomy.md"),
    "--facts",
    str(MINI / "models"),
    "--concepts",
    str(MINI / "concepts.yaml"),
]


def _count(server: Server) -> tuple[int, str]:
    response = server.get("/sparql", params={"query": f"{COUNT} #{uuid.uuid4().hex}"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"]), response.headers["Modelkg-Graph-Version"]


def _wait_for(predicate, timeout_s: float = 20.0, interval_s: float = 0.1) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(interval_s)


def _ingest(url: str, *args: str) -> None:
    env = dict(os.environ, MODELKG_DATABASE_URL=url)
    subprocess.run([str(MODELKG), "ingest", "-q", "--no-transformers", *args], check=True, env=env, timeout=300)


@pytest.fixture
def sqlite_copy(seed_db_url: str, tmp_path: Path) -> str:
    """A private copy of the seed store, so a test may break it."""
    source = Path(sa.engine.make_url(seed_db_url).database)
    target = tmp_path / "kg.db"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def test_a_worker_killed_mid_request_fails_that_request_only(sqlite_copy: str, tmp_path: Path) -> None:
    with serve(sqlite_copy, tmp_path, workers=1) as server:
        victim = server.get("/health").json()["pid"]
        outcome: dict[str, object] = {}

        def slow() -> None:
            try:
                outcome["status"] = server.get("/sparql", params={"query": RUNAWAY}).status_code
            except requests.RequestException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(1.0)
        os.kill(victim, signal.SIGKILL)
        thread.join(30)
        assert "error" in outcome or outcome["status"] >= 500
        after = server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200 and after.json()["boolean"] is True
        assert server.get("/health").json()["pid"] != victim
        # The killed worker's query process went with it: nothing runs the runaway query any more.
        _wait_for(lambda: not _processes_of(victim), timeout_s=5)


def _processes_of(parent: int) -> list[int]:
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = next((line.split()[1] for line in text.splitlines() if line.startswith("PPid:")), None)
        if ppid == str(parent):
            children.append(int(status.parent.name))
    return children


def test_a_query_worker_killed_mid_query_is_a_503_and_the_next_query_runs(sqlite_copy: str, tmp_path: Path) -> None:
    with serve(sqlite_copy, tmp_path, workers=1, settings={"sparql_max_concurrent": "1"}) as server:
        assert server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        web_worker = server.get("/health").json()["pid"]
        outcome: dict[str, requests.Response] = {}
        thread = threading.Thread(target=lambda: outcome.update(r=server.get("/sparql", params={"query": RUNAWAY})))
        thread.start()
        time.sleep(1.0)
        query_workers = _processes_of(web_worker)
        assert len(query_workers) == 1
        os.kill(query_workers[0], signal.SIGKILL)
        thread.join(30)
        assert outcome["r"].status_code == 503
        assert outcome["r"].json()["error"]["code"] == "worker_failed"
        assert server.get("/sparql", params={"query": "ASK { ?s ?p ?o } #next"}).json()["boolean"] is True
        assert server.get("/health").json()["pid"] == web_worker


def test_a_store_gone_while_serving_keeps_reads_working_and_health_says_so(sqlite_copy: str, tmp_path: Path) -> None:
    path = Path(sa.engine.make_url(sqlite_copy).database)
    with serve(sqlite_copy, tmp_path, settings={"graph_check_interval_s": "0.2"}) as server:
        before = _count(server)
        saved = tmp_path / "saved.db"
        path.rename(saved)
        _wait_for(lambda: server.get("/health").json()["store"] != "ok")
        health = server.get("/health").json()
        assert health["status"] == "ok" and health["graph_version"] == before[1]
        assert "modelkg ingest" in health["store_error"]
        assert _count(server) == before
        saved.rename(path)
        _wait_for(lambda: server.get("/health").json()["store"] == "ok")
        assert _count(server) == before


def test_the_database_down_at_start_up_is_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/modelkg"
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    for url, expected in ((down, "cannot use the store"), (missing, "modelkg ingest")):
        started = time.monotonic()
        result = subprocess.run(
            [str(MODELKG), "--database-url", url, "serve", "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("modelkg: error:"), result.stderr
        assert expected in lines[0].lower()
        assert time.monotonic() - started < 20


@pytest.fixture
def postgres_store(tmp_path: Path) -> Iterator[tuple[str, sa.Engine, str]]:
    """A fresh PostgreSQL database with the small graph, and an admin engine to break it with."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip("MODELKG_DATABASE_URL names no PostgreSQL server (CI sets one)")
    name = f"modelkg_fault_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    _ingest(url, *MINI_ARGS)
    try:
        yield url, admin, name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def _drop_connections(admin: sa.Engine, name: str) -> int:
    with admin.connect() as conn:
        return len(
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ).all()
        )


def test_postgres_connections_dropped_refused_and_restored(postgres_store, tmp_path: Path) -> None:
    url, admin, name = postgres_store
    with serve(url, tmp_path, settings={"graph_check_interval_s": "0.2"}) as server:
        before = _count(server)
        _wait_for(lambda: _drop_connections(admin, name) > 0)
        time.sleep(0.5)
        assert server.get("/health").json()["store"] == "ok"  # a dropped connection is replaced
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        _drop_connections(admin, name)
        _wait_for(lambda: server.get("/health").json()["store"] != "ok")
        assert _count(server) == before
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        _wait_for(lambda: server.get("/health").json()["store"] == "ok")
        assert _count(server) == before


def test_a_locked_postgres_store_is_reported_and_reads_go_on(postgres_store, tmp_path: Path) -> None:
    url, _, _ = postgres_store
    with serve(url, tmp_path, settings={"graph_check_interval_s": "0.2"}) as server:
        before = _count(server)
        locker = sa.create_engine(url)
        with locker.connect() as conn:
            transaction = conn.begin()
            conn.exec_driver_sql("LOCK TABLE meta IN ACCESS EXCLUSIVE MODE")
            _wait_for(lambda: server.get("/health").json()["store"] == "unresponsive")
            started = time.monotonic()
            assert _count(server) == before
            assert time.monotonic() - started < 1.0
            transaction.rollback()
        locker.dispose()
        _wait_for(lambda: server.get("/health").json()["store"] == "ok")


def test_a_new_ingest_shows_without_restart_and_no_reader_sees_half(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kg.db'}"
    _ingest(url, *MINI_ARGS)
    with serve(url, tmp_path, settings={"graph_check_interval_s": "0.2"}) as server:
        first = _count(server)
        cached = server.get("/sparql", params={"query": "SELECT (COUNT(?m) AS ?n) WHERE { ?m a mkg:Model }"}).json()
        seen: list[tuple[int, str]] = []
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                seen.append(_count(server))

        reader = threading.Thread(target=read)
        reader.start()
        try:
            _ingest(url)  # the shipped taxonomy and facts: many more models
            _wait_for(lambda: server.get("/health").json()["graph_version"] != first[1])
            time.sleep(0.5)
        finally:
            stop.set()
            reader.join()
        second = _count(server)
        assert second[1] != first[1] and second[0] > first[0]
        assert set(seen) <= {first, second}, "a reader saw a count that belongs to neither graph"
        assert second in seen
        models = server.get("/sparql", params={"query": "SELECT (COUNT(?m) AS ?n) WHERE { ?m a mkg:Model }"}).json()
        assert models != cached  # the cached answer was dropped with the old version


def test_hostile_queries_do_not_slow_normal_traffic(sqlite_copy: str, tmp_path: Path) -> None:
    settings = {"sparql_timeout_s": "3", "sparql_max_concurrent": "2"}
    normal = [
        "SELECT ?m WHERE { ?m a mkg:Model } LIMIT 10",
        "SELECT ?m ?l WHERE { ?m mkg:suitedFor task:summarization ; rdfs:label ?l }",
        "ASK { model:bert mkg:objective objective:masked-language-modeling }",
    ]
    questions = ["which models suit summarization", "哪些模型适合翻译", "what does DistilBERT derive from"]
    hostile = [
        {"query": RUNAWAY},
        {"query": RUNAWAY.replace("!= ''", "!= 'x'")},
        {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
        {"query": "SELECT * WHERE " + "{ " * 200 + "}" * 200},
        {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000},
        {"update": "DROP ALL"},
    ]
    with serve(sqlite_copy, tmp_path, workers=2, settings=settings) as server:

        def normal_latencies(count: int) -> list[float]:
            out = []
            for i in range(count):
                started = time.perf_counter()
                if i % 4 == 3:  # questions too: /ask shares the web workers with /sparql
                    response = server.get("/ask", params={"q": questions[i % len(questions)]})
                else:
                    response = server.get("/sparql", params={"query": normal[i % len(normal)]})
                out.append(time.perf_counter() - started)
                assert response.status_code == 200
            return out

        normal_latencies(30)  # warm both workers
        baseline = statistics.median(normal_latencies(60))
        statuses: list[int] = []
        stop = threading.Event()

        def attack() -> None:
            i = 0
            while not stop.is_set():
                statuses.append(server.get("/sparql", params=hostile[i % len(hostile)]).status_code)
                i += 1
                time.sleep(0.02)  # a burst from a few clients, not a flood (the rate limit answers floods)

        attackers = [threading.Thread(target=attack) for _ in range(4)]
        for thread in attackers:
            thread.start()
        time.sleep(0.5)
        under_attack = statistics.median(normal_latencies(60))
        stop.set()
        for thread in attackers:
            thread.join(30)
        assert statuses and set(statuses) <= {400, 403, 429, 503}
        assert under_attack <= 2 * max(baseline, 0.002), (baseline, under_attack)


def _demo_processes(worker: int) -> list[int]:
    found = []
    for pid in _processes_of(worker):
        try:
            if b"service.demo.process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def test_the_demo_process_killed_mid_demo_leaves_sparql_and_ask_answering(sqlite_copy: str, tmp_path: Path) -> None:
    demo = {"model": "gpt-2", "text": "Once upon a time", "params": {"max_new_tokens": 4}}
    question = {"q": "which models suit summarization"}
    with serve(sqlite_copy, tmp_path, workers=1) as server:
        worker = server.get("/health").json()["pid"]
        outcome: list[requests.Response] = []
        thread = threading.Thread(
            target=lambda: outcome.append(requests.post(server.url + "/demo", json=demo, timeout=120))
        )
        thread.start()
        _wait_for(lambda: _demo_processes(worker), timeout_s=30, interval_s=0.02)
        # While the demo process starts torch, the one web worker answers SPARQL and /ask.
        assert server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
        assert server.get("/ask", params=question).status_code == 200
        (victim,) = _demo_processes(worker)
        os.kill(victim, signal.SIGKILL)
        thread.join(120)
        assert outcome[0].status_code == 503 and outcome[0].json()["error"]["code"] == "demo_failed"
        assert "Retry-After" in outcome[0].headers
        assert server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
        assert server.get("/ask", params=question).status_code == 200
        assert server.get("/health").json()["pid"] == worker  # the web worker itself lived on
        again = requests.post(server.url + "/demo", json=demo, timeout=120)
        assert again.status_code == 200, again.text
        assert _demo_processes(worker) not in ([], [victim])
