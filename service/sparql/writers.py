"""Writers for SPARQL results that stop at a row cap and a byte cap and say so.

The engine's own serialisers take a whole result; these take rows one by one,
so a result is cut at a row boundary (still a valid document) and the caller
learns it was cut. Used inside the query worker process.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.vocab import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class Written:
    body: bytes
    count: int
    truncated: bool


def _json_term(term: object) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_field(term: object | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(term: object | None) -> str:
    return "" if term is None else str(term)


def _bounded(
    head: bytes, rows: Iterator[bytes], tail: bytes, max_rows: int, max_bytes: int, cut_tail: bytes | None = None
) -> Written:
    """``head``, then rows while both caps allow, then ``tail`` (``cut_tail`` when rows were cut)."""
    parts = [head]
    size = len(head) + max(len(tail), len(cut_tail or b""))
    count = 0
    truncated = False
    for row in rows:
        if count >= max_rows or size + len(row) > max_bytes:
            truncated = True
            break
        parts.append(row)
        size += len(row)
        count += 1
    parts.append(cut_tail if truncated and cut_tail is not None else tail)
    return Written(b"".join(parts), count, truncated)


def write_solutions(fmt: str, variables: list[str], rows: Iterable, max_rows: int, max_bytes: int) -> Written:
    """A SELECT result in ``fmt`` (json, xml, csv, tsv); ``rows`` yield pyoxigraph solutions."""
    if fmt == "json":
        return _json_solutions(variables, rows, max_rows, max_bytes)
    if fmt == "xml":
        head = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        head += "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>"

        def encoded() -> Iterator[bytes]:
            for row in rows:
                cells = "".join(
                    f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                    for v in variables
                    if row[v] is not None
                )
                yield f"<result>{cells}</result>".encode()

        cut = b"</results></sparql>\n<!-- truncated: more results than this endpoint returns -->"
        return _bounded(head.encode(), encoded(), b"</results></sparql>", max_rows, max_bytes, cut_tail=cut)
    if fmt == "csv":
        head = (",".join(variables) + "\r\n").encode()
        lines = ((",".join(_csv_field(row[v]) for v in variables) + "\r\n").encode() for row in rows)
        return _bounded(head, lines, b"", max_rows, max_bytes)
    if fmt == "tsv":
        head = ("\t".join("?" + v for v in variables) + "\n").encode()
        lines = (("\t".join(_tsv_field(row[v]) for v in variables) + "\n").encode() for row in rows)
        return _bounded(head, lines, b"", max_rows, max_bytes)
    raise ValueError(f"no solutions format {fmt!r}")


def _json_solutions(variables: list[str], rows: Iterable, max_rows: int, max_bytes: int) -> Written:
    """SPARQL JSON results. Rows up to the cap become one list encoded in one call, each term encoded
    once however often it recurs (per-row encoding cost 10 µs a row); only a result past the byte cap
    is encoded row by row to find where to cut."""
    head = ('{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":[').encode()
    tail, cut_tail = b"]}}", b']},"truncated":true}'  # clients ignore members they do not know
    seen: dict = {}

    def term(value: object) -> dict:
        found = seen.get(value)
        if found is None:
            found = seen[value] = _json_term(value)
        return found

    bindings: list[dict] = []
    more = False
    for row in rows:
        if len(bindings) >= max_rows:
            more = True
            break
        bindings.append({v: term(t) for v, t in zip(variables, row, strict=True) if t is not None})
    body = json.dumps(bindings, ensure_ascii=False, separators=(",", ":")).encode()[1:-1]
    if len(head) + len(body) + len(cut_tail) <= max_bytes:
        return Written(head + body + (cut_tail if more else tail), len(bindings), more)
    encoded = (
        ("," if i else "") + json.dumps(b, ensure_ascii=False, separators=(",", ":")) for i, b in enumerate(bindings)
    )
    return _bounded(head, (text.encode() for text in encoded), tail, max_rows, max_bytes, cut_tail=cut_tail)


def write_boolean(fmt: str, value: bool) -> Written:
    """An ASK result in ``fmt``."""
    word = "true" if value else "false"
    body = {
        "json": '{"head":{},"boolean":' + word + "}",
        "xml": '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
        f"<boolean>{word}</boolean></sparql>",
        "csv": f"_askResult\r\n{word}\r\n",
        "tsv": f"?_askResult\n{word}\n",
    }[fmt]
    return Written(body.encode(), 1, False)


RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def write_graph(fmt: str, triples: Iterable, max_rows: int, max_bytes: int) -> Written:
    """A CONSTRUCT or DESCRIBE result; past either cap, the largest prefix of triples that fits."""
    kept = []
    truncated = False
    for triple in triples:
        if len(kept) >= max_rows:
            truncated = True
            break
        kept.append(triple)
    prefixes = PREFIXES if fmt in ("ttl", "rdfxml") else None
    body = ox.serialize(kept, format=RDF_FORMATS[fmt], prefixes=prefixes)
    while len(body) > max_bytes and kept:
        truncated = True
        kept = kept[: len(kept) // 2]
        body = ox.serialize(kept, format=RDF_FORMATS[fmt], prefixes=prefixes)
    return Written(body, len(kept), truncated)
