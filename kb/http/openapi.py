"""``/openapi.json``: an OpenAPI 3.1 description of the canned-question API, generated from
the query headers (``queries/*.rq``), so other tools can call ``/ask/NAME`` with each
parameter; also the page's JSON endpoints (search, entities, graphs, readable answers).
"""

from __future__ import annotations

from typing import Any

from kb import __version__
from kb.http.answers import needs_federation
from kb.http.app import App
from kb.http.messages import Request, Response, allow, json_response
from kb.sparql.catalogue import CannedQuery, canned_queries
from kb.sparql.paging import MAX_LIMIT, PAGE_SIZE

RESULTS = {
    "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
    "application/sparql-results+xml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
}
ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "503": {"$ref": "#/components/responses/TooSlow"},
}
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of the names in the answer (BCP 47: en, ko, ...); English "
    "where a name is missing in it.",
    "schema": {"type": "string", "default": "en"},
}


def paging(default: int | None) -> list[dict[str, Any]]:
    """``limit`` and ``offset``: a page of the answer, in the query's order."""
    limit: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT}
    if default is not None:
        limit["default"] = default
    return [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": f"At most this many rows (at most {MAX_LIMIT}), in the query's "
            "order" + ("." if default is not None else "; left out, every row."),
            "schema": limit,
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Skip this many rows of the answer first.",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
    ]


def document(app: App, request: Request) -> Response:
    allow(request, "GET", "HEAD")
    host = request.header("Host") or request.address
    return json_response(openapi(f"http://{host}" if host else "/"))


def openapi(server: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for canned in canned_queries().values():
        paths[f"/ask/{canned.name}"] = {"get": ask_operation(canned)}
        paths[f"/api/answer/{canned.name}"] = {"get": answer_operation(canned)}
    paths.update(PAGE_PATHS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "event-kb",
            "version": __version__,
            "description": "Canned questions over an event knowledge base of news facts "
            "(who met whom, who signed what, who expands where), each generated from a "
            "queries/NAME.rq header. Entity parameters take a name or alias in any "
            "language, an id (naver-cloud), ekr:id or the full IRI. The SPARQL 1.1 "
            "endpoint is /sparql.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": COMPONENTS,
    }


def parameters(canned: CannedQuery) -> list[dict[str, Any]]:
    found = []
    for p in canned.parameters:
        schema: dict[str, Any] = {"type": "integer" if p.type == "integer" else "string"}
        if p.default is not None:
            schema["default"] = int(p.default) if p.type == "integer" else p.default
        what = (
            p.type
            if p.type in ("string", "integer")
            else f"{p.type}: a name, alias or id of one entity of this class"
        )
        found.append(
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": f"{p.description} ({what}"
                + ("; optional: left out, no restriction)" if p.optional else ")"),
                "schema": schema,
            }
        )
    return [*found, LANG]


def _describe(canned: CannedQuery) -> str:
    text = canned.description
    if canned.example:
        text += f"\n\nFrom the command line: `{canned.example}`."
    if needs_federation(canned):
        text += "\n\nNeeds federation with Wikidata: 403 unless kb serve --allow-federation."
    return text


def ask_operation(canned: CannedQuery) -> dict[str, Any]:
    return {
        "operationId": "ask_" + canned.name.replace("-", "_"),
        "summary": canned.title,
        "description": _describe(canned),
        "tags": ["canned questions"],
        "parameters": [
            *parameters(canned),
            *paging(None),
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "Results format; wins over the Accept header.",
                "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv"]},
            },
        ],
        "responses": {
            "200": {
                "description": "The answer, in the negotiated results format.",
                "content": RESULTS,
            },
            "404": {"$ref": "#/components/responses/NotFound"},
            **ERRORS,
        },
    }


def answer_operation(canned: CannedQuery) -> dict[str, Any]:
    return {
        "operationId": "answer_" + canned.name.replace("-", "_"),
        "summary": f"{canned.title} (readable, as the page shows it)",
        "description": "The same answer without parameter columns: names linked to their "
        "entity pages, dates with their precision, quotes with their article.",
        "tags": ["page"],
        "parameters": [*parameters(canned), *paging(PAGE_SIZE)],
        "responses": {"200": _json("A page of a readable answer.", "ReadableAnswer"), **ERRORS},
    }


