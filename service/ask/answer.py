"""Answering a question: link its entities, decide its intent, run one prepared query, and say it.

``Asker`` holds one graph version's entity index; ``ask()`` returns the JSON
the service sends::

    {"question", "language", "intent", "entities", "answers", "text", "sparql", "evidence", "demo"}

``answers`` are exactly the rows of the query in ``sparql`` (grouped per
entity and cut at ``top_k``), ``why`` names the graph facts behind each, and
``evidence`` lists those facts as triples. When nothing matches, the answer
says so, names what was recognised and suggests questions that work, and
lists no models.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyoxigraph as ox

from graph.embeddings import EntityText, load_encoder
from graph.vocab import PREFIXES
from service.ask import text as words
from service.ask.intents import Intent, IntentExamples, classify, question_language
from service.ask.linking import EntityIndex, Linking
from service.ask.templates import TEMPLATES, Template

MAX_TOP_K = 50
DEFAULT_TOP_K = 10

Timings = dict[str, float]


class AskError(ValueError):
    """A question the service refuses (empty, too long, wrong type); ``code`` is the error code."""

    def __init__(self, message: str, code: str = "bad_question") -> None:
        super().__init__(message)
        self.code = code


def check_request(question: Any, top_k: Any, lang: Any, *, max_chars: int) -> tuple[str, int, str | None]:
    """The validated ``(question, top_k, lang)``; raises AskError naming the fix."""
    if not isinstance(question, str):
        raise AskError('\'question\' must be a string, e.g. {"question": "Which models suit summarization?"}')
    question = question.strip()
    if not question:
        raise AskError("The question is empty; ask e.g. 'Which models suit summarization?'", "empty_question")
    if len(question) > max_chars:
        raise AskError(
            f"The question has {len(question)} characters; the limit is {max_chars} (MODELKG_ASK_MAX_CHARS).",
            "question_too_long",
        )
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise AskError("'top_k' must be an integer from 1 to 50.", "bad_top_k")
    if not 1 <= top_k <= MAX_TOP_K:
        raise AskError(f"'top_k' must be from 1 to {MAX_TOP_K}, got {top_k}.", "bad_top_k")
    if lang is not None and lang not in ("en", "zh", "auto", ""):
        raise AskError("'lang' must be 'en', 'zh' or 'auto'.", "bad_lang")
    return question, top_k, (lang if lang in ("en", "zh") else None)


def _settled(linking: Linking, intent: Intent) -> bool:
    """Whether exact names and cues alone decide the question, so the dense retriever cannot change it.

    Dense retrieval only ever adds a concept when no name matched, reorders
    names that matched, and picks an intent for a model named without any
    cue; so it runs when nothing or only a misspelling matched, when the
    intent is unknown, or when a model's intent fell back to a description
    for want of a cue. An exact label or alias with a cue is settled: this
    saves the 5-10 ms encoder pass on most questions.
    """
    if not linking.entities or intent.name == "unknown":
        return False
    if any(e.how != "exact" for e in linking.entities):
        return False
    return not (intent.name == "describe_model" and "describe" not in intent.cues)


def _short(term: str) -> str:
    """An IRI in its prefixed form where a vocabulary prefix covers it."""
    best = None
    for name, ns in PREFIXES.items():
        if term.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = name
    if best is not None:
        rest = term[len(PREFIXES[best]) :]
        if re.fullmatch(r"[A-Za-z0-9_-]+", rest):
            return f"{best}:{rest}"
    return f"<{term}>"


def _lit(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


class Asker:
    """Answers questions over one loaded graph and its stored entity vectors."""

    def __init__(
        self,
        store: ox.Store,
        texts: list[EntityText],
        *,
        version: str | None = None,
        encoder_factory: Callable[[], Any] = load_encoder,
    ) -> None:
        self.store = store
        self.version = version
        self.index = EntityIndex.build(store, texts)
        self.encoder_factory = encoder_factory
        self.examples = IntentExamples()

    @classmethod
    def from_url(cls, url: str) -> Asker:
        """An Asker over the graph stored at ``url`` (loads the graph and its vectors)."""
        from graph.store import Store

        store = Store(url)
        try:
            version, texts = store.embeddings()
            return cls(store.load_oxigraph(), texts, version=version)
        finally:
            store.dispose()

    # ------------------------------------------------------------------ main

    def ask(
        self,
        question: str,
        *,
        top_k: int = DEFAULT_TOP_K,
        lang: str | None = None,
        demo_runner: Callable[[str, str, str | None], dict] | None = None,
        timings: Timings | None = None,
    ) -> dict[str, Any]:
        """The answer to ``question`` as JSON-ready data (see the module docstring)."""
        timings = {} if timings is None else timings
        timings["embedding"] = 0.0
        started = time.perf_counter()
        linking = self.index.link(question, None)
        intent = classify(question, linking)
        if self.index.has_vectors and not _settled(linking, intent):
            # The lexical pass left the question open: embed it, fuse both rankings and decide again.
            embedding_started = time.perf_counter()
            vector = self._embed(question)
            timings["embedding"] = time.perf_counter() - embedding_started
            linking = self.index.link(question, vector)
            nearest = self.examples.nearest(vector, self.encoder_factory) if linking.of_kind("model") else (None, 0.0)
            intent = classify(question, linking, nearest=nearest)
        language = question_language(question, linking, lang)
        timings["linking"] = time.perf_counter() - started - timings["embedding"]

        started = time.perf_counter()
        result = _Result(self, language)
        handler = getattr(self, f"_{intent.name}", None)
        if handler is None or intent.name == "unknown":
            self._unknown(result, linking)
        else:
            handler(result, intent)
            if not result.answers and not result.text:
                self._nothing(result, intent)
        timings["sparql"] = time.perf_counter() - started

        started = time.perf_counter()
        demo = None
        if intent.name == "demo":
            demo = self._run_demo(question, intent, demo_runner)
        answer = {
            "question": question,
            "language": language,
            "intent": intent.name,
            "entities": [e.as_json(language) for e in linking.entities],
            "answers": result.answers[:top_k],
            "text": result.text,
            "sparql": result.sparql,
            "evidence": result.evidence[: 3 * top_k],
            "demo": demo,
        }
        timings["formatting"] = time.perf_counter() - started
        return answer

    def _embed(self, question: str) -> np.ndarray:
        return self.encoder_factory().encode(question)

    # --------------------------------------------------------------- helpers

    def label(self, iri: str, lang: str) -> str:
        entity = self.index.by_iri.get(iri)
        if entity is not None:
            return entity.label(lang)
        return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    # --------------------------------------------------------------- intents

    def _models_for_task(self, r: _Result, intent: Intent) -> None:
        tasks = [c.entity for c in intent.concepts if c.entity.kind == "task"]
        categories = [c.entity for c in intent.concepts if c.entity.kind == "category"]
        bindings = {"task": [ox.NamedNode(t.iri) for t in tasks]}
        if categories:
            bindings["category"] = [ox.NamedNode(c.iri) for c in categories]
        template = TEMPLATES["models_for_task_in_category" if categories else "models_for_task"]
        rows = r.run(template, **bindings)
        per_model: dict[str, dict[str, Any]] = {}
        for row in rows:
            model = row["model"].value
            entry = per_model.setdefault(model, {"rank": 99, "why": [], "curated": 0, "tasks": set()})
            rank = int(row["rank"].value)
            evidence = row["evidence"].value.rsplit("#", 1)[-1]
            task_label = r.label(row["task"].value)
            if row["task"].value in entry["tasks"] and rank >= entry["rank"]:
                continue
            entry["tasks"].add(row["task"].value)
            entry["rank"] = min(entry["rank"], rank)
            entry["curated"] += rank == 1
            entry["why"].append(f"{task_label} — {words.evidence(evidence, r.lang)}: {row['reason'].value}")
            r.evidence.append([_short(model), "mkg:suitedFor", _short(row["task"].value)])
            r.evidence.append([_short(row["suitability"].value), "mkg:evidence", _short(row["evidence"].value)])
        ordered = sorted(per_model.items(), key=lambda kv: (-len(kv[1]["tasks"]), kv[1]["rank"], -kv[1]["curated"]))
        for model, entry in ordered:
            score = (1.0 if entry["rank"] == 1 else 0.5) * len(entry["tasks"]) / len(tasks)
            r.add(model, score, entry["why"])
        curated = [r.label(m) for m, e in ordered if e["rank"] == 1]
        heads = [r.label(m) for m, e in ordered if e["rank"] != 1]
        task_names = words.join([t.label(r.lang) for t in tasks], r.lang)
        if categories:
            within = words.join([c.label(r.lang) for c in categories], r.lang)
            task_names = words.say(r.lang, f"{task_names} among the {within.lower()}", f"{task_names}（限{within}）")
        if not ordered:
            r.text = words.say(
                r.lang,
                f"No model in the graph is recorded as suited to {task_names}.",
                f"图谱中没有记录适合{task_names}的模型。",
            )
            return
        text = words.say(
            r.lang,
            f"{len(ordered)} models are suited to {task_names}. "
            + (f"With curated evidence from the paper or docs: {words.join(curated, 'en')}. " if curated else "")
            + (f"Only a transformers task head is registered for {words.join(heads, 'en')}." if heads else ""),
            f"适合{task_names}的模型有 {len(ordered)} 个。"
            + (f"有论文或文档依据的：{words.join(curated, 'zh')}。" if curated else "")
            + (f"仅在 transformers 中注册了对应任务头的：{words.join(heads, 'zh')}。" if heads else ""),
        )
        for named in intent.models:
            label = named.entity.label(r.lang)
            inside = named.entity.iri in per_model
            text += " " + words.say(
                r.lang,
                f"{label} is {'' if inside else 'not '}among them.",
                f"{label}{'在其中' if inside else '不在其中'}。",
            )
        r.text = text.strip()

    def _models_with_objective(self, r: _Result, intent: Intent) -> None:
        self._models_by(r, intent, "models_with_objective", "objective", "mkg:objective")
        names = words.join([c.entity.label(r.lang) for c in intent.concepts], r.lang)
        models = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"Pre-trained with {names}: {models}.", f"使用{names}预训练的模型：{models}。")

    def _models_in_category(self, r: _Result, intent: Intent) -> None:
        self._models_by(r, intent, "models_in_category", "category", "mkg:category")
        names = words.join([c.entity.label(r.lang) for c in intent.concepts], r.lang)
        models = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"{names}: {models}.", f"{names}包括：{models}。")

    def _models_by_organization(self, r: _Result, intent: Intent) -> None:
        self._models_by(r, intent, "models_by_organization", "organization", "mkg:organization")
        names = words.join([c.entity.label(r.lang) for c in intent.concepts], r.lang)
        models = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"Models from {names}: {models}.", f"来自{names}的模型：{models}。")

    def _models_by(self, r: _Result, intent: Intent, name: str, param: str, prop: str) -> None:
        concepts = [c.entity for c in intent.concepts]
        rows = r.run(TEMPLATES[name], **{param: [ox.NamedNode(c.iri) for c in concepts]})
        for row in rows:
            model, concept = row["model"].value, row[param].value
            r.add(model, 1.0, [f"{prop} {r.label(concept)}"])
            r.evidence.append([_short(model), prop, _short(concept)])

    def _models_by_year(self, r: _Result, intent: Intent) -> None:
        year = ox.Literal(str(intent.year), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        for row in r.run(TEMPLATES["models_by_year"], year=[year]):
            r.add(row["model"].value, 1.0, [f"mkg:paper {_short(row['paper'].value)} mkg:year {intent.year}"])
            r.evidence.append([_short(row["paper"].value), "mkg:year", str(intent.year)])
        models = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(
            r.lang, f"Papers from {intent.year}: {models}.", f"{intent.year} 年发表论文的模型：{models}。"
        )

    def _lineage_ancestors(self, r: _Result, intent: Intent) -> None:
        self._lineage(r, intent, "lineage_ancestors")

    def _lineage_descendants(self, r: _Result, intent: Intent) -> None:
        self._lineage(r, intent, "lineage_descendants")

    def _lineage(self, r: _Result, intent: Intent, name: str) -> None:
        model = intent.models[0].entity
        up = name == "lineage_ancestors"
        rows = r.run(TEMPLATES[name], model=[ox.NamedNode(model.iri)])
        for row in rows:
            related = row["related"].value
            if "relation" in row:
                rel = row["relation"].value.rsplit("#", 1)[-1]
                child, parent = (model.iri, related) if up else (related, model.iri)
                why = f"{r.label(child)} {words.relation(rel, 'en')} {r.label(parent)} (mkg:{rel})"
                if r.lang == "zh":
                    why = f"{r.label(child)} {words.relation(rel, 'zh')} {r.label(parent)}（mkg:{rel}）"
                r.evidence.append([_short(child), f"mkg:{rel}", _short(parent)])
                r.add(related, 1.0, [why])
            else:
                via = row["via"].value
                r.add(
                    related, 0.5, [words.say(r.lang, f"indirectly, via {r.label(via)}", f"间接，经由 {r.label(via)}")]
                )
        label = model.label(r.lang)
        names = words.join([a["label"] for a in r.answers], r.lang)
        if not r.answers:
            r.text = words.say(
                r.lang,
                f"The graph records no model that {label} derives from."
                if up
                else f"The graph records no model derived from {label}.",
                f"图谱中没有记录 {label} 源自的模型。" if up else f"图谱中没有记录派生自 {label} 的模型。",
            )
            return
        r.text = words.say(
            r.lang,
            f"{label} derives from {names}." if up else f"Models derived from {label}: {names}.",
            f"{label} 源自 {names}。" if up else f"派生自 {label} 的模型：{names}。",
        )

    def _model_paper(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["model_paper"], model=[ox.NamedNode(model.iri)]):
            arxiv = f", arXiv {row['arxiv'].value}" if "arxiv" in row else ""
            year = row["year"].value
            r.add(row["paper"].value, 1.0, [f"mkg:paper; mkg:year {year}{arxiv}"], label=row["title"].value)
            r.evidence.append([_short(model.iri), "mkg:paper", _short(row["paper"].value)])
            r.evidence.append([_short(row["paper"].value), "mkg:year", year])
            r.text = words.say(
                r.lang,
                f"{model.label('en')} was introduced in “{row['title'].value}” ({year}{arxiv}).",
                f"{model.label('zh')} 出自论文《{row['title'].value}》（{year} 年{arxiv}）。",
            )

    def _model_organization(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["model_organization"], model=[ox.NamedNode(model.iri)]):
            org = row["organization"].value
            r.add(org, 1.0, ["mkg:organization"])
            r.evidence.append([_short(model.iri), "mkg:organization", _short(org)])
            r.text = words.say(
                r.lang, f"{model.label('en')} comes from {r.label(org)}.", f"{model.label('zh')} 来自{r.label(org)}。"
            )

    def _model_multilingual(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["model_facts"], model=[ox.NamedNode(model.iri)]):
            multilingual = row.get("multilingual")
            yes = multilingual is not None and multilingual.value == "true"
            r.add(model.iri, 1.0, [f"mkg:multilingual {str(yes).lower()}"])
            r.evidence.append([_short(model.iri), "mkg:multilingual", str(yes).lower()])
            r.text = words.say(
                r.lang,
                f"{model.label('en')} is {'' if yes else 'not '}multilingual.",
                f"{model.label('zh')}{'是' if yes else '不是'}多语言模型。",
            )
            break

    def _model_long_context(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["model_facts"], model=[ox.NamedNode(model.iri)]):
            length = row.get("maxLength")
            why = [f"mkg:maxSequenceLength {length.value}"] if length is not None else []
            if "attention" in row:
                why.append(row["attention"].value)
            r.add(model.iri, 1.0, why)
            if length is not None:
                r.evidence.append([_short(model.iri), "mkg:maxSequenceLength", length.value])
            r.text = words.say(
                r.lang,
                f"{model.label('en')} takes up to {length.value} tokens."
                if length is not None
                else f"{model.label('en')} has no fixed maximum length in the graph.",
                f"{model.label('zh')} 最多接受 {length.value} 个词元。"
                if length is not None
                else f"图谱中 {model.label('zh')} 没有固定的最大长度。",
            )
            if "attention" in row:
                r.text += " " + row["attention"].value
            break

    def _model_parameters(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        sizes = []
        for row in r.run(TEMPLATES["model_checkpoints"], model=[ox.NamedNode(model.iri)]):
            count = int(row["parameters"].value) if "parameters" in row else None
            sizes.append(f"{row['hubId'].value} ({words.params(count)})")
            r.add(row["checkpoint"].value, 1.0, [f"mkg:parameterCount {count}"], label=row["hubId"].value)
            r.evidence.append([_short(row["checkpoint"].value), "mkg:parameterCount", str(count)])
        r.text = words.say(
            r.lang,
            f"{model.label('en')} checkpoints: {words.join(sizes, 'en')}.",
            f"{model.label('zh')} 的检查点：{words.join(sizes, 'zh')}。",
        )

    def _model_objectives(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["model_objectives"], model=[ox.NamedNode(model.iri)]):
            r.add(row["objective"].value, 1.0, ["mkg:objective"])
            r.evidence.append([_short(model.iri), "mkg:objective", _short(row["objective"].value)])
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(
            r.lang, f"{model.label('en')} was pre-trained with {names}.", f"{model.label('zh')} 的预训练目标：{names}。"
        )

    def _model_tasks(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["model_tasks"], model=[ox.NamedNode(model.iri)]):
            evidence = row["evidence"].value.rsplit("#", 1)[-1]
            r.add(
                row["task"].value,
                1.0 if evidence == "CuratedEvidence" else 0.5,
                [f"{words.evidence(evidence, r.lang)}: {row['reason'].value}"],
            )
            r.evidence.append([_short(model.iri), "mkg:suitedFor", _short(row["task"].value)])
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"{model.label('en')} suits {names}.", f"{model.label('zh')} 适合：{names}。")

    def _model_category(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        for row in r.run(TEMPLATES["describe_model"], model=[ox.NamedNode(model.iri)]):
            r.add(row["category"].value, 1.0, ["mkg:category"])
        r.evidence.extend([_short(model.iri), "mkg:category", _short(a["iri"])] for a in r.answers)
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"{model.label('en')} is one of the {names}.", f"{model.label('zh')} 属于{names}。")

    def _facts(self, r: _Result, iri: str) -> dict[str, Any]:
        facts: dict[str, Any] = {"category": [], "organization": [], "year": None, "objective": [], "task": []}
        for row in r.run(TEMPLATES["describe_model"], model=[ox.NamedNode(iri)], keep=True):
            for key in ("category", "organization", "objective", "task"):
                if key in row and row[key].value not in facts[key]:
                    facts[key].append(row[key].value)
            facts["year"] = row["year"].value
        return facts

    def _sentence(self, r: _Result, iri: str, facts: dict[str, Any]) -> str:
        label = r.label(iri)
        cat = words.join([r.label(c) for c in facts["category"]], r.lang)
        org = words.join([r.label(c) for c in facts["organization"]], r.lang)
        objectives = words.join([r.label(c) for c in facts["objective"]], r.lang)
        tasks = words.join([r.label(c) for c in facts["task"]], r.lang)
        return words.say(
            r.lang,
            f"{label} is one of the {cat.lower()}, from {org} ({facts['year']}), pre-trained with "
            f"{objectives.lower()}; curated evidence says it suits {tasks.lower()}.",
            f"{label} 属于{cat}，来自{org}（{facts['year']} 年），预训练目标为{objectives}；有依据的适用任务：{tasks}。",
        )

    def _describe_model(self, r: _Result, intent: Intent) -> None:
        model = intent.models[0].entity
        facts = self._facts(r, model.iri)
        why = [f"mkg:category {r.label(c)}" for c in facts["category"]]
        why += [f"mkg:objective {r.label(o)}" for o in facts["objective"]]
        why += [f"mkg:suitedFor {r.label(t)}" for t in facts["task"]]
        r.add(model.iri, 1.0, why)
        for key, prop in (
            ("category", "mkg:category"),
            ("organization", "mkg:organization"),
            ("objective", "mkg:objective"),
            ("task", "mkg:suitedFor"),
        ):
            r.evidence.extend([_short(model.iri), prop, _short(v)] for v in facts[key])
        r.text = self._sentence(r, model.iri, facts)
        r.finish(TEMPLATES["describe_model"], model=[ox.NamedNode(model.iri)])

    def _compare_models(self, r: _Result, intent: Intent) -> None:
        models = list(dict.fromkeys(m.entity.iri for m in intent.models))[:4]
        sentences = []
        all_facts = {}
        for iri in models:
            facts = all_facts[iri] = self._facts(r, iri)
            sentences.append(self._sentence(r, iri, facts))
            r.add(
                iri,
                1.0,
                [f"mkg:category {r.label(c)}" for c in facts["category"]]
                + [f"mkg:objective {r.label(o)}" for o in facts["objective"]],
            )
            r.evidence.extend([_short(iri), "mkg:category", _short(c)] for c in facts["category"])
            r.evidence.extend([_short(iri), "mkg:objective", _short(o)] for o in facts["objective"])
        if len(models) >= 2:
            a, b = models[0], models[1]
            shared = [r.label(t) for t in all_facts[a]["task"] if t in all_facts[b]["task"]]
            if shared:
                sentences.append(
                    words.say(
                        r.lang,
                        f"Both suit {words.join(shared, 'en').lower()}.",
                        f"二者都适合{words.join(shared, 'zh')}。",
                    )
                )
        r.text = " ".join(sentences)
        r.finish(TEMPLATES["describe_model"], model=[ox.NamedNode(m) for m in models])

    def _model_of_paper(self, r: _Result, intent: Intent) -> None:
        paper = intent.concepts[0].entity
        for row in r.run(TEMPLATES["model_of_paper"], paper=[ox.NamedNode(paper.iri)]):
            r.add(row["model"].value, 1.0, [f"mkg:paper {paper.label('en')}"])
            r.evidence.append([_short(row["model"].value), "mkg:paper", _short(paper.iri)])
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(
            r.lang, f"“{paper.label('en')}” introduced {names}.", f"论文《{paper.label('en')}》提出了 {names}。"
        )

    def _multilingual_models(self, r: _Result, intent: Intent) -> None:
        for row in r.run(TEMPLATES["multilingual_models"]):
            r.add(row["model"].value, 1.0, ["mkg:multilingual true"])
            r.evidence.append([_short(row["model"].value), "mkg:multilingual", "true"])
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"Multilingual models: {names}.", f"多语言模型：{names}。")

    def _long_context_models(self, r: _Result, intent: Intent) -> None:
        for row in r.run(TEMPLATES["long_context_models"]):
            why = []
            if "curated" in row:
                why.append(
                    words.say(r.lang, "curated: suited to long document understanding", "有依据：适合长文档理解")
                )
            if "maxLength" in row:
                why.append(f"mkg:maxSequenceLength {row['maxLength'].value}")
                r.evidence.append([_short(row["model"].value), "mkg:maxSequenceLength", row["maxLength"].value])
            r.add(row["model"].value, 1.0 if "curated" in row else 0.6, why)
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(
            r.lang,
            f"Models for long inputs (curated for long documents first, then by maximum length): {names}.",
            f"适合长输入的模型（先列有依据的长文档模型，再按最大长度）：{names}。",
        )

    def _list(self, r: _Result, name: str, var: str, en: str, zh: str) -> None:
        for row in r.run(TEMPLATES[name]):
            count = int(row["models"].value)
            r.add(row[var].value, 1.0, [words.say(r.lang, f"{count} models", f"{count} 个模型")])
        names = words.join([a["label"] for a in r.answers], r.lang)
        r.text = words.say(r.lang, f"{en}: {names}.", f"{zh}：{names}。")

    def _list_tasks(self, r: _Result, intent: Intent) -> None:
        self._list(r, "list_tasks", "task", "Tasks in the graph", "图谱中的任务")

    def _list_objectives(self, r: _Result, intent: Intent) -> None:
        self._list(r, "list_objectives", "objective", "Pre-training objectives in the graph", "图谱中的预训练目标")

    def _list_categories(self, r: _Result, intent: Intent) -> None:
        self._list(r, "list_categories", "category", "Model categories", "模型类别")

    def _list_models(self, r: _Result, intent: Intent) -> None:
        for row in r.run(TEMPLATES["list_models"]):
            r.add(row["model"].value, 1.0, [f"mkg:category {r.label(row['category'].value)}"])
        r.text = words.say(
            r.lang,
            f"The graph holds {len(r.answers)} curated models: {words.join([a['label'] for a in r.answers], 'en')}.",
            f"图谱中有 {len(r.answers)} 个模型：{words.join([a['label'] for a in r.answers], 'zh')}。",
        )

    def _demo(self, r: _Result, intent: Intent) -> None:
        """A demo question is answered with the model's description; the ``demo`` field carries the run."""
        self._describe_model(r, intent)

    def _run_demo(self, question: str, intent: Intent, runner: Callable | None) -> dict[str, Any]:
        from service.ask.demo_request import demo_for

        return demo_for(question, intent, runner)

    def _unknown(self, r: _Result, linking: Linking) -> None:
        recognised = [e.entity.label(r.lang) for e in linking.entities]
        suggestions = words.SUGGESTIONS[r.lang]
        parts = []
        if recognised:
            parts.append(
                words.say(
                    r.lang,
                    f"I recognised {words.join(recognised, 'en')} but could not tell what you want to know about it.",
                    f"我识别出了 {words.join(recognised, 'zh')}，但不清楚你想了解什么。",
                )
            )
        elif linking.model_types:
            parts.append(
                words.say(
                    r.lang,
                    f"{words.join(linking.model_types, 'en')} is a transformers model type, but not one of the curated models this graph describes.",
                    f"{words.join(linking.model_types, 'zh')} 是 transformers 中的模型类型，但不在本图谱整理的模型之中。",
                )
            )
        else:
            parts.append(
                words.say(
                    r.lang,
                    "I found no model, task, objective or category of the graph in this question.",
                    "这个问题中没有找到图谱里的模型、任务、预训练目标或类别。",
                )
            )
        parts.append(
            words.say(r.lang, "Questions that work: ", "可以这样问：")
            + words.say(r.lang, "; ".join(suggestions), "；".join(suggestions))
        )
        r.text = " ".join(parts)

    def _nothing(self, r: _Result, intent: Intent) -> None:
        names = [e.entity.label(r.lang) for e in intent.models + intent.concepts]
        r.text = words.say(
            r.lang,
            f"The graph has no answer to that about {words.join(names, 'en')}.",
            f"图谱中没有关于 {words.join(names, 'zh')} 的这方面信息。",
        )


