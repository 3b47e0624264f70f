"""/ask latency, warm and cold, against peers measured in the same run.

Targets: warm p50 under 15 ms through the Flask app; cold start (a new
process: imports, app, graph, entity index, model, first answer) under 5 s.

* warm: GET /ask through the app's test client over a mix of English and
  Chinese questions, with the time split into embedding, linking, SPARQL and
  formatting (from ``Asker.ask(timings=...)``), and how often the encoder
  had to run (only when exact names and cues leave a question open). Peer: running the answer's
  own SPARQL text with ``graph.queries.select``, the least an answer can cost.
* cold: a fresh ``python`` process from spawn to its first answer (a
  misspelt name, so the encoder loads and runs), with the child's own split. Peer: a fresh process that only imports
  sentence-transformers and loads the same model, which is what the numpy
  encoder saves.

    .venv/bin/python bench/bench_ask.py [--requests 300] [--url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WARM_TARGET_MS = 15.0
COLD_TARGET_S = 5.0

QUESTIONS = [
    "Which models suit summarization?",
    "哪些模型适合翻译？",
    "What does DistilBERT derive from?",
    "Compare BERT and RoBERTa",
    "Which models are multilingual?",
    "BERT 用什么目标预训练？",
    "Which models were pre-trained with masked language modeling?",
    "What does Robert derive from?",
    "哪些模型属于自回归模型",
    "How many parameters does GPT-2 have?",
    "What's the weather in Paris?",
    "哪些模型适合 question answering",
    "models that can condense long articles into short summaries",
    "descibe electr",
]

COLD_CHILD = r"""
import json, sys, time
started = time.perf_counter()
from service.app import create_app
imported = time.perf_counter()
app = create_app({"database_url": sys.argv[1], "rate_limit": ""})
client = app.test_client()
from service.ask.views import asker_for
with app.app_context():
    asker_for(app)
indexed = time.perf_counter()
# A misspelt name, so the first answer includes loading the encoder and embedding.
response = client.get("/ask", query_string={"q": "descibe electr"})
assert response.status_code == 200 and response.get_json()["answers"], response.get_data(as_text=True)
answered = time.perf_counter()
print(json.dumps({"imports": imported - started, "graph_and_index": indexed - imported,
                  "model_and_first_answer": answered - indexed}))
"""

PEER_CHILD = r"""
import sys, warnings
warnings.simplefilter("ignore")
from sentence_transformers import SentenceTransformer
SentenceTransformer(sys.argv[1], device="cpu").encode("Which models suit summarization?")
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def warm(url: str, requests: int) -> None:
    from graph.queries import select
    from service.app import create_app
    from service.ask.views import asker_for

    app = create_app({"database_url": url, "rate_limit": ""})
    client = app.test_client()
    for question in QUESTIONS:  # load the graph, the index and the model; fill caches
        client.get("/ask", query_string={"q": question})
    latencies = []
    for i in range(requests):
        started = time.perf_counter()
        response = client.get("/ask", query_string={"q": QUESTIONS[i % len(QUESTIONS)]})
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with app.app_context():
        asker = asker_for(app)
    parts: dict[str, list[float]] = {}
    peer = []
    for i in range(requests):
        timings: dict[str, float] = {}
        answer = asker.ask(QUESTIONS[i % len(QUESTIONS)], timings=timings)
        for name, seconds in timings.items():
            parts.setdefault(name, []).append(seconds * 1000)
        if answer["sparql"]:
            started = time.perf_counter()
            select(asker.store, answer["sparql"])
            peer.append((time.perf_counter() - started) * 1000)
    p50, p95 = pct(latencies, 0.5), pct(latencies, 0.95)
    print(f"warm GET /ask, {requests} requests over {len(QUESTIONS)} questions (en and zh):")
    print(
        f"  p50 {p50:.1f} ms  p95 {p95:.1f} ms  (target p50 < {WARM_TARGET_MS:g} ms: {'met' if p50 < WARM_TARGET_MS else 'NOT met'})"
    )
    print("  median split: " + ", ".join(f"{name} {statistics.median(v):.2f} ms" for name, v in parts.items()))
    encoded = [ms for ms in parts["embedding"] if ms > 0]
    if encoded:
        print(
            f"  the encoder ran for {len(encoded) / len(parts['embedding']):.0%} of questions (the rest were settled "
            f"by exact names and cues), median {statistics.median(encoded):.2f} ms when it ran"
        )
    forced = []
    for i in range(requests):
        started = time.perf_counter()
        asker.encoder_factory().encode(QUESTIONS[i % len(QUESTIONS)])
        forced.append((time.perf_counter() - started) * 1000)
    print(f"  if every question were embedded: + {statistics.median(forced):.2f} ms median each")
    peer_p50 = statistics.median(peer)
    print(f"  peer: the answer's own SPARQL alone, p50 {peer_p50:.2f} ms -> /ask is {p50 / peer_p50:.1f}x its query")


def cold(url: str) -> None:
    from graph.embeddings import model_path

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", COLD_CHILD, url], capture_output=True, text=True, env=env, check=True, timeout=300
    )
    total = time.perf_counter() - started
    split = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"cold start, process spawn to first /ask answer: {total:.2f} s (target < {COLD_TARGET_S:g} s: "
        f"{'met' if total < COLD_TARGET_S else 'NOT met'})"
    )
    print("  split: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in split.items()))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", PEER_CHILD, str(model_path())], capture_output=True, env=env, check=True, timeout=300
    )
    peer = time.perf_counter() - started
    print(
        f"  peer: a process that only imports sentence-transformers and embeds one question: {peer:.2f} s "
        f"-> the whole cold start is {total / peer:.2f}x that"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="warm requests to time")
    parser.add_argument("--url", help="store URL (default: $MODELKG_DATABASE_URL or sqlite:///var/modelkg.db)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from service.settings import load_settings

    url = args.url or load_settings()["database_url"]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    cold(url)
    warm(url, args.requests)


if __name__ == "__main__":
    main()
