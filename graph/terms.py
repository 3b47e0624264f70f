"""RDF terms to and from their N-Triples spelling, the form the SQL store keeps.

N-Triples is canonical enough to compare rows as strings, both rdflib and
pyoxigraph parse it fast, and a quad table of plain text works the same on
SQLite and PostgreSQL.

>>> from rdflib import Literal, URIRef
>>> term_to_nt(URIRef("https://w3id.org/modelkg/model/bert"))
'<https://w3id.org/modelkg/model/bert>'
>>> term_to_nt(Literal("摘要", lang="zh"))
'"摘要"@zh'
>>> term_to_nt(Literal('say "hi"\\n'))
'"say \\\\"hi\\\\"\\\\n"'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_ESCAPE_RE = re.compile(r'[\\"\n\r]')


class TermError(ValueError):
    """A term the store cannot keep (a blank node, or an IRI that is not one)."""


def _iri(value: str) -> str:
    if _BAD_IRI_CHARS.search(value):
        raise TermError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def term_to_nt(term: Node) -> str:
    """The N-Triples spelling of ``term``; blank nodes are refused.

    Blank nodes would make two ingests of the same data differ, so every
    resource the project writes has an IRI (skolemised where needed).
    """
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, BNode):
        raise TermError("blank nodes are not stored: give the resource an IRI")
    if isinstance(term, Literal):
        body = '"' + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], str(term)) + '"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{body}^^{_iri(str(term.datatype))}"
        return body
    raise TermError(f"not an RDF term: {term!r}")


def nquads(rows: Iterable[tuple[str, str, str, str]]) -> str:
    """N-Quads text for stored rows ``(graph, subject, predicate, object)``."""
    return "".join(f"{s} {p} {o} {g} .\n" for g, s, p, o in rows)
