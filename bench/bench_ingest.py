"""Full ingest time (all three sources), against peers measured in the same run.

Target: a full ingest under 15 s on this machine. Peers: rdflib parsing the
same graph from N-Quads into memory (the least any RDF load can do), and
pyoxigraph bulk-loading it, so the ratio shows what building, checking and
writing transactionally costs on top of a bare parse.

    .venv/bin/python bench/bench_ingest.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyoxigraph
from rdflib import Dataset

from graph.store import Store
from ingest.build import Sources, ingest

TARGET_S = 15.0


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="ingests to time (first is into an empty store)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    with tempfile.TemporaryDirectory() as tmp:
        backends = {"sqlite": f"sqlite:///{tmp}/bench.db"}
        if os.environ.get("MODELKG_DATABASE_URL", "").startswith("postgresql"):
            backends["postgresql"] = os.environ["MODELKG_DATABASE_URL"]
        results = {}
        for name, url in backends.items():
            store = Store(url)
            times, steps = [], {}
            for _ in range(args.runs):
                started = time.perf_counter()
                built, written = ingest(store, Sources())
                times.append(time.perf_counter() - started)
                steps = built.timings
            results[name] = (times, steps, written.triples)
            if name == "sqlite":
                _, text = store.snapshot()
            store.dispose()

        cold_url = f"sqlite:///{tmp}/cold.db"
        command = [sys.executable, "-m", "service.cli", "--database-url", cold_url, "ingest", "-q"]
        cold_s = timed(lambda: subprocess.run(command, check=True))

    rdflib_s = timed(lambda: Dataset().parse(data=text, format="nquads"))
    oxi_s = timed(lambda: pyoxigraph.Store().bulk_load(text.encode(), format=pyoxigraph.RdfFormat.N_QUADS))

    print(f"full ingest (taxonomy + curated facts + transformers registry), {args.runs} runs each")
    for name, (times, steps, triples) in results.items():
        first, rest = times[0], times[1:] or times
        print(
            f"  {name:<10} first {first:6.2f} s   re-ingest median {statistics.median(rest):6.2f} s   "
            f"{triples:,} triples   target < {TARGET_S:.0f} s: {'met' if max(times) < TARGET_S else 'MISSED'}"
        )
        print("             steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
    print(
        f"  cold `modelkg ingest` (new process, empty SQLite store, imports included): {cold_s:.2f} s; "
        f"target < {TARGET_S:.0f} s: {'met' if cold_s < TARGET_S else 'MISSED'}"
    )
    sqlite_median = statistics.median(results["sqlite"][0])
    print("peers on the same graph, same run:")
    print(
        f"  rdflib Dataset.parse(nquads)     {rdflib_s:6.2f} s   modelkg ingest / this = {sqlite_median / rdflib_s:5.1f}x"
    )
    print(f"  pyoxigraph bulk_load(nquads)     {oxi_s:6.2f} s   modelkg ingest / this = {sqlite_median / oxi_s:5.1f}x")


if __name__ == "__main__":
    main()
