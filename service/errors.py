"""Every error the service sends is JSON ``{"error": {"code", "message"}}`` with the right status.

Handlers cover Flask's own HTTP errors (404, 405, 413, 415, ...) and anything
unexpected, which is logged here and answered with a generic message, so no
stack trace or file path ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("modelkg.service")

#: Stable machine-readable codes for the HTTP statuses the service answers with.
CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "timeout",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    502: "backend_error",
    503: "unavailable",
    504: "backend_timeout",
}


class ApiError(Exception):
    """An error a view raises to answer with a status, a code and a message."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.headers = dict(headers or {})


def error_response(
    status: int, message: str, *, code: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """The JSON error body with its status and headers."""
    response = jsonify({"error": {"code": code or CODES.get(status, "error"), "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = {
        404: "No such resource here; see /openapi.json for what this service offers.",
        405: "This method is not allowed here.",
        413: "The request body is too large.",
        415: "Unsupported content type.",
    }.get(status) or (exc.description or exc.name)
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    if status == 429:
        headers.setdefault("Retry-After", str(_retry_after(exc)))
        message = f"Too many requests from this client (limit {exc.description}); retry later."
    return error_response(status, message, headers=headers)


def _retry_after(exc: HTTPException) -> int:
    limit = getattr(exc, "limit", None)
    seconds = getattr(getattr(limit, "limit", None), "get_expiry", lambda: 1)()
    return max(1, int(seconds))


def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.message, code=exc.code, headers=exc.headers)


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error")
    return error_response(500, "Internal error; the service logged it.")


def register(app: Flask) -> None:
    """Install the JSON error handlers on ``app``."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
