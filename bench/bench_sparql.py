"""SPARQL endpoint: this service against Oxigraph server and rdflib-endpoint, same graph, same mix, one run.

All three serve the union of the graph (exported as N-Triples) on loopback.
A fixed mix (single pattern to aggregates, paths, ASK, CONSTRUCT) is sent
by concurrent keep-alive clients, twice per server: with repeated query
texts (this service answers those from its cache) and with every text made
unique by a comment (the whole path: check, worker process, serialise).
Prints p50/p99 latency and throughput per server and the ratios.

Targets: at least 3x rdflib-endpoint's throughput, at least half of
Oxigraph server's, p50 under 5 ms for a simple SELECT.

    .venv/bin/python bench/bench_sparql.py [--requests 600] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

from graph.queries import PREFIX_BLOCK
from graph.store import DEFAULT_URL, Store

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIMPLE = "SELECT ?m WHERE { ?m a mkg:Model } LIMIT 10"
MIX = {
    "simple": SIMPLE,
    "join": "SELECT ?m ?label WHERE { ?m mkg:suitedFor task:summarization ; rdfs:label ?label FILTER(LANG(?label) = 'en') }",
    "3-way join": "SELECT ?m ?o ?c WHERE { ?m a mkg:Model ; mkg:objective ?o ; mkg:category ?c }",
    "aggregate": "SELECT ?t (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m mkg:suitedFor ?t } GROUP BY ?t ORDER BY DESC(?n)",
    "path": "SELECT ?m ?a WHERE { ?m mkg:derivedFrom+ ?a }",
    "ask": "ASK { model:bert mkg:objective objective:masked-language-modeling }",
    "construct": "CONSTRUCT { ?m rdfs:label ?l } WHERE { ?m a mkg:Model ; rdfs:label ?l }",
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {process.returncode}")
        try:
            requests.get(url, params={"query": PREFIX_BLOCK + "ASK { ?s ?p ?o }"}, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up in {timeout_s} s")


def start_servers(db_url: str, tmp: Path) -> dict[str, tuple[subprocess.Popen, str]]:
    store = Store(db_url)
    dataset = store.load_oxigraph()
    store.dispose()
    import pyoxigraph as ox

    triples = {q.triple for q in dataset}
    nt = tmp / "graph.nt"
    nt.write_bytes(ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES))
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    servers: dict[str, tuple[subprocess.Popen, str]] = {}

    port = free_port()
    env = dict(os.environ, MODELKG_DATABASE_URL=db_url, MODELKG_RATE_LIMIT="off", HF_HUB_OFFLINE="1")
    servers["modelkg"] = (
        subprocess.Popen([str(BIN / "modelkg"), "serve", "--port", str(port), "--workers", "2"], env=env, **quiet),
        f"http://127.0.0.1:{port}/sparql",
    )
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(tmp / "ox"), "--file", str(nt)], check=True, **quiet
    )
    port = free_port()
    servers["oxigraph"] = (
        subprocess.Popen(
            [str(BIN / "oxigraph"), "serve-read-only", "--location", str(tmp / "ox"), "--bind", f"127.0.0.1:{port}"],
            **quiet,
        ),
        f"http://127.0.0.1:{port}/query",
    )
    port = free_port()
    servers["rdflib-endpoint"] = (
        subprocess.Popen(
            [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port), str(nt)], **quiet
        ),
        f"http://127.0.0.1:{port}/",
    )
    for _, (process, url) in servers.items():
        wait_for(url, process)
    return servers


def accept_for(name: str) -> str:
    return "text/turtle" if MIX[name].lstrip().startswith("CONSTRUCT") else "application/sparql-results+json"


def run_mix(url: str, total: int, concurrency: int, unique: bool) -> tuple[dict[str, list[float]], float, int]:
    """Send ``total`` requests round-robin over the mix; latencies per query kind, wall time, errors."""
    names = list(MIX)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors = [0]
    counter = iter(range(total))
    lock = threading.Lock()

    parts = urlsplit(url)

    def client() -> None:
        # http.client with keep-alive: the cheapest client, so the servers are what is measured.
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                connection.close()
                return
            name = names[i % len(names)]
            body = urlencode({"query": PREFIX_BLOCK + MIX[name] + (f" #{i}" if unique else "")})
            headers = {"Accept": accept_for(name), "Content-Type": "application/x-www-form-urlencoded"}
            started = time.perf_counter()
            connection.request("POST", parts.path or "/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status != 200:
                    errors[0] += 1
                latencies[name].append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, errors[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=700, help="requests per server and mode")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    db_url = os.environ.get("MODELKG_DATABASE_URL", DEFAULT_URL)
    results: dict[tuple[str, str], tuple[float, float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        servers = start_servers(db_url, Path(tmp))
        try:
            for mode, unique in (("repeated", False), ("unique", True)):
                for name, (_, url) in servers.items():
                    run_mix(url, len(MIX) * 6, 2, unique)  # warm up: workers, caches, JITs
                    latencies, wall, errors = run_mix(url, args.requests, args.concurrency, unique)
                    every = [x for xs in latencies.values() for x in xs]
                    results[(mode, name)] = (
                        args.requests / wall,
                        statistics.median(every) * 1000,
                        percentile(every, 0.99) * 1000,
                        statistics.median(latencies["simple"]) * 1000,
                    )
                    print(
                        f"{mode:>8} {name:<16} {args.requests / wall:8.0f} req/s  p50 {results[(mode, name)][1]:6.2f} ms"
                        f"  p99 {results[(mode, name)][2]:7.2f} ms  simple SELECT p50 {results[(mode, name)][3]:6.2f} ms"
                        f"  errors {errors}",
                        flush=True,
                    )
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(10)
    print()
    for mode in ("repeated", "unique"):
        mine = results[(mode, "modelkg")][0]
        vs_rdflib = mine / results[(mode, "rdflib-endpoint")][0]
        vs_ox = mine / results[(mode, "oxigraph")][0]
        print(
            f"{mode:>8}: throughput {vs_rdflib:5.1f}x rdflib-endpoint (target >= 3x), "
            f"{vs_ox:4.2f}x Oxigraph server (target >= 0.5x); simple SELECT p50 {results[(mode, 'modelkg')][3]:.2f} ms "
            "(target < 5 ms)"
        )


if __name__ == "__main__":
    main()
