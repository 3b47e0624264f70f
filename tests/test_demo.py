"""The demo linker in process: every seed architecture runs, names resolve only through the graph,
refusals happen before transformers loads anything, and real local weights win over random ones."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from service.app import create_app
from service.cli import main
from service.demo import demo_choices, demo_table, models_markdown, run_demo
from service.demo.resolve import catalogue_for
from service.demo.tiny import RANDOM_NOTE
from service.demo.worker import worker_for
from service.errors import ApiError

from .conftest import ROOT

SEED_FACTS = sorted((ROOT / "ingest" / "data" / "models").glob("*.yaml"))
FACTS = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in SEED_FACTS}
IMPLEMENTED = sorted(slug for slug, f in FACTS.items() if f["transformers_status"] == "available")
REMOVED = sorted(slug for slug, f in FACTS.items() if f["transformers_status"] == "removed")

#: An input that suits each kind of task (question answering and multiple choice read lines).
INPUTS = {
    "question-answering": "What is the capital of France?\nParis is the capital of France.",
    "multiple-choice": "Where is Paris?\nIn France.\nIn Peru.",
    "passage-retrieval": "Which city is the capital of France?\nParis is in France.\nGPT-2 writes text.",
}
TEXT = "Paris is the [MASK] of France."


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The service's one error shape, with the status (and code) expected."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture(scope="module")
def no_hf_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty Hugging Face cache, so results do not depend on what this machine has downloaded."""
    empty = str(tmp_path_factory.mktemp("hf-cache"))
    before = os.environ.get("HF_HUB_CACHE")
    os.environ["HF_HUB_CACHE"] = empty
    yield empty
    if before is None:
        os.environ.pop("HF_HUB_CACHE", None)
    else:
        os.environ["HF_HUB_CACHE"] = before


@pytest.fixture(scope="module")
def app(seed_db_url: str, no_hf_cache: str):
    """One app for the module, so loaded models are reused between tests."""
    return create_app(
        {"database_url": seed_db_url, "rate_limit": "", "models_dir": "", "demo_timeout_s": 60, "demo_cache_models": 64}
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("slug", IMPLEMENTED)
def test_every_seed_architecture_transformers_implements_runs_its_demo(app, slug: str) -> None:
    assert len(IMPLEMENTED) == 25
    result = run_demo(app, slug, TEXT)
    assert result["model"] == slug
    assert result["weights"] in ("random", "bundled")
    assert result["output"] not in (None, "", [], {})
    assert result["seconds"] < 10
    if result["weights"] == "random":
        assert result["note"].startswith(RANDOM_NOTE)
        assert result["checkpoint"] in [c["id"] for c in FACTS[slug]["checkpoints"]]


def test_every_task_of_every_seed_model_runs(app) -> None:
    catalogue = catalogue_for(app)
    failures, ran = [], 0
    for slug in IMPLEMENTED:
        for choice in demo_choices(catalogue.models[slug]):
            try:
                result = run_demo(app, slug, INPUTS.get(choice.task, TEXT), choice.task)
            except ApiError as exc:
                failures.append((slug, choice.task, exc.message))
                continue
            ran += 1
            assert result["task"] == choice.task
            assert (RANDOM_NOTE in result["note"]) == (result["weights"] == "random")
    assert failures == []
    assert ran > 100


def test_the_bundled_model_gives_real_sentence_similarity(app) -> None:
    text = "A man is eating food.\nSomeone is eating a meal.\nThe stock market fell sharply."
    result = run_demo(app, "BERT", text, "similarity")
    assert result["weights"] == "bundled" and result["task"] == "feature-extraction"
    assert result["checkpoint"] == "sentence-transformers/all-MiniLM-L6-v2"
    similarity = result["output"]["similarity"]
    assert result["output"]["dimensions"] == 384
    assert similarity[0][1] > 0.5 > similarity[0][2]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("GPT-2", "gpt-2"),
        ("gpt2", "gpt-2"),
        ("  gpt   2 ", "gpt-2"),
        ("Original GPT", "original-gpt"),
        ("model:bert", "bert"),
        ("https://w3id.org/modelkg/model/t5", "t5"),
        ("检索增强生成", "rag"),
        ("openai-community/gpt2-medium", "gpt-2"),
    ],
)
def test_a_model_is_named_by_any_label_alias_slug_iri_or_checkpoint(app, name: str, slug: str) -> None:
    seed, _ = catalogue_for(app).resolve(name)
    assert seed.slug == slug