class _Result:
    """An answer being built: rows become answers, the query text is recorded as run."""

    def __init__(self, asker: Asker, lang: str) -> None:
        self.asker = asker
        self.lang = lang
        self.answers: list[dict[str, Any]] = []
        self._seen: dict[str, dict[str, Any]] = {}
        self.evidence: list[list[str]] = []
        self.text = ""
        self.sparql: str | None = None

    def label(self, iri: str) -> str:
        return self.asker.label(iri, self.lang)

    def run(self, template: Template, keep: bool = False, **bindings: list) -> list[dict]:
        """Run ``template`` (once per bound value) and record its text, unless an earlier run is kept."""
        rows = template.run_many(self.asker.store, **bindings)
        if not keep or self.sparql is None:
            self.sparql = template.display(**bindings)
        return rows

    def finish(self, template: Template, **bindings: list) -> None:
        self.sparql = template.display(**bindings)

    def add(self, iri: str, score: float, why: list[str], *, label: str | None = None) -> None:
        if iri in self._seen:
            entry = self._seen[iri]
            entry["why"] = list(dict.fromkeys(entry["why"] + why))
            entry["score"] = max(entry["score"], round(score, 3))
            return
        entry = {"iri": iri, "label": label or self.label(iri), "score": round(score, 3), "why": why}
        self._seen[iri] = entry
        self.answers.append(entry)
