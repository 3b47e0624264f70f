"""The query worker: a child process that evaluates queries and can be killed at the deadline.

A runaway query (a catastrophic REGEX, a huge cross product) cannot be
interrupted inside the engine, so it runs here, in a process of its own with
a memory ceiling; the parent kills it when the deadline passes and starts
another. Frames on stdin/stdout are those of :mod:`service.pipes`.
"""

from __future__ import annotations

import os
import re
import resource
import sys
from typing import Any

from service.pipes import exit_with_parent, receive, send


def syntax_message(engine_text: str) -> str:
    """The engine's parse error as one readable line with its line and column.

    >>> syntax_message("error at 1:26: expected OPTIONAL")
    'SPARQL syntax error at line 1, column 26: expected OPTIONAL'
    >>> syntax_message("error at 1:27: expected one of Prefix not found, ['%'], [':']")
    'SPARQL syntax error at line 1, column 27: unknown prefix'
    """
    match = re.match(r"error at (\d+):(\d+): (.*)", engine_text, re.DOTALL)
    if match is None:
        return "SPARQL syntax error: " + engine_text.splitlines()[0][:200]
    line, column, detail = match.groups()
    if "Prefix not found" in detail:
        detail = "unknown prefix"
    else:
        detail = detail.split("[", 1)[0].replace("\n", " ").rstrip(" ,")
        detail = detail[:160] + ("…" if len(detail) > 160 else "")
    return f"SPARQL syntax error at line {line}, column {column}: {detail}"


def evaluate(store: Any, request: dict) -> tuple:
    """Run one query; ``("ok", body, count, truncated)`` or ``("error", code, message)``."""
    import pyoxigraph as ox

    from graph.vocab import PREFIXES
    from service.sparql.writers import write_boolean, write_graph, write_solutions

    options: dict[str, Any] = {"prefixes": PREFIXES}
    if request.get("default_graphs"):
        options["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"]]
    else:
        options["use_default_graph_as_union"] = True
    if request.get("named_graphs"):
        options["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"]]
    try:
        result = store.query(request["query"], **options)
    except SyntaxError as exc:
        return ("error", "syntax_error", syntax_message(str(exc)))
    except (OSError, ValueError, RuntimeError) as exc:
        return ("error", "evaluation_error", f"The query failed: {exc}")
    fmt, max_rows, max_bytes = request["format"], request["max_rows"], request["max_bytes"]
    try:
        if isinstance(result, ox.QueryBoolean):
            written = write_boolean(fmt, bool(result))
        elif isinstance(result, ox.QuerySolutions):
            written = write_solutions(fmt, [v.value for v in result.variables], result, max_rows, max_bytes)
        else:
            written = write_graph(fmt, result, max_rows, max_bytes)
    except (OSError, ValueError, RuntimeError) as exc:
        return ("error", "evaluation_error", f"The query failed: {exc}")
    return ("ok", written.body, written.count, written.truncated)


def main() -> None:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Below the web workers in CPU priority: a heavy query must not slow every other request.
    os.nice(10)
    exit_with_parent()
    import pyoxigraph as ox

    # What the first query would import (the vocabulary pulls in rdflib: 0.4 s), imported before
    # the first query, while the worker is being warmed, not while a client waits.
    import graph.vocab  # noqa: F401
    import service.sparql.writers  # noqa: F401

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    store = ox.Store()
    while True:
        try:
            message = receive(inp)
        except EOFError:
            return
        if message["op"] == "load":
            store = ox.Store()
            store.bulk_load(message["nquads"], format=ox.RdfFormat.N_QUADS)
            send(out, ("ok",))
        elif message["op"] == "query":
            try:
                send(out, evaluate(store, message))
            except MemoryError:
                send(out, ("error", "too_much_memory", "The query needed more memory than a query may use."))
        elif message["op"] == "ping":
            send(out, ("ok",))


if __name__ == "__main__":
    main()
