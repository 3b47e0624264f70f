"""The pages people use: ask, browse, query, and a page for every entity.

Server-rendered with Jinja and a little plain JavaScript; every script and
style is served from ``service/static`` (vendored at pinned versions), so
the pages make no request to any other host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, make_response, render_template, request

from graph.describe import catalogue, describe, label_of, overview
from graph.examples import EXAMPLES
from graph.queries import select
from graph.vocab import BASE, KINDS, MKG, PREFIXES, iri
from service.graph_state import for_app
from service.i18n import TEXT, choose_language, translator

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/assets", template_folder="templates")

#: Entity kinds that get a page (the rest are bookkeeping resources).
PAGE_KINDS = ("model", "task", "objective", "category", "paper", "checkpoint", "organization", "model-type", "head")

#: Interface strings the scripts need.
JS_TEXT_KEYS = (
    "asking",
    "no_answer",
    "answers",
    "answers_other",
    "try_it",
    "evidence",
    "see_sparql",
    "open_in_editor",
    "demo_output",
    "random_weights",
    "rows",
    "timeline",
    "lineage_view",
    "query_error",
    "running",
    "weights_local",
    "weights_bundled",
    "weights_random",
)

SUGGESTIONS = {
    "en": [
        "Which models suit summarization?",
        "What does DistilBERT derive from?",
        "Which models are multilingual?",
        "Show me GPT-2 generating text",
    ],
    "zh": ["哪些模型适合做摘要？", "哪些模型是多语言的？", "BERT 用什么目标预训练？", "用 BERT 演示填空"],
}

#: Model pages the home page offers as places to start.
FEATURED = ("bert", "gpt-2", "t5", "bart")

COUNTS_QUERY = """SELECT (COUNT(DISTINCT ?m) AS ?models) (COUNT(DISTINCT ?c) AS ?categories)
WHERE { ?m mkg:inTaxonomy ?t ; mkg:category ?c }"""

TERMS_QUERY = "SELECT DISTINCT ?t WHERE { { ?t a owl:Class } UNION { ?t a owl:ObjectProperty } UNION { ?t a owl:DatatypeProperty } }"


def page_url(target: str, lang: str) -> str:
    """The path of the page for an IRI minted here, or the IRI itself."""
    if target.startswith(BASE):
        return "/" + target[len(BASE) :] + "?" + urlencode({"lang": lang})
    return target


def _context(active: str | None = None) -> dict[str, Any]:
    lang = choose_language(request)
    args = request.args.to_dict()
    args["lang"] = "en" if lang == "zh" else "zh"
    graph = for_app(current_app).current().store
    return {
        "lang": lang,
        "t": translator(lang),
        "js_text": {k: TEXT[k][lang] for k in JS_TEXT_KEYS},
        "switch_url": request.path + "?" + urlencode(args),
        "active": active,
        "page_url": lambda target: page_url(target, lang),
        "label": lambda target: label_of(graph, target, lang),
    }


def _render(template: str, active: str | None = None, **values: Any) -> Response:
    context = _context(active)
    response = make_response(render_template(template, **context, **values))
    if request.args.get("lang") in ("en", "zh"):
        response.set_cookie("lang", request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax")
    response.headers["Content-Language"] = context["lang"]
    return response


@bp.get("/")
def home() -> Response:
    lang = choose_language(request)
    graph = for_app(current_app).current().store
    row = next(iter(select(graph, COUNTS_QUERY)), {})
    counts = {name: int(row[name].value) if name in row else 0 for name in ("models", "categories")}
    return _render(
        "home.html",
        "ask",
        question=request.args.get("q", ""),
        suggestions=SUGGESTIONS[lang],
        featured=FEATURED,
        counts=counts,
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    """A tiny drawn icon, so a browser's automatic request gets an answer instead of a 404."""
    response = Response(FAVICON, content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<g stroke="#b8bfcc" stroke-width="2"><line x1="8" y1="8" x2="24" y2="16"/><line x1="8" y1="24" x2="24" y2="16"/></g>'
    '<circle cx="8" cy="8" r="5" fill="#2f5bd3"/><circle cx="8" cy="24" r="5" fill="#1b8a5a"/>'
    '<circle cx="24" cy="16" r="6" fill="#ffb020"/></svg>'
)


@bp.get("/browse")
def browse() -> Response:
    lang = choose_language(request)
    graph = for_app(current_app).current().store
    categories = catalogue(graph, lang=lang)
    tasks: dict[str, str] = {}
    objectives: dict[str, str] = {}
    for category in categories:
        for model in category["models"]:
            tasks.update(model["tasks"])
            objectives.update(model["objectives"])
    selected = {
        "task": request.args.get("task", ""),
        "objective": request.args.get("objective", ""),
        "multilingual": request.args.get("multilingual") == "true",
    }
    return _render(
        "browse.html",
        "browse",
        categories=categories,
        tasks=sorted(tasks.items(), key=lambda kv: kv[1]),
        objectives=sorted(objectives.items(), key=lambda kv: kv[1]),
        selected=selected,
        model_count=sum(len(c["models"]) for c in categories),
        overview=overview(graph, lang=lang),
    )


