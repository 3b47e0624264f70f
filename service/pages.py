"""The pages people use: ask, browse, query, and a page for every entity.

Server-rendered with Jinja and a little plain JavaScript; every script and
style is served from ``service/static`` (vendored at pinned versions), so
the pages make no request to any other host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, make_response, render_template, request

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
    "evidence",
    "see_sparql",
    "open_in_editor",
    "demo_output",
    "random_weights",
    "rows",
    "timeline",
    "lineage_view",
    "query_error",
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
    return _render("home.html", "ask", question=request.args.get("q", ""), suggestions=SUGGESTIONS[lang])


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
    return _render(
        "browse.html",
        "browse",
        categories=categories,
        tasks=sorted(tasks.items(), key=lambda kv: kv[1]),
        objectives=sorted(objectives.items(), key=lambda kv: kv[1]),
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
    if kind not in KINDS or kind not in PAGE_KINDS:
        abort(404)
    lang = choose_language(request)
    graph = for_app(current_app).current().store
    entity = describe(graph, str(iri(kind, slug)), lang=lang)
    if entity is None:
        abort(404)
    demo_text = {"zh": "Paris is the [MASK] of France."}.get(lang, "Paris is the [MASK] of France.")
    return _render(
        "entity.html",
        "browse",
        entity=entity,
        alternates=alternates,
        entity_path=f"/{kind}/{slug}",
        demo_text=demo_text,
    )
