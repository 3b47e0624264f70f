"""/demo against a real ``modelkg serve`` process: concurrent demos get 200 or 503, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from .server import Server, serve

CONCURRENT = 20


@pytest.fixture(scope="module")
def server(seed_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: one worker, a short demo queue, no Hugging Face cache."""
    tmp = tmp_path_factory.mktemp("demo-server")
    empty_cache = tmp / "hf-cache"
    empty_cache.mkdir()
    with serve(
        seed_db_url,
        tmp,
        workers=1,
        settings={"demo_queue": "2", "models_dir": ""},
        env={"HF_HUB_CACHE": str(empty_cache)},
    ) as running:
        yield running


def test_twenty_concurrent_demos_are_answered_200_or_503_never_500(server: Server) -> None:
    def one(i: int) -> requests.Response:
        body = {"model": "gpt2" if i % 2 else "BERT", "text": f"Once upon a time {i}", "params": {}}
        if i % 2:
            body["params"] = {"max_new_tokens": 4}
        return requests.post(server.url + "/demo", json=body, timeout=60)

    with ThreadPoolExecutor(CONCURRENT) as pool:
        responses = list(pool.map(one, range(CONCURRENT)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}, [(r.status_code, r.text[:200]) for r in responses]
    assert 200 in statuses
    for response in responses:
        body = response.json()
        if response.status_code == 503:
            assert response.headers["Retry-After"].isdigit()
            assert body["error"]["code"] in ("demo_busy", "demo_timeout")
        else:
            assert body["weights"] in ("random", "bundled") and body["output"]
    assert "Traceback" not in Path(server.log).read_text()


def test_errors_over_http_are_json(server: Server) -> None:
    cases = [
        (requests.post(server.url + "/demo", data="hi", headers={"Content-Type": "text/plain"}, timeout=30), 415),
        (server.post("/demo", json={"model": "gpt2"}), 400),
        (server.post("/demo", json={"model": "gpt2", "text": "x", "params": {"trust_remote_code": True}}), 400),
        (server.post("/demo", json={"model": "/etc/passwd", "text": "x"}), 404),
        (server.post("/demo", json={"model": "someone/model", "text": "x"}), 404),
        (server.post("/demo", json={"model": "Transformer-XL", "text": "x"}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert set(response.json()["error"]) >= {"code", "message"}


def test_the_listing_says_what_each_seed_model_can_do(server: Server) -> None:
    rows = server.get("/demo").json()["models"]
    assert len(rows) == 28
    by_slug = {row["model"]: row for row in rows}
    assert by_slug["bert"]["status"] == "real weights"
    assert by_slug["gpt-2"]["status"] == "random-weights architecture demo"
    assert by_slug["mmbt"]["status"] == "not runnable"
