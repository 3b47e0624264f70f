"""Load test: a realistic mix against `modelkg serve` with production settings, at 1 and 2 workers.

70% /ask (English and Chinese), 25% /sparql (single pattern to aggregates),
5% /demo. Bounded in request count and time, loopback only. Reports
sustained throughput, p50/p95/p99 per endpoint, errors by status, and the
server's peak memory (master plus workers), and the 2-worker/1-worker ratio.

    .venv/bin/python bench/bench_load.py [--seconds 30] [--requests 20000] [--concurrency 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

ASK = [
    "which models suit summarization?",
    "what does DistilBERT derive from?",
    "which models are multilingual?",
    "models pretrained with masked language modeling",
    "compare BERT and RoBERTa",
    "哪些模型适合做摘要？",
    "哪些模型适合翻译",
    "自回归模型有哪些",
    "BERT 的论文是哪一年发表的",
    "哪些模型是多语言的",
]
SPARQL = [
    "SELECT ?m WHERE { ?m a mkg:Model } LIMIT 5",
    "SELECT ?m ?label WHERE { ?m mkg:suitedFor task:summarization ; rdfs:label ?label }",
    "SELECT ?m (COUNT(?t) AS ?n) WHERE { ?m mkg:suitedFor ?t } GROUP BY ?m ORDER BY DESC(?n)",
    "SELECT ?o (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m mkg:objective ?o } GROUP BY ?o",
    "SELECT ?m ?s WHERE { ?m mkg:derivedFrom+ ?s }",
    "ASK { model:bert mkg:objective objective:masked-language-modeling }",
]
DEMO = [
    {"model": "gpt-2", "text": "Once upon a time", "params": {"max_new_tokens": 8}},
    {"model": "bert", "task": "fill-mask", "text": "Paris is the [MASK] of France."},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (web workers, their query workers and demo processes)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            stack += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return found


def tree_rss_kb(pid: int) -> int:
    """Resident memory of the server's whole process tree, from /proc."""
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def start_server(workers: int, db_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # Production settings, but for the rate limit: every simulated client here shares one address.
    env = {**os.environ, "MODELKG_DATABASE_URL": db_url, "HF_HUB_OFFLINE": "1", "MODELKG_RATE_LIMIT": "off"}
    # The server's log, read back if it exits; a file, since an unread pipe could fill and block the server.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it after this returns)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:  # e.g. an empty store: serve says what to run
            log.seek(0)
            raise SystemExit(log.read().decode().strip() or "the server exited")
        try:
            if requests.get(base + "/health", timeout=1).ok:
                # Warm every worker: the first /ask loads the embedding model, the first demo starts torch.
                for _ in range(workers * 3):
                    requests.get(base + "/ask", params={"q": "which models suit translation"}, timeout=30)
                    for demo in DEMO:
                        requests.post(base + "/demo", json=demo, timeout=120)
                return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not come up within 60 s")


def one_request(session: requests.Session, base: str, rng: random.Random) -> tuple[str, int | str, float]:
    """One request of the mix: its endpoint, its status (with the error code when it failed), its time."""
    roll = rng.random()
    started = time.perf_counter()
    try:
        if roll < 0.70:
            endpoint = "/ask"
            r = session.get(base + "/ask", params={"q": rng.choice(ASK)}, timeout=30)
        elif roll < 0.95:
            endpoint = "/sparql"
            r = session.get(
                base + "/sparql",
                params={"query": rng.choice(SPARQL)},
                headers={"Accept": "application/sparql-results+json"},
                timeout=30,
            )
        else:
            endpoint = "/demo"
            r = session.post(base + "/demo", json=rng.choice(DEMO), timeout=60)
        status: int | str = r.status_code
        if r.status_code >= 400:
            status = f"{r.status_code} {r.json().get('error', {}).get('code', '?')}"
    except (requests.RequestException, ValueError):
        status = "connection failed"
    return endpoint, status, time.perf_counter() - started


def run_load(base: str, pid: int, total: int, concurrency: int, seconds: float) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    peak = [tree_rss_kb(pid)]
    stop = threading.Event()

    def sample_memory() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_kb(pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    deadline = time.monotonic() + seconds
    per_worker = total // concurrency

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        for _ in range(per_worker):
            if time.monotonic() > deadline:
                break
            endpoint, status, elapsed = one_request(session, base, rng)
            latencies[endpoint].append(elapsed)
            statuses[endpoint][status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    done = sum(len(v) for v in latencies.values())
    return {
        "wall": wall,
        "throughput": done / wall,
        "latencies": latencies,
        "statuses": statuses,
        "peak_mb": peak[0] / 1024,
        "requests": done,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000, help="most requests per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each run lasts, at most")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MODELKG_DATABASE_URL", "sqlite:///var/modelkg.db"),
        help="the store to serve, read only (default: $MODELKG_DATABASE_URL or the default store; `make data` fills it)",
    )
    args = parser.parse_args()
    print(
        f"{args.requests} requests per run from {args.concurrency} clients (at most {args.seconds:g} s), "
        f"store {args.database_url.split('@')[-1]}"
    )
    results = {}
    for workers in (1, 2):
        proc, base = start_server(workers, args.database_url)
        try:
            results[workers] = run_load(base, proc.pid, args.requests, args.concurrency, args.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    for workers, r in results.items():
        print(
            f"{workers} worker(s): {r['requests']} requests in {r['wall']:.1f} s = {r['throughput']:.1f} req/s, "
            f"peak server memory {r['peak_mb']:.0f} MB"
        )
        for endpoint in ("/ask", "/sparql", "/demo"):
            lat = r["latencies"].get(endpoint, [])
            codes = dict(sorted(r["statuses"].get(endpoint, Counter()).items(), key=lambda item: str(item[0])))
            five = sum(n for code, n in codes.items() if code != 200 and not str(code).startswith("4"))
            print(
                f"  {endpoint:<8} n={len(lat):<5} p50 {pct(lat, 0.5):7.1f} ms  p95 {pct(lat, 0.95):7.1f} ms  "
                f"p99 {pct(lat, 0.99):7.1f} ms  statuses {codes}  5xx/failed {five}"
            )
    if 1 in results and 2 in results:
        print(f"2 workers / 1 worker throughput: {results[2]['throughput'] / results[1]['throughput']:.2f}x")
        ask99 = pct(results[2]["latencies"].get("/ask", []), 0.99)
        print(f"target at 2 workers: zero 5xx and /ask p99 < 100 ms: p99 {ask99:.1f} ms")


if __name__ == "__main__":
    main()
