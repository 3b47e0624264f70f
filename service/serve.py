"""Run the service: gunicorn in production, Flask's development server only when asked.

Workers are gthread workers (a few threads each; :mod:`service.gunicorn_worker`, which answers
gunicorn's own protocol errors in JSON too), so ``/health`` and cheap
requests keep answering while a thread waits on a slow query's worker
process. The app is created in each worker after the fork (no preload):
a process that has run the embedding model must not fork.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], overrides: dict[str, Any]) -> None:
        self.options = options
        self.overrides = overrides
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from service.app import create_app, warm

        app = create_app(self.overrides)
        warm(app)
        return app


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    threads: int = 4,
    dev: bool = False,
    overrides: dict[str, Any] | None = None,
) -> None:
    """Serve until interrupted."""
    overrides = overrides or {}
    if dev:
        from service.app import create_app

        create_app(overrides).run(host=host, port=port, debug=False, threaded=True)
        return
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "service.gunicorn_worker.JsonErrorThreadWorker",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "preload_app": False,
        # GET queries can be long; the app itself refuses a query over its size limit with JSON.
        "limit_request_line": 0,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "modelkg",
    }
    _Gunicorn(options, overrides).run()
