"""Tiny, randomly initialised instances of a transformers architecture, with a tokenizer built offline.

When no real weights for a model are on this machine, its demo still shows
that the architecture runs: the model's own transformers class, built from its
own configuration class with tiny sizes (hidden 32, two layers), and a
tokenizer trained in milliseconds with the ``tokenizers`` library on a small
built-in corpus, carrying the family's real special tokens (``[MASK]`` for
BERT's family, ``<mask>`` for RoBERTa's, ``<special1>`` for XLM's, ...).
Nothing is downloaded. The weights are random, so the text a demo produces is
noise; every result built here says so.

Seeds are fixed, so a given model, task and input always give the same noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: Every demo of a random-weights instance says this.
RANDOM_NOTE = "Random weights: shows the architecture runs; its text is noise."

#: Longest input, in tokens, a tiny instance accepts (its position table); inputs are cut to it.
TINY_MAX_POSITIONS = 1280

#: A few sentences in the languages the seed models cover, to train the tiny tokenizers on.
CORPUS = (
    "Paris is the capital of France. Berlin is the capital of Germany.",
    "The quick brown fox jumps over the lazy dog.",
    "Once upon a time there was a language model that read the whole web.",
    "A transformer encodes text with self-attention and feed-forward layers.",
    "Translate English to German: the house is wonderful. Das Haus ist wunderbar.",
    "Summarize: the model was trained on a large corpus of books and web pages.",
    "Paris est la capitale de la France. Le chat dort sur le canapé.",
    "Question: who wrote the paper? Answer: the authors of the paper.",
    "Masked language modelling hides a word and asks the model to predict it.",
    "BERT, GPT-2, T5, BART and XLNet are pre-trained on unlabelled text.",
    "巴黎是法国的首都。语言模型预测下一个词。",
    "Retrieval finds passages; a generator writes the answer from them.",
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?'\"()[]{}-_/@#$%&*+=<>",
)


@dataclass(frozen=True)
class Family:
    """How a family of models tokenizes: algorithm, special tokens, and the template around a text."""

    algorithm: str  # "wordpiece", "bytelevel-bpe", "bpe" or "unigram"
    specials: dict[str, str]  # role (pad_token, mask_token, ...) -> token
    extra: tuple[str, ...] = ()  # more special tokens (sentinels, language codes)
    prefix: tuple[str, ...] = ()  # roles of tokens before the text
    suffix: tuple[str, ...] = ()  # roles after it
    padding_side: str = "right"
    vocab_size: int = 400
    double_sep: bool = False  # RoBERTa's pairs: <s> A </s></s> B </s>


BERT_LIKE = Family(
    "wordpiece",
    {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]"},
    prefix=("cls_token",),
    suffix=("sep_token",),
)
ROBERTA_LIKE = Family(
    "bytelevel-bpe",
    {
        "bos_token": "<s>",
        "pad_token": "<pad>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "mask_token": "<mask>",
        "cls_token": "<s>",
        "sep_token": "</s>",
    },
    prefix=("bos_token",),
    suffix=("eos_token",),
    double_sep=True,
)
SENTENCEPIECE_ROBERTA = Family(
    "unigram", ROBERTA_LIKE.specials, prefix=("bos_token",), suffix=("eos_token",), double_sep=True
)
GPT2_LIKE = Family(
    "bytelevel-bpe", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}
)
T5_LIKE = Family(
    "unigram",
    {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"},
    extra=tuple(f"<extra_id_{i}>" for i in range(4)),
    suffix=("eos_token",),
)

FAMILIES: dict[str, Family] = {
    "bert": BERT_LIKE,
    "distilbert": BERT_LIKE,
    "convbert": BERT_LIKE,
    "electra": BERT_LIKE,
    "dpr": BERT_LIKE,
    "funnel": Family(
        "wordpiece",
        {**BERT_LIKE.specials, "cls_token": "<cls>"},
        prefix=("cls_token",),
        suffix=("sep_token",),
    ),
    "prophetnet": Family(
        "wordpiece",
        {**BERT_LIKE.specials, "eos_token": "[SEP]", "bos_token": "[CLS]"},
        suffix=("sep_token",),
    ),
    "roberta": ROBERTA_LIKE,
    "longformer": ROBERTA_LIKE,
    "bart": ROBERTA_LIKE,
    "xlm-roberta": SENTENCEPIECE_ROBERTA,
    "mbart": Family("unigram", ROBERTA_LIKE.specials, extra=("en_XX", "de_DE", "fr_XX"), suffix=("eos_token",)),
    "gpt2": GPT2_LIKE,
    "ctrl": Family("bpe", {"unk_token": "<unk>"}),
    "openai-gpt": Family("bpe", {"unk_token": "<unk>"}),
    "t5": T5_LIKE,
    "mt5": T5_LIKE,
    "pegasus": Family(
        "unigram",
        {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>", "mask_token": "<mask_2>"},
        extra=("<mask_1>",),
        suffix=("eos_token",),
    ),
    "marian": Family(
        "unigram", {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}, suffix=("eos_token",)
    ),
    "albert": Family(
        "unigram",
        {
            "pad_token": "<pad>",
            "unk_token": "<unk>",
            "cls_token": "[CLS]",
            "sep_token": "[SEP]",
            "mask_token": "[MASK]",
        },
        prefix=("cls_token",),
        suffix=("sep_token",),
    ),
    "xlnet": Family(
        "unigram",
        {
            "unk_token": "<unk>",
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "<sep>",
            "pad_token": "<pad>",
            "cls_token": "<cls>",
            "mask_token": "<mask>",
        },
        suffix=("sep_token", "cls_token"),
        padding_side="left",
    ),
    "xlm": Family(
        "bpe",
        {
            "bos_token": "<s>",
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
            "mask_token": "<special1>",
        },
        extra=("<special0>",),
        prefix=("bos_token",),
        suffix=("eos_token",),
    ),
    "flaubert": Family(
        "bpe",
        {
            "bos_token": "<s>",
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "unk_token": "<unk>",
            "mask_token": "<special1>",
        },
        extra=("<special0>",),
        prefix=("bos_token",),
        suffix=("eos_token",),
    ),
    # the real Reformer tokenizers have no mask; ReformerForMaskedLM's tiny instance gets one
    "reformer": Family(
        "unigram", {"unk_token": "<unk>", "eos_token": "</s>", "pad_token": "<pad>", "mask_token": "<mask>"}
    ),
}

_H = 32  # hidden size of every tiny instance
_P = TINY_MAX_POSITIONS
_ENCODER = {
    "hidden_size": _H,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "max_position_embeddings": _P + 8,
}
_SEQ2SEQ = {
    "d_model": _H,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": _P + 8,
}
_T5 = {"d_model": _H, "d_ff": 64, "d_kv": 16, "num_layers": 2, "num_decoder_layers": 2, "num_heads": 2}
_GPT = {"n_embd": _H, "n_layer": 2, "n_head": 2, "n_positions": _P}
_XLM = {"emb_dim": _H, "n_layers": 2, "n_heads": 2, "max_position_embeddings": _P}

#: Configuration overrides that make each architecture tiny; everything else is the class default.
TINY_CONFIGS: dict[str, dict[str, Any]] = {
    "bert": _ENCODER,
    "dpr": _ENCODER,
    "roberta": _ENCODER,
    "xlm-roberta": _ENCODER,
    "electra": {**_ENCODER, "embedding_size": 16},
    "albert": {**_ENCODER, "embedding_size": 16},
    "convbert": {**_ENCODER, "num_attention_heads": 4, "embedding_size": _H, "conv_kernel_size": 3},
    "longformer": {**_ENCODER, "attention_window": [8, 8]},
    "distilbert": {"dim": _H, "n_layers": 2, "n_heads": 2, "hidden_dim": 64, "max_position_embeddings": _P},
    "funnel": {"block_sizes": [1, 1], "num_decoder_layers": 1, "d_model": _H, "n_head": 2, "d_head": 16, "d_inner": 64},
    "bart": _SEQ2SEQ,
    "mbart": _SEQ2SEQ,
    "pegasus": _SEQ2SEQ,
    "marian": _SEQ2SEQ,
    "prophetnet": {
        "hidden_size": _H,
        "num_encoder_layers": 2,
        "num_decoder_layers": 2,
        "num_encoder_attention_heads": 2,
        "num_decoder_attention_heads": 2,
        "encoder_ffn_dim": 64,
        "decoder_ffn_dim": 64,
        "ngram": 2,
        "max_position_embeddings": _P,
    },
    "t5": _T5,
    "mt5": _T5,
    "gpt2": _GPT,
    "openai-gpt": _GPT,
    "ctrl": {**_GPT, "dff": 64},
    "xlm": _XLM,
    "flaubert": _XLM,
    "xlnet": {"d_model": _H, "n_layer": 2, "n_head": 2, "d_inner": 64},
    "reformer": {
        "hidden_size": _H,
        "num_attention_heads": 2,
        "attention_head_size": 16,
        "attn_layers": ["local", "lsh"],
        "axial_pos_shape": [32, 40],
        "axial_pos_embds_dim": [16, 16],
        "feed_forward_size": 64,
        "local_attn_chunk_length": 16,
        "lsh_attn_chunk_length": 16,
        "num_hashes": 1,
        "num_buckets": 4,
        "max_position_embeddings": _P,
        "is_decoder": True,
    },
}

#: The two halves of RAG: a DPR question encoder and a BART generator.
RAG_PARTS = ("dpr", "bart")


def tiny_types() -> list[str]:
    """The model types this module can build tiny instances of.

    >>> "gpt2" in tiny_types() and "rag" in tiny_types()
    True
    """
    return sorted([*TINY_CONFIGS, "rag"])


@lru_cache(maxsize=32)
def tiny_tokenizer(model_type: str) -> Any:
    """A ``PreTrainedTokenizerFast`` for ``model_type``, trained here on ``CORPUS`` (a few milliseconds).

    The tokenizer is cached per model type; callers that run it from several
    threads must serialise (the demo worker runs everything on one thread).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    family = FAMILIES[model_type]
    specials = list(dict.fromkeys([*family.specials.values(), *family.extra]))
    unk = family.specials.get("unk_token")
    if family.algorithm == "wordpiece":
        tok = Tokenizer(models.WordPiece(unk_token=unk))
        tok.normalizer = normalizers.BertNormalizer(lowercase=False)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece()
        trainer = trainers.WordPieceTrainer(vocab_size=family.vocab_size, special_tokens=specials, show_progress=False)
    elif family.algorithm == "bytelevel-bpe":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=family.vocab_size,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
    elif family.algorithm == "bpe":
        tok = Tokenizer(models.BPE(unk_token=unk, end_of_word_suffix="</w>"))
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tok.decoder = decoders.BPEDecoder(suffix="</w>")
        trainer = trainers.BpeTrainer(
            vocab_size=family.vocab_size, special_tokens=specials, end_of_word_suffix="</w>", show_progress=False
        )
    else:
        tok = Tokenizer(models.Unigram())
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
        trainer = trainers.UnigramTrainer(
            vocab_size=family.vocab_size, special_tokens=specials, unk_token=unk, show_progress=False
        )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    if family.prefix or family.suffix:
        before = " ".join(family.specials[r] for r in family.prefix)
        after = " ".join(family.specials[r] for r in family.suffix)
        single = " ".join(part for part in (before, "$A", after) if part)
        middle = f"{after} {after}" if family.double_sep else after
        pair = " ".join(part for part in (before, "$A", middle, "$B:1", after) if part)
        used = {family.specials[r] for r in (*family.prefix, *family.suffix)}
        tok.post_processor = processors.TemplateProcessing(
            single=single, pair=pair, special_tokens=[(t, tok.token_to_id(t)) for t in used]
        )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        model_max_length=TINY_MAX_POSITIONS,
        padding_side=family.padding_side,
        **family.specials,
        additional_special_tokens=list(family.extra),
    )
    return wrapped