def _json(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _query(name: str, description: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", **schema},
    }


PAGE_PATHS: dict[str, Any] = {
    "/api/search": {
        "get": {
            "operationId": "search",
            "summary": "Entities by part of a name or a misspelt one (kb search)",
            "tags": ["page"],
            "parameters": [
                _query(
                    "q", "Part of a name, alias or id, in any language and script.", required=True
                ),
                _query(
                    "class", "Only entities of this ontology class (Organization, Person, ...)."
                ),
                {
                    **_query("limit", "At most this many results."),
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                LANG,
            ],
            "responses": {"200": _json("Entities, best match first.", "SearchResults"), **ERRORS},
        }
    },
    "/api/entity/{id}": {
        "get": {
            "operationId": "entity",
            "summary": "Everything the KB knows about one entity (its page)",
            "tags": ["page"],
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "The entity's id (naver-cloud).",
                },
                LANG,
            ],
            "responses": {
                "200": _json(
                    "Names, classes, facts in time order, posts, partners, places, Wikidata link.",
                    "Object",
                ),
                "404": {"$ref": "#/components/responses/NotFound"},
                **ERRORS,
            },
        }
    },
    "/api/graph": {
        "get": {
            "operationId": "graph",
            "summary": "People and organizations and what joins them (kb graph), "
            "as cytoscape.js elements",
            "tags": ["page"],
            "parameters": [
                _query(
                    "entity",
                    "Around this entity (a name, alias or id); without it, the whole KB "
                    "if small enough.",
                ),
                {
                    **_query("depth", "Steps out from the entity."),
                    "schema": {"type": "integer", "enum": [1, 2], "default": 1},
                },
                LANG,
            ],
            "responses": {
                "200": _json("Nodes and edges.", "Graph"),
                "413": {"$ref": "#/components/responses/TooLarge"},
                **ERRORS,
            },
        }
    },
    "/queries": {
        "get": {
            "operationId": "queries",
            "summary": "The canned questions, their parameters and SPARQL",
            "tags": ["canned questions"],
            "responses": {"200": _json("One record per queries/NAME.rq.", "Array")},
        }
    },
}


def _message(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


COMPONENTS: dict[str, Any] = {
    "schemas": {
        "SparqlResults": {
            "type": "object",
            "description": "SPARQL 1.1 Query Results JSON Format.",
            "properties": {
                "head": {
                    "type": "object",
                    "properties": {"vars": {"type": "array", "items": {"type": "string"}}},
                },
                "results": {
                    "type": "object",
                    "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
                },
            },
            "required": ["head"],
        },
        "ReadableAnswer": {
            "type": "object",
            "properties": {
                "columns": {"type": "array", "items": {"type": "object"}},
                "rows": {"type": "array", "items": {"type": "array"}},
                "bound": {"type": "object"},
                "downloads": {"type": "object"},
                "offset": {"type": "integer"},
                "limit": {"type": "integer"},
                "next": {"type": ["integer", "null"], "description": "offset of the next page"},
                "previous": {"type": ["integer", "null"]},
            },
        },
        "SearchResults": {
            "type": "object",
            "properties": {
                "q": {"type": "string"},
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "class": {"type": ["string", "null"]},
                            "name": {"type": "string"},
                            "names": {"type": "object"},
                            "aliases": {"type": "object"},
                            "matched": {"type": "string"},
                            "score": {"type": "number"},
                        },
                    },
                },
            },
        },
        "Graph": {
            "type": "object",
            "properties": {
                "focus": {"type": ["string", "null"]},
                "nodes": {"type": "array", "items": {"type": "object"}},
                "edges": {"type": "array", "items": {"type": "object"}},
            },
        },
        "Object": {"type": "object"},
        "Array": {"type": "array", "items": {"type": "object"}},
    },
    "responses": {
        "BadRequest": _message("A parameter is missing, unknown, or names no single entity."),
        "NotFound": _message("No such canned question or entity."),
        "Forbidden": _message("The question needs federation, which is off."),
        "TooSlow": _message("The answer did not come within kb serve --timeout."),
        "TooLarge": _message("The graph is too large to draw."),
    },
}
