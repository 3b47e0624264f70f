"""The OpenAPI 3.1 description of every endpoint, served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from graph.vocab import KINDS

ERROR = {"$ref": "#/components/responses/Error"}
SELECT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


def _query_params() -> list[dict[str, Any]]:
    return [
        {"name": "query", "in": "query", "schema": {"type": "string"}, "description": "A SPARQL 1.1 query."},
        {
            "name": "format",
            "in": "query",
            "schema": {"enum": ["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdfxml"]},
            "description": "Result format, overriding the Accept header.",
        },
        {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
    ]


def _content(types: list[str]) -> dict[str, Any]:
    return {t: {"schema": {"type": "string"}} for t in types}


def spec() -> dict[str, Any]:
    """The description; hand-written so each endpoint's limits and errors are stated."""
    sparql_ok = {"description": "Results", "content": _content(SELECT_TYPES + GRAPH_TYPES)}
    sparql_errors = {str(s): ERROR for s in (400, 403, 406, 413, 415, 429, 503)}
    ask_body = {
        "type": "object",
        "required": ["question"],
        "properties": {
            "question": {"type": "string", "maxLength": 500},
            "top_k": {"type": "integer", "minimum": 1, "maximum": 50},
            "lang": {"enum": ["en", "zh"]},
        },
    }
    demo_body = {
        "type": "object",
        "required": ["model", "text"],
        "properties": {
            "model": {"type": "string", "description": "A label, alias, slug or IRI of a model in the graph."},
            "task": {"type": "string"},
            "text": {"type": "string"},
            "params": {"type": "object"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "modelkg",
            "version": "1",
            "description": "A knowledge graph of transformer models: SPARQL, plain-language questions, demos.",
        },
        "paths": {
            "/sparql": {
                "get": {
                    "summary": "SPARQL 1.1 query (no query: the service description, or the query page for browsers)",
                    "parameters": _query_params(),
                    "responses": {"200": sparql_ok, **sparql_errors},
                },
                "post": {
                    "summary": "SPARQL 1.1 query, form-encoded or as application/sparql-query",
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"type": "object", "properties": {"query": {"type": "string"}}}
                            },
                            "application/sparql-query": {"schema": {"type": "string"}},
                        }
                    },
                    "responses": {"200": sparql_ok, **sparql_errors},
                },
            },
            "/ask": {
                "get": {
                    "summary": "Answer a question in English or Chinese",
                    "parameters": [
                        {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "top_k", "in": "query", "schema": {"type": "integer"}},
                        {"name": "lang", "in": "query", "schema": {"enum": ["en", "zh"]}},
                    ],
                    "responses": {"200": {"$ref": "#/components/responses/Answer"}, "400": ERROR, "429": ERROR},
                },
                "post": {
                    "summary": "Answer a question given as JSON",
                    "requestBody": {"content": {"application/json": {"schema": ask_body}}},
                    "responses": {"200": {"$ref": "#/components/responses/Answer"}, "400": ERROR, "415": ERROR},
                },
            },
            "/demo": {
                "post": {
                    "summary": "Run a model the graph names on a text",
                    "requestBody": {"content": {"application/json": {"schema": demo_body}}},
                    "responses": {
                        "200": {"description": "The demo's output, checkpoint, weights and time"},
                        **{str(s): ERROR for s in (400, 404, 415, 422, 429, 503)},
                    },
                },
                "get": {
                    "summary": "What each seed model's demo does now: real or random weights, its tasks, or why not",
                    "responses": {"200": {"description": "One row per seed model"}},
                },
            },
            "/{kind}/{slug}": {
                "get": {
                    "summary": "An entity of the graph: HTML for browsers, Turtle/JSON-LD/N-Triples/RDF-XML for machines",
                    "parameters": [
                        {"name": "kind", "in": "path", "required": True, "schema": {"enum": sorted(KINDS)}},
                        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "The entity", "content": _content(["text/html", *GRAPH_TYPES])},
                        "404": ERROR,
                        "406": ERROR,
                    },
                }
            },
            "/health": {
                "get": {
                    "summary": "Liveness, graph version and store state",
                    "responses": {"200": {"description": "ok"}, "503": ERROR},
                }
            },
            "/openapi.json": {
                "get": {"summary": "This description", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
            "/": {"get": {"summary": "Home page: ask a question", "responses": {"200": {"description": "HTML"}}}},
            "/browse": {"get": {"summary": "The taxonomy, filterable", "responses": {"200": {"description": "HTML"}}}},
            "/query": {"get": {"summary": "The SPARQL editor page", "responses": {"200": {"description": "HTML"}}}},
        },
        "components": {
            "responses": {
                "Error": {
                    "description": "An error",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["error"],
                                "properties": {
                                    "error": {
                                        "type": "object",
                                        "required": ["code", "message"],
                                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                                    }
                                },
                            }
                        }
                    },
                },
                "Answer": {
                    "description": "The answer: intent, linked entities, ranked models with reasons, text, SPARQL, evidence",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            }
        },
    }
