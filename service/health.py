"""Liveness and the API description: ``/health`` and ``/openapi.json``.

``/health`` touches no query machinery and no store (it reports what the
background checks last saw), so it answers at once even while a runaway
query is being stopped.
"""

from __future__ import annotations

import contextlib
import os
import time

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from service.graph_state import for_app
from service.openapi import spec

bp = Blueprint("health", __name__)
STARTED = time.time()


@bp.get("/health")
def health() -> ResponseReturnValue:
    state = for_app(current_app)
    with contextlib.suppress(Exception):
        state.current()
    body = {"status": "ok", "pid": os.getpid(), "uptime_s": round(time.time() - STARTED, 1), **state.status()}
    if body["graph_version"] is None:
        body["status"] = "no graph"
        return jsonify(body), 503
    return jsonify(body)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(spec())
