"""Questions in plain English or Chinese, answered from the graph.

For tools: ``Asker(store, texts).ask(question)`` over a pyoxigraph store and
the entity vectors the ingest stored, or ``answer(question)`` over the
default store::

    from service.ask import answer
    answer("Which models suit summarization?")["answers"][0]["label"]
"""

from __future__ import annotations

from typing import Any

from service.ask.answer import Asker, AskError, check_request

__all__ = ["AskError", "Asker", "answer", "check_request"]

_ASKERS: dict[str, Asker] = {}


def answer(question: str, *, url: str | None = None, top_k: int = 10, lang: str | None = None) -> dict[str, Any]:
    """The answer JSON for ``question`` over the store at ``url`` (default: the configured store).

    The Asker is built once per URL in this process; restart to see a new ingest.
    """
    if url is None:
        from service.settings import load_settings

        url = load_settings()["database_url"]
    asker = _ASKERS.get(url)
    if asker is None:
        asker = _ASKERS[url] = Asker.from_url(url)
    return asker.ask(question, top_k=top_k, lang=lang)
