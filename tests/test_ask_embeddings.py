"""The entity embeddings: the numpy encoder is all-MiniLM-L6-v2, and an ingest reuses unchanged vectors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from graph.embeddings import EntityText, embed_entity_texts, load_encoder, model_path, text_digest
from graph.store import Store
from ingest.build import Sources, ingest

TEXTS = [
    "Which models suit summarization?",
    "BERT",
    "DistilBERT is Hugging Face's compressed BERT, obtained by knowledge distillation during pre-training.",
    "哪些模型适合翻译",
    "",
]


def test_the_numpy_encoder_matches_sentence_transformers() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sentence-transformers' own deprecation notices
        from sentence_transformers import SentenceTransformer

        reference = SentenceTransformer(str(model_path()), device="cpu").encode(TEXTS, normalize_embeddings=True)
    ours = load_encoder().encode(TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.allclose(load_encoder().encode(TEXTS[0]), ours[0], atol=1e-6)


class _NoEncoder:
    def encode(self, texts):  # pragma: no cover - failing is the point
        raise AssertionError(f"re-encoded {len(texts)} texts that had stored vectors")


def test_stored_vectors_are_reused_and_only_new_texts_encoded() -> None:
    texts = [EntityText("https://w3id.org/modelkg/model/bert", "model", "label", "BERT")]
    stored = {text_digest("BERT"): np.ones(384, dtype="<f4").tobytes()}
    reused = embed_entity_texts(texts, reuse=stored, encoder=_NoEncoder())
    assert reused[0].vector == stored[text_digest("BERT")]
    with pytest.raises(AssertionError, match="re-encoded 1 texts"):
        embed_entity_texts(
            [*texts, EntityText(texts[0].entity, "model", "alias", "bert-base")], reuse=stored, encoder=_NoEncoder()
        )


def test_ingest_writes_vectors_with_the_graph_and_reingest_reuses_them(store: Store, mini_sources: Sources) -> None:
    ingest(store, mini_sources)
    version, first = store.embeddings()
    assert first and version == store.version()
    assert {t.kind for t in first} >= {"model", "task"}
    ingest(store, mini_sources)
    again_version, again = store.embeddings()
    assert again_version == version and [(t.entity, t.text, t.vector) for t in again] == [
        (t.entity, t.text, t.vector) for t in first
    ]
    mini_sources.embeddings = False
    ingest(store, mini_sources)
    assert store.embeddings()[1] == []  # no stale vectors left beside a graph written without them
