"""What may run: a query is checked on its parsed algebra before any evaluation.

Refused, with the status the protocol expects:
- text over the size limit, nesting over the depth limit, or a parse that
  recurses too deep (400), so no query can exhaust the parser;
- any update, in any form (403): the public service is read-only;
- ``SERVICE`` anywhere in the algebra, whatever its spelling or position
  (silent, prefixed, variable, inside EXISTS, OPTIONAL or a subquery) (400):
  a query never makes the server reach out;
- ``FROM``/``FROM NAMED`` naming a graph the store does not hold (400): the
  engine never loads a graph from elsewhere.

The decision uses rdflib's SPARQL parser and algebra (rdflib's own graph
loading is switched off); the verdict is cached per query text. Parsing in
Python costs 1-10 ms, so a query whose text cannot hold any of those
constructs skips it: without the letters of SERVICE, FROM or an update
keyword, and without ``\\u`` escapes (which SPARQL expands before parsing),
no algebra can contain them. Such a query is then parsed once, by the
engine, whose syntax errors are answered 400 as well.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from dataclasses import dataclass

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from graph.vocab import PREFIXES

rdflib_sparql.SPARQL_LOAD_GRAPHS = False

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

#: Text that may hide SERVICE, a dataset clause or an update: such queries get the full analysis.
#: A keyword is a token of its own, so one that follows an ASCII letter or "_" is the tail of a name
#: (``mkg:derivedFrom``, ``?payload``) in every SPARQL grammar, and needs no parse; anything else that
#: spells a keyword, inside a string or a comment too, is analysed.
NEEDS_ANALYSIS = re.compile(
    r"(?<![a-z_])(?:service|from|insert|delete|load|clear|drop|create|add\b|move|copy|with\b)|\\u", re.IGNORECASE
)
#: The query form after the prologue (BASE, PREFIX and comments).
FORM_AFTER_PROLOGUE = re.compile(
    r"\A(?:\s+|#[^\n]*(?:\n|\Z)|BASE\s*<[^<>\s]*>|PREFIX\s+[^\s:]*:\s*<[^<>\s]*>)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)


class QueryRefused(Exception):
    """A query that will not run, with the HTTP status and error code to answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed: its form and the graphs its dataset clause names."""

    text: str
    form: str
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]


#: What nesting_depth must see past (comments, strings and IRIs, whose brackets do not nest) and the
#: brackets themselves. An IRI may hold "#", which must not start a comment that hides the rest of a line.
_NESTING_TOKENS = re.compile(
    r"#[^\n]*"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|[{(\[]|[})\]]",
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{ ( [`` outside strings, IRIs and comments.

    >>> nesting_depth("SELECT * WHERE { ?s ?p ?o FILTER(STRLEN(?o) > 1) }")
    3
    >>> nesting_depth('SELECT * WHERE { ?s ?p "{{{{" } # {{{{')
    1
    >>> nesting_depth("SELECT * WHERE { ?s a <http://x/v#C> . { { ?s ?p ?o } } }")
    3
    >>> nesting_depth("ASK { ?s ?p '''a 'quoted' {{ text''' FILTER(?x < 3 && ?y > (1)) }")
    3
    """
    depth = deepest = 0
    for match in _NESTING_TOKENS.finditer(text):
        c = match.group()
        if c in "{([":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif c in "})]":
            depth -= 1
    return deepest


def check(text: str, *, known_graphs: frozenset[str], max_chars: int, max_depth: int) -> CheckedQuery:
    """The checked query, or QueryRefused saying why not."""
    if len(text) > max_chars:
        raise QueryRefused(
            400, "query_too_large", f"The query is {len(text):,} characters; the limit is {max_chars:,}."
        )
    if not text.strip():
        raise QueryRefused(400, "missing_query", "The query is empty.")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryRefused(400, "query_too_deep", f"The query nests {depth} levels deep; the limit is {max_depth}.")
    form = FORM_AFTER_PROLOGUE.match(text)
    if form is not None and NEEDS_ANALYSIS.search(text) is None:
        return CheckedQuery(text, form.group(1).upper(), (), ())
    checked = _check_cached(text, max_depth)
    if isinstance(checked, QueryRefused):
        raise checked
    outside = [g for g in checked.from_graphs + checked.from_named if g not in known_graphs]
    if outside:
        raise QueryRefused(
            400,
            "unknown_graph",
            f"FROM/FROM NAMED may only name graphs this store holds; <{outside[0]}> is not one of them "
            "(see the service description for the list).",
        )
    return checked


#: rdflib's parser (pyparsing) is not safe to run from two threads at once: concurrent parses in one
#: worker corrupted each other (a 500, then a valid query refused as a syntax error, and cached so).
_PARSER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2048)
def _check_cached(text: str, max_depth: int) -> CheckedQuery | QueryRefused:
    with _PARSER_LOCK:
        try:
            return _analyse(text, max_depth)
        except QueryRefused as refusal:
            return refusal


def _analyse(text: str, max_depth: int) -> CheckedQuery:
    limit = sys.getrecursionlimit()
    try:
        try:
            parsed = parseQuery(text)
        except ParseException as exc:
            if _is_update(text):
                raise QueryRefused(
                    403, "read_only", "This endpoint is read-only: SPARQL Update is not accepted."
                ) from None
            raise QueryRefused(400, "syntax_error", _syntax_message(exc)) from None
        try:
            query = translateQuery(parsed, initNs=PREFIXES)
        except Exception as exc:
            raise QueryRefused(400, "bad_query", f"The query cannot be evaluated: {_first_line(exc)}") from None
        services: list[CompValue] = []

        def visit(node: object) -> None:
            if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
                services.append(node)

        traverse(query.algebra, visit)
    except RecursionError:
        sys.setrecursionlimit(limit)
        raise QueryRefused(400, "query_too_deep", "The query nests too deeply to analyse.") from None
    if services:
        raise QueryRefused(
            400,
            "service_refused",
            "SERVICE is not allowed here: queries run only on this graph, never on other endpoints.",
        )
    form = FORMS.get(query.algebra.name)
    if form is None:
        raise QueryRefused(400, "bad_query", f"Unsupported query form {query.algebra.name}.")
    defaults, named = [], []
    for clause in query.algebra.get("datasetClause") or []:
        if "default" in clause:
            defaults.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    return CheckedQuery(text, form, tuple(defaults), tuple(named))


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except (ParseException, RecursionError):
        return False
    return True


def _syntax_message(exc: ParseException) -> str:
    return f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
