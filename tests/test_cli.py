"""The modelkg command as a user runs it: real processes, one-line errors, non-zero exits."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import MINI, ROOT

COMMANDS = ["ingest", "stats", "export", "sparql", "settings"]
MINI_INGEST = [
    "ingest",
    *("--taxonomy", str(MINI / "taxonomy.md")),
    *("--facts", str(MINI / "models")),
    *("--concepts", str(MINI / "concepts.yaml")),
    "--no-transformers",
]


def modelkg(*args: str, url: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MODELKG_DATABASE_URL"}
    if url:
        env["MODELKG_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        input=stdin,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("modelkg: error: ")]
    assert errors == lines[-1:], result.stderr  # progress lines may come first; the error is one line, last
    assert fragment in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command: str | None) -> None:
    result = modelkg(*([command] if command else []), "-h")
    assert result.returncode == 0
    assert "Usage: " in result.stdout
    if command not in (None, "settings"):
        assert "Example" in result.stdout


def test_commands_on_an_empty_store_say_to_ingest_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    for args in (["stats"], ["export"], ["sparql", "ASK {}"]):
        assert_one_line_error(modelkg(*args, url=url), "run `modelkg ingest` first")
    assert not (tmp_path / "none.db").exists()


def test_ingest_refuses_a_malformed_taxonomy_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("just some prose\n")
    result = modelkg("ingest", "--taxonomy", str(bad), url=f"sqlite:///{tmp_path / 'kg.db'}")
    assert_one_line_error(result, "bad.md: no '# ' title line")


def test_ingest_stats_sparql_and_export_on_a_small_graph(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kg.db'}"
    ingested = modelkg(*MINI_INGEST, url=url)
    assert ingested.returncode == 0, ingested.stderr
    assert "Wrote " in ingested.stderr and "2 seed models" in ingested.stderr
    assert ingested.stdout == ""

    stats = json.loads(modelkg("stats", "--json", url=url).stdout)
    assert stats["seed_models"]["count"] == 2
    assert stats["classes"]["Model"] == 2

    query = (
        "SELECT ?label WHERE { model:distilbert mkg:distilledFrom ?m . ?m rdfs:label ?label FILTER(LANG(?label)='en') }"
    )
    rows = list(csv.DictReader(io.StringIO(modelkg("sparql", query, "--format", "csv", url=url).stdout)))
    assert rows == [{"label": "BERT"}]
    table = modelkg("sparql", "-", url=url, stdin=query).stdout
    assert table.splitlines()[0].strip() == "label" and "BERT" in table

    out = tmp_path / "kg.graphml"
    assert modelkg("export", "--format", "graphml", "-o", str(out), url=url).returncode == 0
    assert out.read_text().startswith("<?xml")


def test_bad_sparql_is_one_line_with_the_position(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kg.db'}"
    modelkg(*MINI_INGEST, "-q", url=url)
    result = modelkg("sparql", "SELECT ?x WHERE { ?x a }", url=url)
    assert_one_line_error(result, "SPARQL syntax error: error at 1:")
    assert_one_line_error(modelkg("sparql", "ASK {}", "--format", "ttl", url=url), "cannot be written as ttl")


def test_a_bad_setting_value_is_one_line() -> None:
    env_bad = {**os.environ, "MODELKG_STORE_LOCK_WAIT_S": "soon"}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "settings"],
        capture_output=True,
        text=True,
        env=env_bad,
        cwd=ROOT,
        timeout=60,
    )
    assert_one_line_error(result, "MODELKG_STORE_LOCK_WAIT_S must be a number")
