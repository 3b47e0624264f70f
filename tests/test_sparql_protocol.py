"""The SPARQL 1.1 Protocol against a real ``modelkg serve`` process, with real clients.

Clients: SPARQLWrapper (JSON, XML, CSV, Turtle), rdflib's SPARQLStore, and
plain requests for every content type. The W3C protocol cases adapted here
are listed in ``W3C_CASES`` and reported in the README.
"""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from .server import Server, serve

BERT = "https://w3id.org/modelkg/model/bert"
CURATED = "https://w3id.org/modelkg/graph/curated"
TAXONOMY = "https://w3id.org/modelkg/graph/taxonomy"
PREFIX = "PREFIX mkg: <https://w3id.org/modelkg/vocab#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
MODELS = PREFIX + "SELECT ?m WHERE { ?m a mkg:Model } ORDER BY ?m"


@pytest.fixture(scope="module")
def server(seed_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(seed_db_url, tmp_path_factory.mktemp("protocol")) as running:
        yield running


def _wrapper(server: Server, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json_and_xml(server: Server, method: str) -> None:
    rows = _wrapper(server, MODELS, JSON, method).query().convert()["results"]["bindings"]
    models = [r["m"]["value"] for r in rows]
    assert BERT in models and len(models) >= 28
    document = _wrapper(server, MODELS, XML, method).query().convert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris == models


def test_sparqlwrapper_csv_and_turtle(server: Server) -> None:
    text = _wrapper(server, MODELS, CSV).query().convert().decode()
    assert next(csv.reader(io.StringIO(text))) == ["m"]
    assert BERT in text
    construct = f"CONSTRUCT WHERE {{ <{BERT}> rdfs:label ?label }}"
    graph = Graph().parse(data=_wrapper(server, PREFIX + construct, TURTLE).query().convert(), format="turtle")
    labels = {str(o) for o in graph.objects(URIRef(BERT), None)}
    assert "BERT" in labels


def test_rdflib_sparqlstore(server: Server) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=server.url + "/sparql", returnFormat="json"))
    rows = list(graph.query(MODELS))
    assert URIRef(BERT) in [row[0] for row in rows]
    labels = {str(o) for o in graph.objects(URIRef(BERT), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert "BERT" in labels


SELECT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("media", list(SELECT_TYPES))
def test_select_in_every_results_type(server: Server, media: str) -> None:
    response = server.get("/sparql", params={"query": MODELS}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media
    if media == "text/csv":  # lossy by design: plain values, no term types
        values = [row[0] for row in csv.reader(io.StringIO(response.text))]
    else:
        values = [row["m"].value for row in ox.parse_query_results(response.content, format=SELECT_TYPES[media])]
    assert BERT in values


@pytest.mark.parametrize("media", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_results(server: Server, media: str) -> None:
    yes = server.get("/sparql", params={"query": f"ASK {{ <{BERT}> ?p ?o }}"}, headers={"Accept": media})
    no = server.get("/sparql", params={"query": "ASK { <urn:x:nothing> ?p ?o }"}, headers={"Accept": media})
    assert bool(ox.parse_query_results(yes.content, format=SELECT_TYPES[media])) is True
    assert bool(ox.parse_query_results(no.content, format=SELECT_TYPES[media])) is False


@pytest.mark.parametrize("media", list(GRAPH_TYPES))
def test_construct_and_describe_in_every_rdf_type(server: Server, media: str) -> None:
    for query in (f"CONSTRUCT WHERE {{ <{BERT}> ?p ?o }}", f"DESCRIBE <{BERT}>"):
        response = server.get("/sparql", params={"query": query}, headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media
        triples = list(ox.parse(response.content, format=GRAPH_TYPES[media]))
        assert any(t.subject == ox.NamedNode(BERT) for t in triples)


def test_q_values_and_the_format_parameter(server: Server) -> None:
    accept = "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"
    assert (
        server.get("/sparql", params={"query": MODELS}, headers={"Accept": accept})
        .headers["Content-Type"]
        .startswith("text/csv")
    )
    by_param = server.get("/sparql", params={"query": MODELS, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert by_param.headers["Content-Type"].startswith("text/tab-separated-values")
    turtle = server.get("/sparql", params={"query": f"DESCRIBE <{BERT}>", "format": "ttl"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")


@pytest.mark.parametrize(
    ("query", "accept"),
    [(MODELS, "image/png"), (MODELS, "text/turtle"), (f"DESCRIBE <{BERT}>", "text/csv")],
)
def test_406_for_what_cannot_be_produced(server: Server, query: str, accept: str) -> None:
    response = server.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_format_parameter_the_form_cannot_use_is_406(server: Server) -> None:
    response = server.get("/sparql", params={"query": MODELS, "format": "ttl"})
    assert response.status_code == 406


def test_service_description_and_the_page_for_browsers(server: Server) -> None:
    response = server.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = list(graph.objects(None, URIRef(sd + "endpoint")))
    assert endpoints == [URIRef(server.url + "/sparql")]
    names = {str(o) for o in graph.objects(None, URIRef(sd + "name"))}
    assert {CURATED, TAXONOMY} <= names
    examples = list(graph.subjects(URIRef("http://www.w3.org/ns/shacl#select"), None))
    assert len(examples) >= 5
    page = server.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<textarea" in page.text


def test_entity_iris_dereference_by_content_negotiation(server: Server) -> None:
    html = server.get("/model/bert", headers={"Accept": "text/html"})
    assert html.headers["Content-Type"].startswith("text/html") and "BERT" in html.text
    for media, fmt in GRAPH_TYPES.items():
        response = server.get("/model/bert", headers={"Accept": media})
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
        triples = list(ox.parse(response.content, format=fmt))
        predicates = {t.predicate.value for t in triples if t.subject == ox.NamedNode(BERT)}
        assert "https://w3id.org/modelkg/vocab#objective" in predicates
        assert "Accept" in response.headers["Vary"]
    task = server.get("/task/summarization", headers={"Accept": "text/turtle"})
    assert task.status_code == 200 and "summarization" in task.text
    missing = server.get("/model/no-such-model", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    vocab = server.get("/vocab")
    assert "mkg:suitedFor" in vocab.text or "suitedFor" in vocab.text


def test_cors_for_read_only_use(server: Server) -> None:
    response = server.get("/sparql", params={"query": MODELS}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = requests.options(
        server.url + "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert preflight.status_code in (200, 204)
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_health_and_openapi(server: Server) -> None:
    health = server.get("/health").json()
    assert health["status"] == "ok" and health["store"] == "ok" and len(health["graph_version"]) == 16
    spec = server.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/sparql", "/ask", "/demo", "/health", "/openapi.json", "/{kind}/{slug}"} <= set(spec["paths"])


def test_answers_carry_the_graph_version_and_are_cached(server: Server) -> None:
    version = server.get("/health").json()["graph_version"]
    first = server.get("/sparql", params={"query": MODELS + " LIMIT 3"})
    again = server.get("/sparql", params={"query": MODELS + " LIMIT 3"})
    assert first.headers["Modelkg-Graph-Version"] == version
    assert first.content == again.content


# --- W3C SPARQL 1.1 Protocol test suite, adapted (w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl) ---
# Each case names the W3C test; the data is this graph instead of the suite's remote files (no outbound access).
W3C_CASES: dict[str, str] = {
    "query_get": "pass",
    "query_post_form": "pass",
    "query_post_direct": "pass",
    "query_dataset_default_graph": "pass",
    "query_dataset_default_graphs_get": "pass",
    "query_dataset_default_graphs_post": "pass",
    "query_dataset_named_graphs_post": "pass",
    "query_dataset_named_graphs_get": "pass",
    "query_dataset_full": "pass",
    "query_multiple_dataset": "pass",
    "query_content_type_select": "pass",
    "query_content_type_ask": "pass",
    "query_content_type_describe": "pass",
    "query_content_type_construct": "pass",
    "bad_query_method": "pass",
    "bad_multiple_queries": "pass",
    "bad_query_wrong_media_type": "pass",
    "bad_query_missing_form_type": "pass",
    "bad_query_missing_direct_type": "pass",
    "bad_query_non_utf8": "pass",
    "bad_query_syntax": "pass",
    "update_*": "not applicable: the endpoint is read-only and answers every update 403 (see the safety tests)",
}

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _count(response: requests.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _graph_counts(response: requests.Response) -> dict[str, int]:
    assert response.status_code == 200, response.text
    return {b["g"]["value"]: int(b["n"]["value"]) for b in response.json()["results"]["bindings"]}


def test_w3c_query_get_post_form_post_direct(server: Server) -> None:
    by_get = server.get("/sparql", params={"query": COUNT})
    by_form = server.post("/sparql", data={"query": COUNT})
    by_body = server.post(
        "/sparql", data=COUNT.encode(), headers={"Content-Type": "application/sparql-query; charset=utf-8"}
    )
    assert _count(by_get) == _count(by_form) == _count(by_body) > 10000


def test_w3c_dataset_parameters(server: Server) -> None:
    total = _count(server.get("/sparql", params={"query": COUNT}))
    curated = _count(server.get("/sparql", params={"query": COUNT, "default-graph-uri": CURATED}))
    taxonomy = _count(server.get("/sparql", params={"query": COUNT, "default-graph-uri": TAXONOMY}))
    both_get = _count(server.get("/sparql", params={"query": COUNT, "default-graph-uri": [CURATED, TAXONOMY]}))
    both_post = _count(server.post("/sparql", data={"query": COUNT, "default-graph-uri": [CURATED, TAXONOMY]}))
    assert 0 < taxonomy < curated < total
    assert curated < both_get == both_post <= curated + taxonomy
    named_get = _graph_counts(server.get("/sparql", params={"query": COUNT_NAMED, "named-graph-uri": [TAXONOMY]}))
    named_post = _graph_counts(server.post("/sparql", data={"query": COUNT_NAMED, "named-graph-uri": [TAXONOMY]}))
    assert named_get == named_post == {TAXONOMY: taxonomy}
    full = server.post(
        "/sparql",
        data={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            "default-graph-uri": TAXONOMY,
            "named-graph-uri": CURATED,
        },
    )
    assert _count(full) == taxonomy + curated


def test_w3c_protocol_dataset_overrides_the_query_dataset(server: Server) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{CURATED}> WHERE {{ ?s ?p ?o }}"
    taxonomy = _count(server.get("/sparql", params={"query": COUNT, "default-graph-uri": TAXONOMY}))
    assert _count(server.get("/sparql", params={"query": query, "default-graph-uri": TAXONOMY})) == taxonomy
    assert _count(server.get("/sparql", params={"query": query})) > taxonomy


@pytest.mark.parametrize(
    ("query", "types"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", set(SELECT_TYPES)),
        ("ASK { ?s ?p ?o }", set(SELECT_TYPES)),
        (f"DESCRIBE <{BERT}>", set(GRAPH_TYPES)),
        (f"CONSTRUCT WHERE {{ <{BERT}> ?p ?o }}", set(GRAPH_TYPES)),
    ],
)
def test_w3c_content_types(server: Server, query: str, types: set[str]) -> None:
    response = server.get("/sparql", params={"query": query}, headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] in types


def test_w3c_bad_requests(server: Server) -> None:
    url = server.url + "/sparql"
    cases = {
        "bad_query_method": requests.put(url, data={"query": COUNT}, timeout=10),
        "bad_multiple_queries": requests.get(url, params=[("query", COUNT), ("query", COUNT)], timeout=10),
        "bad_query_wrong_media_type": requests.post(
            url, data=COUNT.encode(), headers={"Content-Type": "text/plain"}, timeout=10
        ),
        "bad_query_missing_form_type": requests.post(url, data=b"query=" + COUNT.encode(), timeout=10),
        "bad_query_missing_direct_type": requests.post(url, data=COUNT.encode(), timeout=10),
        "bad_query_non_utf8": requests.post(
            url,
            data="SELECT * WHERE { ?s ?p 'café' }".encode("utf-16"),
            headers={"Content-Type": "application/sparql-query"},
            timeout=10,
        ),
        "bad_query_syntax": requests.get(url, params={"query": "SELECT * WHERE { ?s ?p }}"}, timeout=10),
    }
    for name, response in cases.items():
        assert 400 <= response.status_code < 500, name
        assert set(response.json()["error"]) == {"code", "message"}, name
    assert cases["bad_query_method"].status_code == 405
    assert cases["bad_query_syntax"].status_code == 400
    assert "line 1" in cases["bad_query_syntax"].json()["error"]["message"]


def test_the_readme_lists_the_w3c_cases() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name in W3C_CASES:
        assert f"`{name}`" in readme, name


def test_errors_are_json_without_internals(server: Server) -> None:
    responses = [
        server.get("/no/such/path/here"),
        requests.delete(server.url + "/sparql", timeout=10),
        server.post("/sparql", data=b"x" * 200_000, headers={"Content-Type": "application/sparql-query"}),
        server.post("/sparql", data=b"{}", headers={"Content-Type": "application/json"}),
        server.get("/sparql", params={"query": "SELECT * WHERE { ?s nope:x ?o }"}),
    ]
    assert [r.status_code for r in responses] == [404, 405, 413, 415, 400]
    for response in responses:
        body = response.json()
        assert set(body["error"]) == {"code", "message"}
        text = json.dumps(body)
        assert "Traceback" not in text and ".py" not in text and "/work" not in text


def _raw_request(server: Server, request: bytes) -> tuple[int, str, bytes]:
    """Send bytes no HTTP library would, and read the whole answer: status, content type, body."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers.get("Content-Type", ""), body


def test_requests_the_http_server_refuses_are_answered_in_json_too(server: Server) -> None:
    """gunicorn refuses these before the app sees them; the answer still has the service's shape."""
    for request in (
        "GET /ask?q=哪些模型 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # raw UTF-8, as curl sends it
        b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    ):
        status, content_type, body = _raw_request(server, request)
        assert status == 400 and content_type == "application/json"
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message"} and error["code"] == "bad_request"
        assert "percent-encode" in error["message"]


def test_queries_checked_at_the_same_time_are_all_answered(server: Server) -> None:
    """The checker's parser is shared by a worker's threads; parsed at once, valid queries must stay valid."""
    # A FROM clause, so each of these is parsed and checked, not waved through.
    queries = [
        f"SELECT ?m ?s FROM <{CURATED}> WHERE {{ ?m mkg:derivedFrom+ ?s . FILTER(STRLEN(STR(?m)) > {i}) }}"
        for i in range(48)
    ]

    def status(query: str) -> tuple[int, str]:
        response = server.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        return response.status_code, response.text[:200]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(status, queries))
    # More at once than the query slots may get 503 busy; a parse that went wrong would be a 500 or a 400.
    assert {code for code, _ in answers} <= {200, 503}, answers
    assert [status(query)[0] for query in queries[:8]] == [200] * 8  # and nothing wrong was remembered
