"""The taxonomy parser: the seed document exactly, and clear refusals of what it cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.taxonomy import SEED_TAXONOMY, TaxonomyError, parse_taxonomy, read_taxonomy

SEED_CATEGORIES = {
    "autoregressive": ["original-gpt", "gpt-2", "ctrl", "transformer-xl", "reformer", "xlnet"],
    "autoencoding": [
        "bert",
        "albert",
        "roberta",
        "distilbert",
        "convbert",
        "xlm",
        "xlm-roberta",
        "flaubert",
        "electra",
        "funnel-transformer",
        "longformer",
    ],
    "sequence-to-sequence": ["bart", "pegasus", "marianmt", "t5", "mt5", "mbart", "prophetnet", "xlm-prophetnet"],
    "multimodal": ["mmbt"],
    "retrieval-based": ["dpr", "rag"],
}


def test_seed_document_parses_to_its_five_categories_and_28_models() -> None:
    taxonomy = read_taxonomy(SEED_TAXONOMY)
    assert {c.slug: [m.anchor for m in c.models] for c in taxonomy.categories} == SEED_CATEGORIES
    assert [c.position for c in taxonomy.categories] == [1, 2, 3, 4, 5]
    assert len(taxonomy.models) == 28
    assert taxonomy.language == "zh"


def test_seed_document_keeps_the_summary_spelling_and_its_chinese_category_names() -> None:
    taxonomy = read_taxonomy(SEED_TAXONOMY)
    names = {m.anchor: m.name for m in taxonomy.models}
    assert names["roberta"] == "RoBERT"
    assert names["original-gpt"] == "Original GPT"
    assert names["funnel-transformer"] == "Funnel Transformer"
    labels = {c.slug: c.label_local for c in taxonomy.categories}
    assert labels == {
        "autoregressive": "自回归模型",
        "autoencoding": "自编码模型",
        "sequence-to-sequence": "序列到序列模型",
        "multimodal": "多模态模型",
        "retrieval-based": "基于检索的模型",
    }


def test_the_empty_last_section_is_not_a_category() -> None:
    taxonomy = read_taxonomy(SEED_TAXONOMY)
    assert taxonomy.skipped_sections == ("More technical aspects",)


def test_the_shipped_copy_is_the_seed_document() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "model_summary.zh.md"
    if not shared.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert SEED_TAXONOMY.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("## 1. Models\n1. [BERT](x.html#bert)\n", "no '# ' title"),
        ("# Title\n\nSome prose, no sections.\n", "no '## ' category"),
        ("# Title\n## 1. Empty\n## 2. Also empty\n", "no '## ' category"),
        ("# T\n## 1. A models\n1. [BERT](x.html#bert)\n2. [BERT again](x.html#bert)\n", "already listed on line 3"),
        ("# T\n## 1. A models\n1. [BERT](x.html)\n", "has no #anchor"),
        ("# T\n# Second\n## 1. A\n1. [BERT](x.html#bert)\n", "second '# ' title"),
        ("# T\n## 1. A models\n1. [B](x#b)\n## 2. A model\n1. [C](x#c)\n", "share a name"),
    ],
)
def test_documents_it_cannot_read_are_refused_with_a_clear_message(text: str, expected: str) -> None:
    with pytest.raises(TaxonomyError, match=expected) as info:
        parse_taxonomy(text, name="doc.md")
    assert str(info.value).startswith("doc.md")


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="no such file"):
        read_taxonomy(tmp_path / "missing.md")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        read_taxonomy(binary)


def test_a_user_document_in_another_shape_of_the_same_kind_parses() -> None:
    text = (
        "# My models\n\n- Encoders ([Encoder models](https://e.org/#encoder-models))\n\n"
        "## Encoder models\n\n* [Tiny BERT](https://e.org/tiny#tinybert)\n\n[ELECTRA](https://e.org/#electra)\n"
    )
    taxonomy = parse_taxonomy(text, name="mine.md")
    (category,) = taxonomy.categories
    assert category.slug == "encoder"
    assert [m.anchor for m in category.models] == ["tinybert", "electra"]
    assert taxonomy.language is None
