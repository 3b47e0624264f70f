"""The words of an answer in English and Chinese: list joining, fact phrases, fallbacks."""

from __future__ import annotations

from collections.abc import Sequence

RELATIONS = {
    "distilledFrom": ("distilled from", "蒸馏自"),
    "multilingualVariantOf": ("a multilingual variant of", "的多语言版本来源"),
    "optimisedVariantOf": ("an optimised variant of", "的优化版本来源"),
    "composedOf": ("composed of", "由其组成"),
    "buildsOn": ("builds on", "基于"),
    "derivedFrom": ("derived from", "派生自"),
}

EVIDENCE = {
    "CuratedEvidence": ("curated evidence (paper or docs)", "有论文或文档依据"),
    "TransformersHeadEvidence": ("only a transformers head", "仅有 transformers 任务头"),
}

SUGGESTIONS = {
    "en": [
        "Which models suit summarization?",
        "What does DistilBERT derive from?",
        "Compare BERT and RoBERTa",
        "Which models are multilingual?",
        "Which models were pre-trained with masked language modeling?",
    ],
    "zh": [
        "哪些模型适合摘要？",
        "DistilBERT 源自哪个模型？",
        "比较 BERT 和 RoBERTa",
        "哪些模型是多语言的？",
        "哪些模型属于自回归模型？",
    ],
}


def join(items: Sequence[str], lang: str) -> str:
    """Names as a sentence list.

    >>> join(["BERT", "T5", "BART"], "en"), join(["BERT", "T5"], "zh")
    ('BERT, T5 and BART', 'BERT 和 T5')
    """
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if lang == "zh":
        return "、".join(items[:-1]) + " 和 " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def relation(name: str, lang: str) -> str:
    en, zh = RELATIONS.get(name, (name, name))
    return zh if lang == "zh" else en


def evidence(name: str, lang: str) -> str:
    en, zh = EVIDENCE.get(name, (name, name))
    return zh if lang == "zh" else en


def params(count: int | None) -> str:
    """A parameter count the way papers write it.

    >>> params(110_000_000), params(1_500_000_000), params(None)
    ('110M', '1.5B', '?')
    """
    if count is None:
        return "?"
    if count >= 1_000_000_000:
        return f"{count / 1e9:.3g}B"
    return f"{count / 1e6:.3g}M"


def say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en
