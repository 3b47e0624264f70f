"""HTTP content negotiation over an ``Accept`` header with q-values.

>>> offers = [("application/sparql-results+json", "json"), ("text/csv", "csv")]
>>> choose("text/csv;q=0.9, application/sparql-results+json", offers)
'json'
>>> choose("text/*", offers)
'csv'
>>> choose("image/png", offers) is None
True
>>> choose("", offers)
'json'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """``(media range, q, position)`` for each entry; malformed q-values count as 1."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append((media, q, position))
    return ranges


def _specificity(media_range: str, media_type: str) -> int:
    """How specifically ``media_range`` matches ``media_type``: 3 exact, 2 type/*, 1 */*, 0 none."""
    if media_range == media_type:
        return 3
    major, _, minor = media_range.partition("/")
    if minor == "*" and media_type.split("/")[0] == major:
        return 2
    if media_range in ("*/*", "*"):
        return 1
    return 0


def quality(header: str, media_type: str) -> float:
    """The q-value the client gives ``media_type`` (the most specific matching range decides)."""
    best = (0, 0.0)
    for media_range, q, _ in parse_accept(header):
        spec = _specificity(media_range, media_type)
        if spec > best[0]:
            best = (spec, q)
    return best[1]


def choose(header: str | None, offers: Sequence[tuple[str, T]]) -> T | None:
    """The offer the client prefers: highest q, then most specific match, then the server's order.

    No or empty header means anything; the first offer wins. None when nothing is acceptable.
    """
    if not header or not header.strip():
        return offers[0][1] if offers else None
    ranges = parse_accept(header)
    scored = []
    for order, (media_type, value) in enumerate(offers):
        best = None
        for media_range, q, _ in ranges:
            spec = _specificity(media_range, media_type.lower())
            if spec and (best is None or spec > best[1]):
                best = (q, spec)
        if best is not None and best[0] > 0:
            scored.append((-best[0], -best[1], order, value))
    if not scored:
        return None
    scored.sort(key=lambda item: item[:3])
    return scored[0][3]