def tiny_config(model_type: str, tokenizer: Any, **overrides: Any) -> Any:
    """The transformers configuration of ``model_type`` with tiny sizes and the tokenizer's special ids;
    ``overrides`` set more fields (``is_decoder=True`` for a causal head on an encoder)."""
    from transformers import AutoConfig

    if model_type == "rag":
        from transformers import RagConfig

        question = tiny_config(RAG_PARTS[0], tiny_tokenizer(RAG_PARTS[0]))
        generator = tiny_config(RAG_PARTS[1], tokenizer)
        return RagConfig.from_question_encoder_generator_configs(
            question, generator, n_docs=2, retrieval_vector_size=_H, **_special_ids(generator)
        )
    ids = {
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    if model_type in ("xlm", "flaubert"):
        ids["mask_token_id"] = tokenizer.mask_token_id
    if model_type == "marian":
        ids["decoder_vocab_size"] = len(tokenizer)
    if model_type in ("t5", "mt5", "pegasus", "marian"):
        ids["decoder_start_token_id"] = tokenizer.pad_token_id
    elif model_type in ("bart", "mbart", "prophetnet"):
        ids["decoder_start_token_id"] = tokenizer.eos_token_id
    fields = {**TINY_CONFIGS[model_type], **ids, **overrides}
    return AutoConfig.for_model(model_type, vocab_size=len(tokenizer), **fields)


def _special_ids(config: Any) -> dict[str, Any]:
    names = ("pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id")
    return {name: getattr(config, name, None) for name in names}


def tiny_tokenizers(model_type: str) -> tuple[Any, Any | None]:
    """The tokenizer for the model's input, and for RAG the generator's as well (else None)."""
    if model_type == "rag":
        return tiny_tokenizer(RAG_PARTS[0]), tiny_tokenizer(RAG_PARTS[1])
    return tiny_tokenizer(model_type), None


def build_tiny(model_type: str, model_class: Any, *, seed: int = 0, **overrides: Any) -> tuple[Any, Any, Any | None]:
    """``(model, tokenizer, generator_tokenizer)``: a randomly initialised ``model_class`` of ``model_type``.

    ``model_class`` is the transformers class of the head a task needs (e.g.
    ``GPT2LMHeadModel``); the seed makes the random weights repeatable.
    """
    import torch

    tokenizer, generator_tokenizer = tiny_tokenizers(model_type)
    config = tiny_config(model_type, generator_tokenizer or tokenizer, **overrides)
    torch.manual_seed(seed)
    model = model_class(config)
    model.eval()
    return model, tokenizer, generator_tokenizer