def test_a_named_checkpoint_is_the_one_reported(app) -> None:
    result = run_demo(app, "openai-community/gpt2-medium", "Hello", params={"max_new_tokens": 2})
    assert result["checkpoint"] == "openai-community/gpt2-medium"


@pytest.mark.parametrize(
    "name", ["../../etc", "/etc/passwd", "someone/model", "../../bert", "~/.cache/model", "C:\\models\\gpt2", "gpt-5"]
)
def test_paths_and_unknown_ids_are_refused_before_transformers_is_called(seed_db_url: str, name: str) -> None:
    fresh = create_app({"database_url": seed_db_url, "rate_limit": ""})
    with pytest.raises(ApiError) as info:
        run_demo(fresh, name, "hello")
    assert info.value.status == 404 and info.value.code == "unknown_model"
    assert "modelkg_demo_worker" not in fresh.extensions  # no worker, so nothing was loaded or built


def test_paths_are_refused_over_http_and_nothing_is_loaded(seed_db_url: str) -> None:
    fresh = create_app({"database_url": seed_db_url, "rate_limit": ""})
    client = fresh.test_client()
    for name in ("../../etc", "/etc/passwd", "someone/model"):
        assert_error(client.post("/demo", json={"model": name, "text": "x"}), 404, "unknown_model")
    worker = worker_for(fresh)
    assert worker.loads == 0 and worker.cached_keys() == []


@pytest.mark.parametrize(
    "params",
    [
        {"trust_remote_code": True},
        {"trust_remote_code": False},
        {"generation": {"options": [{"TRUST_REMOTE_CODE": True}]}},
    ],
)
def test_trust_remote_code_anywhere_in_params_is_refused(seed_db_url: str, params: dict) -> None:
    fresh = create_app({"database_url": seed_db_url, "rate_limit": ""})
    with pytest.raises(ApiError) as info:
        run_demo(fresh, "gpt2", "hello", params=params)
    assert info.value.status == 400 and info.value.code == "remote_code_refused"
    error = assert_error(fresh.test_client().post("/demo", json={"model": "gpt2", "text": "x", "params": params}), 400)
    assert error["code"] == "remote_code_refused"
    body = {"model": "gpt2", "text": "x", "trust_remote_code": True}
    assert_error(fresh.test_client().post("/demo", json=body), 400, "remote_code_refused")
    assert "modelkg_demo_worker" not in fresh.extensions


@pytest.mark.parametrize("slug", REMOVED)
def test_models_transformers_no_longer_implements_are_not_runnable_with_the_reason(client, slug: str) -> None:
    assert len(REMOVED) == 3
    error = assert_error(client.post("/demo", json={"model": slug, "text": "hello"}), 422, "not_runnable")
    assert "not runnable here" in error["message"]
    assert FACTS[slug]["status_note"][:40] in error["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"model": "gpt2", "text": "hi", "params": {"max_new_tokens": 10_000}}, 400, "param_out_of_range"),
        ({"model": "gpt2", "text": "hi", "params": {"max_new_tokens": 0}}, 400, "param_out_of_range"),
        ({"model": "gpt2", "text": "hi", "params": {"num_beams": 99}}, 400, "param_out_of_range"),
        ({"model": "gpt2", "text": "hi", "params": {"top_p": 1.5}}, 400, "param_out_of_range"),
        ({"model": "gpt2", "text": "hi", "params": {"max_new_tokens": "10"}}, 400, "bad_param"),
        ({"model": "gpt2", "text": "hi", "params": {"do_sample": 1}}, 400, "bad_param"),
        ({"model": "gpt2", "text": "hi", "params": {"do_sample": True, "temperature": float("nan")}}, 400, "bad_param"),
        ({"model": "gpt2", "text": "hi", "params": {"temperature_k": 1}}, 400, "unknown_param"),
        (
            {"model": "bert", "task": "fill-mask", "text": "a [MASK]", "params": {"max_new_tokens": 3}},
            400,
            "unknown_param",
        ),
        ({"model": "gpt2", "text": "x" * 1001}, 400, "input_too_long"),
        ({"model": "gpt2", "text": "   "}, 400, "bad_request"),
        ({"model": "gpt2", "text": 5}, 400, "bad_request"),
        ({"model": "gpt2", "text": "hi", "params": [1]}, 400, "bad_request"),
        ({"model": "gpt2"}, 400, "bad_request"),
        ({"model": "gpt2", "text": "hi", "colour": "blue"}, 400, "bad_request"),
        ({"model": "gpt2", "text": "hi", "task": "juggling"}, 400, "unknown_task"),
        ({"model": "gpt2", "text": "hi", "task": "summarization"}, 422, "task_not_runnable"),
        ({"model": "xlm", "text": "hi", "task": "translation"}, 422, "task_not_runnable"),
        ({"model": "gpt-7", "text": "hi"}, 404, "unknown_model"),
    ],
)
def test_bad_demo_requests_get_json_errors(client, body: dict, status: int, code: str) -> None:
    assert_error(client.post("/demo", json=body), status, code)


