"""Load test: a realistic mix against `modelkg serve` with production settings, at 1 and 2 workers.

70% /ask (the 143 evaluation questions, English and Chinese), 25% /sparql
(single pattern to aggregates and property paths, half of them texts not seen
before), 5% /demo. Bounded in request count and time, loopback only. Reports
sustained throughput, p50/p95/p99 per endpoint, errors by status, and the
server's peak memory (master plus workers), and the 2-worker/1-worker ratio.

    .venv/bin/python bench/bench_load.py [--seconds 30] [--requests 20000] [--concurrency 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

#: The evaluation questions (English and Chinese, every intent), so /ask sees the spread users send.
ASK = [json.loads(line)["question"] for line in (ROOT / "tests" / "eval" / "questions.jsonl").open(encoding="utf-8")]
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
            query = rng.choice(SPARQL)
            if rng.random() < 0.5:  # half are texts the service has not seen: parsed, checked and evaluated anew
                query += f" # {rng.randrange(10**9)}"
            r = session.get(
                base + "/sparql",
                params={"query": query},
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


class Recorder:
    """Latencies and statuses per endpoint, and the server tree's peak memory, over one run."""

    def __init__(self, pid: int) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.pid = pid
        self.peak_kb = tree_rss_kb(pid)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            time.sleep(0.2)

    def add(self, endpoint: str, status: int | str, seconds: float) -> None:
        with self._lock:
            self.latencies[endpoint].append(seconds)
            self.statuses[endpoint][status] += 1

    def __enter__(self) -> Recorder:
        self.started = time.perf_counter()
        self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.started
        self._stop.set()
        self._sampler.join()

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def run_saturated(base: str, pid: int, total: int, concurrency: int, seconds: float) -> Recorder:
    """Closed loop: ``concurrency`` clients each send the next request as soon as the last is answered."""
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng, session = random.Random(seed), requests.Session()
        for _ in range(total // concurrency):
            if time.monotonic() > deadline:
                break
            recorder.add(*one_request(session, base, rng))

    with Recorder(pid) as recorder, ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client, range(concurrency)))
    return recorder


def run_paced(base: str, pid: int, rate: float, seconds: float) -> Recorder:
    """Open loop: requests arrive at ``rate`` per second whatever the server does, as users would.

    Latency counts from when a request was due, so time spent waiting behind a slow answer is
    counted too (a closed loop would hide it by sending less).
    """
    local = threading.local()

    def send(due: float, seed: int) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        endpoint, status, _ = one_request(local.session, base, random.Random(seed))
        recorder.add(endpoint, status, time.perf_counter() - due)

    count = int(rate * seconds)
    with Recorder(pid) as recorder, ThreadPoolExecutor(64) as pool:
        start = time.perf_counter()
        for i in range(count):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, due, i)
    return recorder


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(title: str, r: Recorder) -> tuple[int, float]:
    """Print one run; return its count of 5xx and failed requests and /ask's p99 in ms."""
    print(
        f"{title}: {r.requests} requests in {r.wall:.1f} s = {r.requests / r.wall:.1f} req/s, peak server memory {r.peak_kb / 1024:.0f} MB"
    )
    failed = 0
    for endpoint in ("/ask", "/sparql", "/demo"):
        lat = r.latencies.get(endpoint, [])
        codes = dict(sorted(r.statuses.get(endpoint, Counter()).items(), key=lambda item: str(item[0])))
        five = sum(n for code, n in codes.items() if code != 200 and not str(code).startswith("4"))
        failed += five
        print(
            f"  {endpoint:<8} n={len(lat):<5} p50 {pct(lat, 0.5):7.1f} ms  p95 {pct(lat, 0.95):7.1f} ms  "
            f"p99 {pct(lat, 0.99):7.1f} ms  statuses {codes}  5xx/failed {five}"
        )
    return failed, pct(r.latencies.get("/ask", []), 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each run lasts, at most")
    parser.add_argument("--requests", type=int, default=20000, help="most requests in a saturating run")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in a saturating run")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="requests per second of the paced runs (default: half the 2-worker peak)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MODELKG_DATABASE_URL", "sqlite:///var/modelkg.db"),
        help="the store to serve, read only (default: $MODELKG_DATABASE_URL or the default store; `make data` fills it)",
    )
    args = parser.parse_args()
    print(
        f"store {args.database_url.split('@')[-1]}; each run at most {args.seconds:g} s; saturating runs: "
        f"{args.concurrency} clients in a closed loop; paced runs: requests arriving at a fixed rate"
    )
    peaks: dict[int, float] = {}
    verdict = None
    for workers in (2, 1):
        proc, base = start_server(workers, args.database_url)
        try:
            saturated = run_saturated(base, proc.pid, args.requests, args.concurrency, args.seconds)
            report(f"{workers} worker(s), saturated", saturated)
            peaks[workers] = saturated.requests / saturated.wall
            rate = args.rate or round(peaks[2] / 2)
            paced = run_paced(base, proc.pid, rate, args.seconds)
            failed, ask99 = report(f"{workers} worker(s), paced at {rate:g} req/s", paced)
            if workers == 2:
                verdict = (rate, failed, ask99)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"peak throughput, 2 workers / 1 worker: {peaks[2]:.0f} / {peaks[1]:.0f} req/s = {peaks[2] / peaks[1]:.2f}x")
    rate, failed, ask99 = verdict
    print(
        f"target, 2 workers at {rate:g} req/s: zero 5xx and /ask p99 < 100 ms: "
        f"{failed} 5xx/failed, /ask p99 {ask99:.1f} ms -> {'met' if failed == 0 and ask99 < 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
