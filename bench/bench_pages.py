"""Server time of every HTML page, against a static file served by the same app in the same run.

Each page is rendered in process with Flask's test client (no network, no browser: the time the
server spends on the request, which is what the 100 ms budget is about), in English and Chinese,
after a warm-up; the peer is ``/assets/app.css``, the cheapest response the app makes, so the ratio
says how much of a page's time is its own work. Prints median, p95 and max per page; exits 1 when a
page's p95 is over the budget.

    .venv/bin/python bench/bench_pages.py [--repeat 50] [--budget-ms 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from graph.store import DEFAULT_URL
from service.app import create_app

PAGES = [
    "/",
    "/browse",
    "/query",
    "/model/bert",
    "/model/t5",
    "/model/xlm-roberta",
    "/task/summarization",
    "/objective/masked-language-modeling",
    "/category/autoencoding",
    "/paper/1810.04805",
    "/model/no-such-model",
]
PEER = "/assets/app.css"
HTML = {"Accept": "text/html"}


def timings(client, path: str, repeat: int) -> list[float]:
    for _ in range(3):
        client.get(path, headers=HTML).close()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, headers=HTML)
        response.get_data()
        out.append((time.perf_counter() - started) * 1000)
        response.close()
        assert response.status_code in (200, 404), (path, response.status_code)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--budget-ms", type=float, default=100.0)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    app = create_app({"database_url": args.database_url, "rate_limit": "off"})
    client = app.test_client()
    started = time.perf_counter()
    client.get("/", headers=HTML).close()  # loads the graph into this process
    print(f"graph loaded and first page rendered in {(time.perf_counter() - started) * 1000:.0f} ms")

    peer = statistics.median(timings(client, PEER, args.repeat))
    print(f"peer {PEER}: median {peer:.2f} ms\n")
    print(f"{'page':<44} {'median':>8} {'p95':>8} {'max':>8} {'x peer':>7}")
    over = []
    for path in PAGES:
        for lang in ("en", "zh"):
            url = f"{path}?lang={lang}"
            times = sorted(timings(client, url, args.repeat))
            median = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
            print(f"{url:<44} {median:>6.1f}ms {p95:>6.1f}ms {times[-1]:>6.1f}ms {median / peer:>6.0f}x")
            if p95 > args.budget_ms:
                over.append(url)
    if over:
        print(f"\nover the {args.budget_ms:.0f} ms budget (p95): {', '.join(over)}")
        return 1
    print(f"\nevery page under {args.budget_ms:.0f} ms (p95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
