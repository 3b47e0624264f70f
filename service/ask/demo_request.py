"""Turning a demo question into a call of the demo runner: which model, which task, which text.

The model is the first model the question names; the task is a task it
names, else one a verb implies ("translate", "summarise", "填空"), else the
runner's own default for the model; the text is whatever the question
quotes (“…”, "…", '…', 「…」, 『…』), else a sensible sample for the task.

>>> quoted('Run GPT-2 on "Once upon a time"')
'Once upon a time'
>>> quoted("用 BERT 演示填空「巴黎是法国的[MASK]。」")
'巴黎是法国的[MASK]。'
>>> task_from_words("please summarise this")
'summarization'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from service.ask.intents import Intent

_QUOTES = re.compile(r"“([^”]+)”|\"([^\"]+)\"|「([^」]+)」|『([^』]+)』|‘([^’]+)’|(?<![A-Za-z])'([^']+)'(?![A-Za-z])")

_TASK_WORDS = (
    ("translation", r"translat|翻译"),
    ("summarization", r"summar|摘要|总结"),
    ("fill-mask", r"fill|mask|blank|填空|完形"),
    ("question-answering", r"\banswer|问答|回答"),
    ("text-classification", r"classif|sentiment|分类|情感"),
    ("named-entity-recognition", r"\bner\b|entit|实体"),
    ("feature-extraction", r"embed|vector|特征|向量"),
    ("text-generation", r"generat|continue|write|complete|生成|续写|写"),
)

#: Sample inputs per task, used when the question quotes none.
DEFAULT_TEXT = {
    "text-generation": "The transformer architecture changed natural language processing because",
    "fill-mask": "Paris is the [MASK] of France.",
    "translation": "The house is wonderful.",
    "summarization": (
        "The transformer is a neural network architecture based on attention. It was introduced in 2017 for "
        "machine translation and has since become the basis of most language models, including BERT and GPT-2."
    ),
    "text-classification": "This movie was a delight from start to finish.",
    "named-entity-recognition": "Hugging Face is based in New York and Paris.",
    "question-answering": "Where is Hugging Face based? Hugging Face is a company based in New York and Paris.",
    "feature-extraction": "Transformers are neural networks built on attention.",
}
FALLBACK_TEXT = "The transformer architecture changed natural language processing."


def quoted(question: str) -> str | None:
    """The first quoted passage of the question, if any."""
    match = _QUOTES.search(question)
    if match is None:
        return None
    return next(group for group in match.groups() if group is not None).strip() or None


def task_from_words(question: str) -> str | None:
    """A task the question's verbs imply, if any."""
    lowered = question.lower()
    for task, pattern in _TASK_WORDS:
        if re.search(pattern, lowered):
            return task
    return None


def demo_for(question: str, intent: Intent, runner: Callable[[str, str, str | None], dict] | None) -> dict[str, Any]:
    """The ``demo`` field: the runner's result, or an error object saying why there is none."""
    if not intent.models:
        return {"error": {"code": "no_model", "message": "Name a model to run, e.g. 'Run GPT-2 on \"Hello\"'."}}
    model = intent.models[0].entity.slug
    outside_quotes = _QUOTES.sub(" ", question)
    task = next((c.entity.slug for c in intent.concepts if c.entity.kind == "task"), None)
    task = task or task_from_words(outside_quotes)
    given = quoted(question)
    if task is None and given is not None and re.search(r"\[mask\]|<mask>", given, re.IGNORECASE):
        task = "fill-mask"  # the quoted text says what it wants
    text = given or DEFAULT_TEXT.get(task or "", FALLBACK_TEXT)
    if task == "fill-mask" and "[MASK]" not in text.upper() and "<mask>" not in text:
        text = DEFAULT_TEXT["fill-mask"] if not quoted(question) else text
    if runner is None:
        return {"error": "demo runner not available"}
    from service.errors import ApiError

    try:
        result = runner(model, text, task)
    except ApiError as exc:
        return {"error": {"code": exc.code, "message": exc.message}, "model": model, "task": task, "input": text}
    return {"input": text, **result} if isinstance(result, dict) else {"input": text, "output": result}
