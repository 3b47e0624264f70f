"""Curated fact files: the shipped data is whole, and a bad file is refused naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from graph.store import Store
from ingest.build import ShapeError, Sources, ingest
from ingest.facts import FactsError, load_concepts, load_models
from ingest.taxonomy import SEED_TAXONOMY, read_taxonomy

from .conftest import MINI


def test_every_seed_model_has_a_facts_file_with_no_gaps() -> None:
    concepts = load_concepts()
    models = load_models(concepts=concepts)
    anchors = [m.anchor for m in read_taxonomy(SEED_TAXONOMY).models]
    assert sorted(models) == sorted(anchors)
    for slug, data in models.items():
        assert data["objectives"] and data["tasks"] and data["checkpoints"], slug
        assert data["paper"]["year"] and data["paper"]["title"], slug
        assert data["paper"]["arxiv"] or data["paper"]["url"], slug
        assert data["label_zh"].strip(), slug


def test_summary_names_are_labels_or_aliases() -> None:
    models = load_models(concepts=load_concepts())
    names = {m.anchor: m.name for m in read_taxonomy(SEED_TAXONOMY).models}
    for slug, data in models.items():
        assert data["summary_name"] == names[slug], slug


def test_curated_categories_agree_with_the_summary() -> None:
    models = load_models(concepts=load_concepts())
    for category in read_taxonomy(SEED_TAXONOMY).categories:
        for entry in category.models:
            assert models[entry.anchor]["category"] == category.slug, entry.anchor


def _copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def _edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    for key, value in changes.items():
        if value is KeyError:
            del data[key]
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"objectives": KeyError}, r"bert\.yaml: 'objectives' is required"),
        ({"objectives": []}, r"bert\.yaml: 'objectives' must list at least one value"),
        ({"objectives": ["guessing"]}, r"'objectives' names unknown objective 'guessing'"),
        ({"category": "cooking"}, r"'category' names unknown category 'cooking'"),
        ({"multilingual": "yes"}, r"'multilingual' must be true or false"),
        ({"tasks": []}, r"'tasks' must list at least one task"),
        ({"tasks": [{"task": "fill-mask"}]}, r"tasks #1\): 'reason' is required"),
        (
            {"paper": {"title": "x", "year": 2018, "arxiv": "not-an-id", "url": "https://x.org"}},
            r"'arxiv' must look like",
        ),
        ({"slug": "ernie"}, r"'slug' is 'ernie' but the file is named bert\.yaml"),
        ({"derived_from": [{"model": "gpt-9", "relation": "builds-on"}]}, r"names unknown model 'gpt-9'"),
        ({"derived_from": [{"model": "distilbert", "relation": "cousin-of"}]}, r"names unknown relation 'cousin-of'"),
        ({"transformers_status": "removed"}, r"'status_note' is required"),
        ({"checkpoints": [{"id": "x", "parameters": -3}]}, r"'parameters' must be positive"),
    ],
)
def test_invalid_fact_files_are_refused_naming_file_and_field(tmp_path: Path, changes: dict, expected: str) -> None:
    mini = _copy_mini(tmp_path)
    _edit(mini / "models" / "bert.yaml", **changes)
    with pytest.raises(FactsError, match=expected):
        load_models(mini / "models", concepts=load_concepts(mini / "concepts.yaml"))


def test_malformed_yaml_is_refused_with_line_and_column(tmp_path: Path) -> None:
    mini = _copy_mini(tmp_path)
    (mini / "models" / "bert.yaml").write_text("slug: bert\nlabel: [unclosed\n")
    with pytest.raises(FactsError, match=r"bert\.yaml:\d+:\d+: not valid YAML"):
        load_models(mini / "models", concepts=load_concepts(mini / "concepts.yaml"))


def test_an_invalid_fact_file_changes_nothing_in_the_store(tmp_path: Path, store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    before = sorted(store.rows())
    version = store.version()
    mini = _copy_mini(tmp_path)
    _edit(mini / "models" / "distilbert.yaml", objectives=["guessing"])
    bad = Sources(mini / "taxonomy.md", mini / "concepts.yaml", mini / "models", transformers=False)
    with pytest.raises(FactsError):
        ingest(store, bad)
    assert sorted(store.rows()) == before
    assert store.version() == version


def test_data_failing_the_shapes_is_refused_with_a_readable_report(
    tmp_path: Path, store: Store, mini_sources: Sources
) -> None:
    ingest(store, mini_sources)
    before = sorted(store.rows())
    mini = _copy_mini(tmp_path)
    # A model listed in the taxonomy under a second category: the shapes allow one category per model.
    text = (mini / "taxonomy.md").read_text() + "\n## 3. Autoregressive models\n\n1. [BERT again](x.html#bert-two)\n"
    (mini / "taxonomy.md").write_text(text)
    bad = Sources(mini / "taxonomy.md", mini / "concepts.yaml", mini / "models", transformers=False)
    with pytest.raises(ShapeError) as info:
        ingest(store, bad)
    assert any(line.startswith("model/bert-two") for line in info.value.report)
    assert "needs at least one pre-training objective" in str(info.value)
    assert sorted(store.rows()) == before