@bp.get("/query")
def query_page() -> Response:
    graph = for_app(current_app).current().store
    terms: dict[str, list[str]] = {}
    for row in select(graph, TERMS_QUERY):
        value = row["t"].value
        for name, ns in PREFIXES.items():
            if value.startswith(ns) and value != ns:
                terms.setdefault(name, []).append(value[len(ns) :])
    for kind in ("model", "task", "objective", "category"):
        prefix_ns = PREFIXES[kind]
        rows = select(graph, "SELECT DISTINCT ?s ?c WHERE { ?s a ?c }", c=MKG[kind.capitalize()])
        terms[kind] = sorted(r["s"].value[len(prefix_ns) :] for r in rows if r["s"].value.startswith(prefix_ns))
    return _render(
        "sparql.html",
        "sparql",
        query=request.args.get("query", EXAMPLES[0].query),
        examples=EXAMPLES,
        prefixes=PREFIXES,
        terms={k: sorted(set(v)) for k, v in terms.items()},
        endpoint="/sparql",
    )


def entity_page(kind: str, slug: str, alternates: list[tuple[str, str]]) -> Response:
    """The HTML page for the entity ``kind/slug``; 404 when the graph does not know it.

    ``alternates`` lists ``(format, media type)`` pairs the same URL serves to machines.
    """
    lang = choose_language(request)
    graph = for_app(current_app).current().store
    entity = describe(graph, str(iri(kind, slug)), lang=lang) if kind in KINDS and kind in PAGE_KINDS else None
    if entity is None:
        response = _render("notfound.html", "browse", path=request.path)
        response.status_code = 404
        return response
    status = {_local(f["property"]): f["value"] for f in entity["facts"]}
    not_runnable = status.get("statusNote") if status.get("transformersStatus") == "removed" else None
    demo_task = next((task for task in DEMO_TEXTS if task in {_slug(s["task"]) for s in entity["suitability"]}), "")
    return _render(
        "entity.html",
        "browse",
        entity=entity,
        suitability=_by_task(entity["suitability"]),
        checkpoints=_unique_checkpoints(entity["checkpoints"]),
        facts=_page_facts(entity["facts"]),
        alternates=alternates,
        entity_path=f"/{kind}/{slug}",
        demo_task=demo_task,
        not_runnable=not_runnable,
        demo_texts=DEMO_TEXTS,
    )


#: Sample input for the "try it" form, by task, in the order a task is preselected.
DEMO_TEXTS = {
    "fill-mask": "Paris is the [MASK] of France.",
    "text-generation": "The knowledge graph of transformer models shows",
    "summarization": (
        "BERT is a bidirectional transformer encoder pre-trained with masked language modelling on BooksCorpus and "
        "English Wikipedia. Fine-tuned with one extra output layer, it set new results on eleven NLP tasks."
    ),
    "translation": "The knowledge graph describes transformer models.",
    "text-classification": "This model is a pleasure to use.",
    "question-answering": "Who introduced BERT?",
    "feature-extraction": "A knowledge graph of transformer models.",
}

#: Facts shown in their own section of the page, so left out of the facts table.
_SHOWN_APART = ("suitedFor", "checkpoint", "description", "definition")


def _local(prop: str) -> str:
    return prop.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _slug(target: str) -> str:
    return target.rsplit("/", 1)[-1]


def _by_task(suitability: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per task, its evidence strongest first, curated before a registered head."""
    tasks: dict[str, dict[str, Any]] = {}
    for s in sorted(suitability, key=lambda s: s["rank"]):
        entry = tasks.setdefault(s["task"], {"task": s["task"], "task_label": s["task_label"], "evidence": []})
        entry["evidence"].append(s)
    return sorted(tasks.values(), key=lambda e: (e["evidence"][0]["rank"], e["task_label"].casefold()))


def _unique_checkpoints(checkpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per hub id, its notes joined (a checkpoint several models use carries each one's note)."""
    rows: dict[str, dict[str, Any]] = {}
    for c in checkpoints:
        row = rows.setdefault(c["hub_id"], {**c, "notes": []})
        if c["note"] and c["note"] not in row["notes"]:
            row["notes"].append(c["note"])
    return list(rows.values())


def _page_facts(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facts table: not those shown apart, properties named by their label or their local name."""
    out = []
    for fact in facts:
        name = _local(fact["property"])
        if name in _SHOWN_APART:
            continue
        label = fact["property_label"]
        out.append({**fact, "property_label": name if label.startswith(("http://", "https://")) else label})
    return out
