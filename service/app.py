"""The Flask application factory: settings from the environment, blueprints, limits, errors.

``create_app()`` makes nothing heavy: the graph is loaded on the first request
of each worker process, and the embedding and demo models on first use, so
gunicorn can fork workers from a master that holds no model (a process that
has run torch and then forks hangs in the child).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from service import errors
from service.settings import load_settings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """A configured app; ``overrides`` replace settings by name (e.g. ``{"database_url": ...}``)."""
    settings = load_settings(overrides)
    app = Flask(__name__, static_folder=None)
    app.config["MODELKG_SETTINGS"] = settings
    app.config["DATABASE_URL"] = settings["database_url"]
    app.config["MAX_CONTENT_LENGTH"] = settings["max_body_bytes"]
    app.config["MAX_FORM_MEMORY_SIZE"] = settings["max_body_bytes"]
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    errors.register(app)
    _register_blueprints(app)
    _init_limiter(app, settings)
    app.after_request(_cors)
    return app


def _register_blueprints(app: Flask) -> None:
    from service import health, linked_data, pages
    from service.ask import views as ask
    from service.demo import views as demo
    from service.sparql import views as sparql

    for blueprint in (health.bp, sparql.bp, ask.bp, demo.bp, pages.bp, linked_data.bp):
        app.register_blueprint(blueprint)


def _init_limiter(app: Flask, settings: Mapping[str, Any]) -> None:
    """Per-client rate limits; counters in Redis when configured, else in this process."""
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    text = settings["rate_limit"].strip()
    limits = [] if text.lower() in ("off", "none") else [part.strip() for part in text.split(";") if part.strip()]
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=limits,
        storage_uri=settings["redis_url"] or "memory://",
        headers_enabled=False,
        enabled=bool(limits),
        swallow_errors=True,
    )
    limiter.exempt(app.view_functions["health.health"])
    app.extensions["modelkg_limiter"] = limiter


def _cors(response: Response) -> Response:
    """Read-only CORS: any origin may read, nobody sends credentials."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Retry-After, Modelkg-Truncated, Modelkg-Graph-Version"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def warm(app: Flask) -> None:
    """Do now, in the background, what a new worker's first requests would otherwise wait for: load the
    graph, start the query workers with it loaded, and load the question encoder.

    Without it the first SPARQL queries of a fresh worker queue behind starting its query processes
    (and get 503 busy under load), and the first open question pays for loading the encoder.
    """

    def run() -> None:
        try:
            from graph.embeddings import load_encoder
            from service.ask.views import asker_for
            from service.sparql.views import engine

            engine(app)
            asker_for(app)
            load_encoder()
        except Exception as exc:  # a store that is down now is reported by /health; requests retry lazily
            logging.getLogger("modelkg").warning("warm-up skipped: %s", exc)

    threading.Thread(target=run, name="modelkg-warm", daemon=True).start()
