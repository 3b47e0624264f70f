"""Demo latency: time to the first demo in a new process, and warm latency per kind of task.

Cold: ``modelkg demo`` in a fresh process (Python start, graph load, torch and
transformers import, model build or load, one run), against its peer, a new
process that only imports torch and transformers: the ratio shows how much of
a cold demo is the import every demo must pay.

Warm: ``run_demo`` on an app whose worker already holds the model, per task
kind (pipeline, ``generate()``, forward pass, bundled real model), against
the worker-side time of the same demo (the ``seconds`` it reports): the ratio
is what the linker adds (graph resolution, checks, the hand-off to the demo
process and back). Uses the store of ``MODELKG_DATABASE_URL`` (default
``var/modelkg.db``; run ``modelkg ingest`` first).

    .venv/bin/python bench/bench_demo.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

MODELKG = Path(sys.executable).with_name("modelkg")

#: (label, model, task, text, params): one per kind of runner.
CASES = [
    ("text-generation pipeline (GPT-2, random)", "gpt2", "text-generation", "Once upon a time", {"max_new_tokens": 16}),
    ("fill-mask pipeline (BERT, random)", "bert", "fill-mask", "Paris is the [MASK] of France.", {}),
    (
        "feature-extraction pipeline (BERT, bundled MiniLM)",
        "bert",
        "feature-extraction",
        "A man eats.\nSomeone eats.",
        {},
    ),
    ("text-classification pipeline (RoBERTa, random)", "roberta", "text-classification", "A fine film.", {}),
    (
        "token-classification pipeline (XLM-R, random)",
        "xlm-roberta",
        "named-entity-recognition",
        "Ada lives in Paris.",
        {},
    ),
    ("seq2seq generate() (T5, random)", "t5", "translation", "The house is wonderful.", {"max_new_tokens": 16}),
    (
        "seq2seq generate() (BART, random)",
        "bart",
        "summarization",
        "The model was trained on books.",
        {"max_new_tokens": 16},
    ),
    ("QA forward pass (DistilBERT, random)", "distilbert", "question-answering", "Who?\nAda wrote it.", {}),
    ("RAG generate() over passages (random)", "rag", "open-domain-question-answering", "Capital of France?", {}),
]


def cold(argv: list[str]) -> float:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="warm demos timed per case")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    print("cold: a new process, to the first demo's answer")
    peer = cold([sys.executable, "-c", "import torch, transformers, transformers.pipelines"])
    print(f"  peer: import torch + transformers in a new process   {peer:6.2f} s")
    for label, argv in (
        ("modelkg demo gpt2 (random tiny GPT-2)", ["gpt2", "Once upon a time", "--param", "max_new_tokens", "8"]),
        (
            "modelkg demo BERT similarity (bundled MiniLM)",
            ["bert", "A man eats.\nSomeone eats.", "--task", "similarity"],
        ),
    ):
        seconds = cold([str(MODELKG), "demo", *argv])
        print(f"  {label:<48} {seconds:6.2f} s  ({seconds / peer:.2f}x the import alone)")

    from service.app import create_app
    from service.demo import run_demo

    app = create_app({"rate_limit": "", "demo_cache_models": len(CASES) + 2})
    print(f"\nwarm: model already loaded, median (p95) over {args.runs} demos; worker = the demo's own time")
    print(f"  {'case':<52} {'end to end':>16} {'worker':>10} {'linker adds':>12}")
    for label, model, task, text, params in CASES:
        run_demo(app, model, text, task, params)  # load and warm up
        wall, worker = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = run_demo(app, model, text, task, params)
            wall.append(time.perf_counter() - started)
            worker.append(result["seconds"])
        p50, p95 = statistics.median(wall) * 1000, sorted(wall)[int(0.95 * (len(wall) - 1))] * 1000
        inner = statistics.median(worker) * 1000
        print(f"  {label:<52} {p50:7.1f} ({p95:5.1f}) ms {inner:7.1f} ms {p50 / max(inner, 1e-3):10.2f}x")


if __name__ == "__main__":
    main()
