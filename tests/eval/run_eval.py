"""Evaluate /ask on the hand-written questions in ``questions.jsonl`` and print the scores.

Each question lists the entities (slugs) that must be among the first ten
answers and those that must not be there at all; the ground truth was
written from the curated facts (``ingest/data/models/*.yaml``,
``ingest/data/concepts.yaml``), not from this system's output. A question
whose intent is ``unknown`` is one the graph cannot answer: any answer to it
counts as a violation.

Scores, per language and per intent:

* recall@10: the share of ``must`` found in the first ten answers, out of
  ``min(len(must), 10)`` (a task with 17 curated models can fill ten slots);
* violations: the share of questions with a ``must_not`` entity in the first
  ten answers (or, for ``unknown``, with any answer);
* top-3 hit: the share of questions with a ``must`` entity in the first three
  answers (for ``unknown``: with no answer);
* intent: the share whose intent was recognised.

Run with ``make eval`` or ``python -m tests.eval.run_eval [--url URL] [--failures]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

QUESTIONS = Path(__file__).with_name("questions.jsonl")
TARGETS = {"recall": 0.9, "violations": 0.02, "top3": 0.9}


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def score(question: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """One question's scores against its answer."""
    slugs = [_slug(a["iri"]) for a in answer["answers"]]
    top10, top3 = slugs[:10], slugs[:3]
    must, must_not = question["must"], question["must_not"]
    unknown = question["intent"] == "unknown"
    result: dict[str, Any] = {
        "id": question["id"],
        "question": question["question"],
        "lang": question["lang"],
        "intent": question["intent"],
        "got_intent": answer["intent"],
        "answers": top10,
        "recall": None,
        "violation": bool(slugs) if unknown else any(m in top10 for m in must_not),
        "top3": (not slugs) if unknown else (any(m in top3 for m in must) if must else True),
    }
    if must:
        result["recall"] = len(set(must) & set(top10)) / min(len(must), 10)
        result["missing"] = [m for m in must if m not in top10][: 10 - len(set(must) & set(top10))]
    return result


def summarise(results: list[dict[str, Any]]) -> dict[str, float]:
    recalls = [r["recall"] for r in results if r["recall"] is not None]
    return {
        "questions": len(results),
        "recall": statistics.fmean(recalls) if recalls else 1.0,
        "violations": sum(r["violation"] for r in results) / len(results),
        "top3": sum(r["top3"] for r in results) / len(results),
        "intent": sum(r["intent"] == r["got_intent"] for r in results) / len(results),
    }


def evaluate(asker: Any, questions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Ask every question (without running demos) and score the answers."""
    questions = questions or load_questions()
    results = []
    seconds = []
    for question in questions:
        started = time.perf_counter()
        answer = asker.ask(question["question"], top_k=10)
        seconds.append(time.perf_counter() - started)
        results.append(score(question, answer))
    by_lang: dict[str, list] = defaultdict(list)
    by_intent: dict[str, list] = defaultdict(list)
    for r in results:
        by_lang[r["lang"]].append(r)
        by_intent[r["intent"]].append(r)
    return {
        "overall": summarise(results),
        "by_language": {k: summarise(v) for k, v in sorted(by_lang.items())},
        "by_intent": {k: summarise(v) for k, v in sorted(by_intent.items())},
        "results": results,
        "median_ms": statistics.median(seconds) * 1000,
    }


def meets_targets(summary: dict[str, float]) -> bool:
    return (
        summary["recall"] >= TARGETS["recall"]
        and summary["violations"] < TARGETS["violations"]
        and summary["top3"] >= TARGETS["top3"]
    )


def _row(name: str, s: dict[str, float]) -> str:
    return f"{name:<24} {s['questions']:>4} {s['recall']:>9.3f} {s['violations']:>10.3f} {s['top3']:>8.3f} {s['intent']:>7.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="store URL (default: $MODELKG_DATABASE_URL or sqlite:///var/modelkg.db)")
    parser.add_argument("--failures", action="store_true", help="list every question that missed")
    args = parser.parse_args(argv)

    from service.ask import Asker
    from service.settings import load_settings

    url = args.url or load_settings()["database_url"]
    report = evaluate(Asker.from_url(url))
    header = f"{'':<24} {'n':>4} {'recall@10':>9} {'violations':>10} {'top-3':>8} {'intent':>7}"
    print(header)
    print(_row("all", report["overall"]))
    for lang, s in report["by_language"].items():
        print(_row(f"language {lang}", s))
    for intent, s in report["by_intent"].items():
        print(_row(intent, s))
    print(f"median time per question: {report['median_ms']:.1f} ms")
    misses = [
        r
        for r in report["results"]
        if r["violation"] or not r["top3"] or (r["recall"] or 1) < 1 or r["intent"] != r["got_intent"]
    ]
    if args.failures or misses:
        print(f"\n{len(misses)} question(s) with a miss:")
        for r in misses:
            print(f"  #{r['id']} [{r['lang']} {r['intent']} -> {r['got_intent']}] {r['question']}")
            print(f"      got {r['answers']}  missing {r.get('missing', [])}  violation={r['violation']}")
    ok = all(meets_targets(s) for s in report["by_language"].values())
    print("\ntargets (recall >= 0.9, violations < 0.02, top-3 >= 0.9 in each language):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
