"""What a question asks for: keyword cues in English and Chinese, the kinds of entity it names,
and, where cues are silent, the nearest example phrasing by embedding.

Cues are looked for in the question with the entity names taken out, so
"基于检索的模型" (a category's name) is not read as "based on" (lineage),
and "show me" only means a demo when a model is named and no other cue
says otherwise.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import numpy as np

from service.ask.lexical import is_cjk, normalise
from service.ask.linking import Linked, Linking


def _re(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


CUES: dict[str, re.Pattern[str]] = {
    "demo": _re(
        r"\b(demo|demonstrate|run|try|try out|test drive|in action|live)\b",
        r"演示|试一下|试试|运行|跑一下|示范|体验|测试一下",
    ),
    "demo_weak": _re(r"\bshow me\b", r"\blet me see\b", r"\bgenerat\w*\b", r"\bfill in\b", r"展示|看看"),
    "compare": _re(
        r"\b(compare|comparison|compared|vs|versus|differ|differs|difference|differences|better than|contrast)\b",
        r"比较|对比|区别|不同|差异|相比|哪个好|异同",
    ),
    "lineage": _re(
        r"\b(deriv\w*|based on|built on|builds on|build on|distill?ed from|variants?|descend\w*|successors?|"
        r"predecessors?|ancestors?|come from|comes from|came from|origins?|parents?|children|family|lineage|"
        r"inherit\w*|evolved|composed of|made of|extends?|extension of|follow[- ]ups?)\b",
        r"派生|衍生|源自|来自|基于|继承|变体|后代|前身|蒸馏自|演化|谱系|祖先|改进自|组成|由.*构成",
    ),
    "descendants": _re(
        r"\b(descend\w*|successors?|children|variants|follow[- ]ups?)\b",
        r"\b(which|what) (models?|variants?)\b.*\b(deriv\w*|based on|built on|come from|descend\w*)\b",
        r"变体|后代|衍生模型|后续|哪些模型.*(派生|基于|源自|衍生)",
    ),
    "ancestors": _re(
        r"\b(ancestors?|parents?|predecessors?|origins?|composed of|made of)\b", r"前身|祖先|来源|组成|构成"
    ),
    "paper": _re(r"\b(paper|papers|arxiv|publication|published|article)\b", r"论文|文章|出处|发表"),
    "year": _re(
        r"\b(year|when|introduced|released|release date|how old)\b", r"哪一年|哪年|何时|什么时候|年份|发布时间"
    ),
    "organization": _re(
        r"\bwho\b",
        r"\b(organi[sz]ation|company|companies|lab|labs|developer|developers|authors?|made by|created by|"
        r"developed|developed by|released by|built by|proposed by|behind)\b",
        r"哪家|谁|机构|公司|开发|提出|作者|团队",
    ),
    "multilingual": _re(
        r"\b(multilingual|multi-lingual|many languages|languages|cross-lingual|non-english)\b",
        r"多语言|多语种|跨语言|多种语言",
    ),
    "long_context": _re(
        r"\blong(er)?[- ](context|sequences?|inputs?|documents?|texts?)\b",
        r"\b(max(imum)?|context|sequence|input) (length|window|size)\b",
        r"\bhow many tokens\b",
        r"\bhow long\b",
        r"\bcontext\b",
        r"\blong documents?\b",
        r"长文本|长文档|长序列|最大长度|上下文长度|序列长度|长上下文|多长",
    ),
    "parameters": _re(
        r"\b(parameters?|params|how big|how large|size|sizes|weights|checkpoints?|largest|smallest)\b",
        r"参数|参数量|规模|多大|检查点|权重",
    ),
    "objective": _re(
        r"\b(pre-?train\w*|objectives?|loss|trained (with|on|by)|training (objective|task))\b",
        r"预训练|训练目标|目标|训练方式|怎么训练",
    ),
    "tasks": _re(
        r"\b(good (at|for)|suited|suits?|suitable|used for|use .* for|tasks?|capable|can .* do|applications?)\b",
        r"适合|适用|用于|能做|任务|擅长|应用",
    ),
    "category": _re(
        r"\b(categor\w*|kind of model|type of model|class of model|family)\b", r"类别|哪一类|哪类|类型|属于"
    ),
    "list_tasks": _re(r"\btasks\b", r"任务"),
    "list_objectives": _re(r"\bobjectives\b", r"目标"),
    "list_categories": _re(r"\bcategor(y|ies)\b", r"类别|分类|种类"),
    "list_models": _re(
        r"\b(list|all|every) (the |of the )?models\b",
        r"\b(which|what) models (are there|exist|do you know|are in the graph|does the graph (hold|have|know))\b",
        r"所有模型|全部模型|列出.*模型|有哪些模型[？?]?\s*$",
    ),
    "list": _re(r"\b(list|all|every|what|which|how many|show)\b", r"哪些|列出|所有|全部|多少|有什么"),
    "describe": _re(r"\b(what is|what's|who is|tell me about|describe|explain|overview)\b", r"是什么|介绍|讲讲|说说"),
}

#: Example phrasings per intent, embedded once per process; the nearest one decides when no cue does.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "describe_model": ("What is BERT?", "Tell me about GPT-2", "Explain how ELECTRA works", "Give an overview of T5"),
    "model_tasks": ("What is BERT good for?", "Which tasks can T5 do?", "What can I use BART for?"),
    "model_objectives": ("How was BERT pre-trained?", "What objective does XLNet use?"),
    "lineage_ancestors": ("What does DistilBERT derive from?", "What is RoBERTa based on?"),
    "lineage_descendants": ("Which models derive from BERT?", "What came after BERT?"),
    "demo": ("Show me GPT-2 generating text", "Run BERT on a sentence", "Let me try T5"),
    "compare_models": ("How does BERT differ from RoBERTa?", "BERT or DistilBERT, which is better?"),
}


@dataclass
class Intent:
    """The decided intent and the entities it works on."""

    name: str
    models: list[Linked] = field(default_factory=list)
    concepts: list[Linked] = field(default_factory=list)
    year: int | None = None
    cues: list[str] = field(default_factory=list)


def question_language(question: str, linking: Linking, hint: str | None = None) -> str:
    """``zh`` when the question has Chinese, ``en`` when it has English words beyond entity names,
    else the caller's hint (the page's language), else ``en``."""
    if is_cjk(question):
        return "zh"
    words = [w for w in re.findall(r"[a-z]{2,}", residual(question, linking))]
    if words:
        return "en"
    return hint if hint in ("en", "zh") else "en"


def residual(question: str, linking: Linking) -> str:
    """The normalised question with the linked names blanked out (a model's as ``@``), for cue matching."""
    text = normalise(question)
    for linked in sorted(linking.entities, key=lambda e: -len(e.mention or "")):
        if linked.mention:
            text = text.replace(linked.mention, " @ " if linked.entity.kind == "model" else " ")
    return f" {text} "


class IntentExamples:
    """The example phrasings' vectors, computed on first use in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None
        self._names: list[str] = []

    def nearest(self, vector: np.ndarray | None, encoder_factory) -> tuple[str | None, float]:
        if vector is None:
            return None, 0.0
        with self._lock:
            if self._matrix is None:
                names, texts = [], []
                for name, phrasings in EXAMPLES.items():
                    for text in phrasings:
                        names.append(name)
                        texts.append(text)
                self._matrix = encoder_factory().encode(texts)
                self._names = names
        sims = self._matrix @ vector
        best = int(np.argmax(sims))
        return self._names[best], float(sims[best])


def _cues(text: str) -> list[str]:
    return [name for name, pattern in CUES.items() if pattern.search(text)]


def classify(question: str, linking: Linking, *, nearest: tuple[str | None, float] = (None, 0.0)) -> Intent:
    """The intent of ``question`` given what it names."""
    text = residual(question, linking)
    cues = _cues(text)
    models = sorted(linking.of_kind("model"), key=lambda e: e.position)
    tasks = linking.of_kind("task")
    objectives = linking.of_kind("objective")
    categories = linking.of_kind("category")
    organizations = linking.of_kind("organization")
    papers = linking.of_kind("paper")
    years = [int(y) for y in re.findall(r"\b(20[12]\d|199\d)\b", normalise(question))]

    def intent(name: str, **kw) -> Intent:
        return Intent(name, cues=cues, **kw)

    if models and "demo" in cues:
        return intent("demo", models=models, concepts=tasks)
    other = {"lineage", "compare", "paper", "organization", "year", "parameters", "multilingual", "long_context"}
    if models and "demo_weak" in cues and not (set(cues) & other):
        return intent("demo", models=models, concepts=tasks)
    if len(models) >= 2 and ("compare" in cues or not (set(cues) & {"lineage", "tasks", "objective"})):
        return intent("compare_models", models=models)
    if models and "lineage" in cues:
        return intent(_lineage_direction(text, cues, models[0]), models=models[:1])
    if models:
        for attribute in ("paper", "organization", "year", "parameters", "multilingual", "long_context"):
            if attribute in cues:
                name = "model_paper" if attribute == "year" else f"model_{attribute}"
                return intent(name, models=models[:1])
    if tasks and not models:
        if tasks[0].how == "dense" and "long_context" in cues:
            return intent("long_context_models")
        return intent("models_for_task", concepts=tasks + categories)
    if tasks and models:
        return intent("models_for_task", models=models[:1], concepts=tasks)
    if not models and not tasks and not categories:
        if "multilingual" in cues:
            return intent("multilingual_models")
        if "long_context" in cues and not objectives:
            return intent("long_context_models")
    if objectives and not models:
        return intent("models_with_objective", concepts=objectives)
    candidate = linking.dense_candidates.get("objective")
    listing = {"list_tasks", "list_objectives", "list_categories", "list_models"} & set(cues)
    if not linking.entities and candidate is not None and "objective" in cues and not listing:
        linking.entities.append(candidate)
        return intent("models_with_objective", concepts=[candidate])
    if categories and not models:
        return intent("models_in_category", concepts=categories)
    if organizations and not models:
        return intent("models_by_organization", concepts=organizations)
    if not models:
        if papers:
            return intent("model_of_paper", concepts=papers[:1])
        if "multilingual" in cues:
            return intent("multilingual_models")
        if "long_context" in cues:
            return intent("long_context_models")
        if years and ("year" in cues or "list" in cues or "paper" in cues):
            return intent("models_by_year", year=years[0])
        for listing in ("list_tasks", "list_objectives", "list_categories"):
            if listing in cues and ("list" in cues or len(text.split()) <= 3 or is_cjk(text)):
                return intent(listing)
        if "list_models" in cues:
            return intent("list_models")
        return intent("unknown")
    model = models[:1]
    if "objective" in cues:
        return intent("model_objectives", models=model)
    if "tasks" in cues:
        return intent("model_tasks", models=model)
    if "category" in cues:
        return intent("model_category", models=model)
    if "demo_weak" in cues:
        return intent("demo", models=model)
    if "describe" in cues:
        return intent("describe_model", models=model)
    name, similarity = nearest
    if name is not None and similarity >= 0.55 and name != "compare_models":
        return intent(name, models=model)
    return intent("describe_model", models=model)


def _lineage_direction(text: str, cues: list[str], model: Linked) -> str:
    """Ancestors or descendants: explicit words first, else where the model's name (``@``) sits
    relative to the lineage word: "what is derived from BERT" asks for descendants,
    "what is DistilBERT derived from" for ancestors."""
    if "descendants" in cues and "ancestors" not in cues:
        return "lineage_descendants"
    if "ancestors" in cues and "descendants" not in cues:
        return "lineage_ancestors"
    match = CUES["lineage"].search(text)
    marker = text.find("@")
    if match is None or marker < 0:
        return "lineage_ancestors"
    return "lineage_descendants" if marker > match.start() else "lineage_ancestors"