def test_the_envelope_must_be_a_json_object(client) -> None:
    assert_error(client.post("/demo", data="model=gpt2", content_type="text/plain"), 415)
    assert_error(client.post("/demo", data="{not json", content_type="application/json"), 400, "bad_json")
    assert_error(client.post("/demo", json=["gpt2", "hi"]), 400, "bad_json")
    assert_error(client.put("/demo", json={}), 405)


def test_a_demo_over_http_has_the_shape_the_page_renders(client) -> None:
    response = client.post(
        "/demo", json={"model": "Original GPT", "text": "Once upon a time", "params": {"max_new_tokens": 4}}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert {"model", "checkpoint", "weights", "task", "output", "seconds", "note"} <= set(body)
    assert body["model"] == "original-gpt" and body["weights"] == "random" and body["task"] == "text-generation"
    assert body["output"].startswith("Once upon a time")
    assert RANDOM_NOTE in body["note"]


def test_generation_respects_the_token_cap(app) -> None:
    result = run_demo(app, "gpt2", "Hello", params={"max_new_tokens": 3, "num_beams": 2})
    tokenizer_free_growth = len(result["output"]) - len("Hello")
    assert 0 < tokenizer_free_growth <= 3 * 8  # three tokens of at most a few bytes each
    result = run_demo(app, "t5", "The house is wonderful.", "translation", {"max_new_tokens": 4})
    assert "translate English to German" in result["note"]


def test_a_second_demo_of_the_same_model_reuses_the_loaded_model(app) -> None:
    worker = worker_for(app)
    run_demo(app, "ctrl", "Hello", params={"max_new_tokens": 2})
    loads = worker.loads
    started = time.perf_counter()
    again = run_demo(app, "ctrl", "Hello again", params={"max_new_tokens": 2})
    assert worker.loads == loads
    assert again["seconds"] < 1 and time.perf_counter() - started < 2


def test_the_cache_drops_the_least_recently_used_model(seed_db_url: str, no_hf_cache: str) -> None:
    small = create_app({"database_url": seed_db_url, "rate_limit": "", "demo_cache_models": 2})
    worker = worker_for(small)
    for name in ("gpt2", "ctrl", "gpt2", "openai-gpt"):
        run_demo(small, name, "Hello", params={"max_new_tokens": 1})
    assert worker.loads == 3
    assert [key[0] for key in worker.cached_keys()] == ["gpt2", "openai-gpt"]


def _save_tiny_gpt2(directory: Path, *, seed: int) -> None:
    import transformers

    from service.demo.tiny import build_tiny

    model, tokenizer, _ = build_tiny("gpt2", transformers.GPT2LMHeadModel, seed=seed)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


def test_weights_saved_in_the_models_dir_are_loaded_as_real_local_weights(
    seed_db_url: str, tmp_path: Path, no_hf_cache: str
) -> None:
    models_dir = tmp_path / "models"
    target = models_dir / "openai-community--gpt2"
    _save_tiny_gpt2(target, seed=7)
    assert (target / "model.safetensors").is_file()
    local = create_app({"database_url": seed_db_url, "rate_limit": "", "models_dir": str(models_dir)})
    result = run_demo(local, "GPT-2", "Once upon a time", params={"max_new_tokens": 6})
    assert result["weights"] == "local" and result["checkpoint"] == "openai-community/gpt2"
    assert str(target) in result["note"] and RANDOM_NOTE not in result["note"]
    (key,) = worker_for(local).cached_keys()
    assert key[3] == "local" and key[4] == str(target.resolve())

    random_app = create_app({"database_url": seed_db_url, "rate_limit": "", "models_dir": ""})
    noise = run_demo(random_app, "GPT-2", "Once upon a time", params={"max_new_tokens": 6})
    assert noise["weights"] == "random" and noise["output"] != result["output"]

    table = {row["model"]: row for row in demo_table(catalogue_for(local), str(models_dir))}
    assert table["gpt-2"]["status"] == "real weights"


def test_the_models_dir_holds_only_safetensors_of_the_right_architecture(
    seed_db_url: str, tmp_path: Path, no_hf_cache: str
) -> None:
    models_dir = tmp_path / "models"
    pickled = models_dir / "openai-community--gpt2"
    _save_tiny_gpt2(pickled, seed=7)
    (pickled / "model.safetensors").rename(pickled / "pytorch_model.bin")
    wrong = models_dir / "gpt-2"
    wrong.mkdir(parents=True)
    (wrong / "config.json").write_text(json.dumps({"model_type": "bert"}))
    local = create_app({"database_url": seed_db_url, "rate_limit": "", "models_dir": str(models_dir)})
    result = run_demo(local, "gpt2", "Hello", params={"max_new_tokens": 2})
    assert result["weights"] == "random"
    assert "no safetensors weights" in result["note"] and "model_type 'bert'" in result["note"]


def test_the_readme_table_is_the_generated_one(app) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- models:start -->\n", 1)[1].split("<!-- models:end -->", 1)[0]
    expected = models_markdown(demo_table(catalogue_for(app), ""))
    assert block == expected, "run `modelkg models --markdown` and paste it into the README"
    assert expected.count("\n") == 2 + 28
    assert expected.count("| not runnable |") == 3


def test_cli_demo_and_models(seed_db_url: str, no_hf_cache: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--database-url", seed_db_url, "demo", "gpt2", "Once upon a time", "--param", "max_new_tokens", "3"],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["model"] == "gpt-2" and body["weights"] == "random"
    refused = runner.invoke(main, ["--database-url", seed_db_url, "demo", "../../etc", "x"])
    assert refused.exit_code == 1 and "No model named '../../etc'" in refused.stderr
    listed = runner.invoke(main, ["--database-url", seed_db_url, "models"])
    assert listed.exit_code == 0 and "transformer-xl" in listed.stdout and "not runnable" in listed.stdout


def test_a_checkpoint_in_the_hugging_face_cache_is_loaded_offline(seed_db_url: str, tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    snapshot = cache / "models--openai-community--openai-gpt" / "snapshots" / ("a" * 40)
    (cache / "models--openai-community--openai-gpt" / "refs").mkdir(parents=True)
    (cache / "models--openai-community--openai-gpt" / "refs" / "main").write_text("a" * 40)
    import transformers

    from service.demo.tiny import build_tiny

    model, tokenizer, _ = build_tiny("openai-gpt", transformers.OpenAIGPTLMHeadModel, seed=3)
    model.save_pretrained(snapshot)
    tokenizer.save_pretrained(snapshot)
    before = os.environ.get("HF_HUB_CACHE")
    os.environ["HF_HUB_CACHE"] = str(cache)
    try:
        cached = create_app({"database_url": seed_db_url, "rate_limit": "", "models_dir": ""})
        result = run_demo(cached, "Original GPT", "Once upon a time", params={"max_new_tokens": 3})
    finally:
        if before is None:
            os.environ.pop("HF_HUB_CACHE", None)
        else:
            os.environ["HF_HUB_CACHE"] = before
    assert result["weights"] == "local" and result["checkpoint"] == "openai-community/openai-gpt"
    assert "Hugging Face cache" in result["note"]


def test_question_answering_takes_the_question_and_context_on_one_line_or_several(app) -> None:
    one_line = run_demo(app, "BERT", "Where is Ada? Ada lives in Paris.", "question-answering")
    lines = run_demo(app, "BERT", "Where is Ada?\nAda lives in Paris.", "question-answering")
    assert one_line["output"] == lines["output"] and one_line["output"]["answer"]
    with pytest.raises(ApiError) as info:
        run_demo(app, "BERT", "Ada lives in Paris.", "question-answering")
    assert info.value.status == 400 and "context" in info.value.message
