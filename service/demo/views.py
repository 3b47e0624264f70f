"""``/demo``: POST runs a seed model on a text; GET lists what each seed model's demo does now.

The view only checks the HTTP envelope (JSON object, known fields, no
``trust_remote_code`` anywhere) and hands the fields to :func:`run_demo`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from service.demo import demo_table, find_forbidden, run_demo
from service.demo.resolve import catalogue_for
from service.errors import ApiError

bp = Blueprint("demo", __name__)

FIELDS = ("model", "text", "task", "params")


@bp.route("/demo", methods=["POST"])
def demo() -> Response:
    """Run one demo: ``{"model", "text", "task"?, "params"?}`` → the result JSON."""
    if not request.is_json:
        raise ApiError(415, "Send the demo request as application/json.", code="unsupported_media_type")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, 'The body must be a JSON object: {"model", "text", "task"?, "params"?}.', code="bad_json")
    forbidden = find_forbidden(body)
    if forbidden:
        raise ApiError(
            400,
            f"{forbidden}: trust_remote_code is refused; demos run only transformers' own code.",
            code="remote_code_refused",
        )
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise ApiError(400, f"Unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}.", code="bad_request")
    for name in ("model", "text"):
        if name not in body:
            raise ApiError(400, f"Missing field {name!r}.", code="bad_request")
    result = run_demo(current_app, body["model"], body["text"], body.get("task"), body.get("params"))
    return jsonify(result)


@bp.route("/demo", methods=["GET"])
def demo_list() -> Response:
    """Per seed model: whether its demo uses real or random weights, its tasks, or why it cannot run."""
    settings = current_app.config["MODELKG_SETTINGS"]
    return jsonify({"models": demo_table(catalogue_for(current_app), settings["models_dir"])})
