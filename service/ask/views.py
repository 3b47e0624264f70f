"""``GET /ask?q=...`` and ``POST /ask``: the question in, the answer JSON out.

The Asker (entity index and vectors of the served graph version) is built on
the first question in each worker process and rebuilt when the graph
version changes; the embedding model is loaded then, never at import or in
``create_app`` (a process that has run torch and then forks hangs).
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from graph.store import StoreError
from service.ask.answer import DEFAULT_TOP_K, Asker, AskError, check_request
from service.errors import ApiError
from service.graph_state import for_app

bp = Blueprint("ask", __name__)
_lock = threading.Lock()


def asker_for(app: Flask) -> Asker:
    """This process's Asker for the graph version being served."""
    snapshot = for_app(app).current()
    cached = app.extensions.get("modelkg_asker")
    if cached is not None and cached.version == snapshot.version:
        return cached
    with _lock:
        cached = app.extensions.get("modelkg_asker")
        if cached is not None and cached.version == snapshot.version:
            return cached
        from graph.store import Store

        store = Store(app.config["DATABASE_URL"])
        try:
            version, texts = store.embeddings()
        finally:
            store.dispose()
        if version != snapshot.version:
            texts = []  # an ingest landed in between: serve lexical-only until the snapshot catches up
        asker = Asker(snapshot.store, texts, version=snapshot.version)
        app.extensions["modelkg_asker"] = asker
        return asker


def demo_runner(app: Flask):
    """``run_demo`` bound to the app, or None when the demo package is not installed."""
    try:
        from service.demo import run_demo
    except ImportError:
        return None
    return partial(run_demo, app)


def _top_k(raw: Any) -> Any:
    if raw is None or raw == "":
        return DEFAULT_TOP_K
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, "'top_k' must be an integer from 1 to 50.", code="bad_top_k") from None
    return raw


@bp.route("/ask", methods=["GET", "POST"])
def ask() -> Any:
    """Answer a question about the graph in English or Chinese."""
    if request.method == "POST":
        if not request.is_json:
            raise ApiError(415, "Send the question as JSON: Content-Type: application/json.")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(
                400,
                'The body must be a JSON object, e.g. {"question": "Which models suit summarization?"}.',
                code="bad_json",
            )
        unknown = set(body) - {"question", "q", "top_k", "lang"}
        if unknown:
            raise ApiError(
                400, f"Unknown field(s): {', '.join(sorted(unknown))}; expected question, top_k, lang.", code="bad_json"
            )
        question, top_k, lang = body.get("question", body.get("q")), body.get("top_k", DEFAULT_TOP_K), body.get("lang")
    else:
        question = request.args.get("q", request.args.get("question"))
        if question is None:
            raise ApiError(
                400, "Ask with ?q=..., e.g. /ask?q=Which+models+suit+summarization%3F", code="empty_question"
            )
        top_k, lang = _top_k(request.args.get("top_k")), request.args.get("lang")
    settings = current_app.config["MODELKG_SETTINGS"]
    try:
        question, top_k, lang = check_request(question, top_k, lang, max_chars=int(settings["ask_max_chars"]))
    except AskError as exc:
        raise ApiError(400, str(exc), code=exc.code) from None
    app = current_app._get_current_object()
    try:
        asker = asker_for(app)
    except StoreError as exc:
        raise ApiError(503, str(exc), code="unavailable") from None
    answer = asker.ask(question, top_k=top_k, lang=lang, demo_runner=demo_runner(app))
    return jsonify(answer)
