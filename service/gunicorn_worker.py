"""The gunicorn worker the service runs: gthread, with gunicorn's own errors answered in JSON.

A request gunicorn cannot parse (a request line with raw non-ASCII bytes, as
``curl 'host/ask?q=哪些模型'`` sends, a bad header, a bad chunk) never reaches
the app: gunicorn answers it with an HTML page of its own. The service
promises JSON ``{"error": {"code", "message"}}`` for every error, so this
worker writes gunicorn's status and message in that shape instead.
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

#: What a client can do about the most common case, said in the message.
_HINTS = {
    400: "The request is not valid HTTP/1.1; a URL must percent-encode anything but printable ASCII.",
}


def json_error_response(status: int, reason: str, message: str) -> bytes:
    """A complete HTTP/1.1 response carrying ``message`` as the service's JSON error.

    >>> print(json_error_response(400, "Bad Request", "Invalid Request Line").decode().splitlines()[0])
    HTTP/1.1 400 Bad Request
    """
    detail = " ".join(part for part in (_HINTS.get(status, ""), message) if part) or reason
    code = reason.lower().replace(" ", "_")
    body = json.dumps({"error": {"code": code, "message": detail}}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    util.write_nonblock(sock, json_error_response(int(status_int), reason, mesg))


class JsonErrorThreadWorker(ThreadWorker):
    """gunicorn's gthread worker; its protocol errors go out as JSON."""

    def init_process(self) -> None:
        # gunicorn writes these errors through util.write_error; this process is ours alone.
        util.write_error = _write_json_error
        super().init_process()
