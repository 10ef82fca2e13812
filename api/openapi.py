"""The OpenAPI 3 description of the registry's HTTP interface, served at /openapi.json.
A test runs schemathesis against the app with it, so it has to stay true."""
from __future__ import annotations

import re

from registry.identifiers import REFERENCE_MAX, REFERENCE_PATTERN, REFERENCE_RULE
from registry.namespaces import REGISTERS

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
RDF_MEDIA = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/html"]
RDF_CONTENT = {m: {"schema": {"type": "string"}} for m in RDF_MEDIA}
RESULTS_CONTENT = {m: {"schema": {"type": "string"} if m != "application/sparql-results+json" else {"type": "object"}}
                   for m in ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                             "text/tab-separated-values", "text/turtle", "application/n-triples",
                             "application/ld+json", "application/rdf+xml"]}


def problem(description: str) -> dict:
    return {"description": description, "content": PROBLEM}


def _register_param() -> dict:
    return {"name": "register", "in": "path", "required": True, "schema": {"type": "string", "enum": list(REGISTERS)}}


def _listing(summary: str, path_params: list) -> dict:
    """A listing's JSON: a page of records, facet counts, and links to the pages either side."""
    facet = {"type": "array", "items": {"type": "object", "required": ["value", "label", "count"], "properties": {
        "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}
    item = {"type": "object", "required": ["iri", "register", "title"], "properties": {
        name: {"type": "string"} for name in ("iri", "register", "title", "description", "status", "modified")}}
    listing = {"type": "object", "required": ["total", "page", "per_page", "items", "facets", "facet_values"],
               "properties": {"total": {"type": "integer"}, "page": {"type": "integer"},
                              "per_page": {"type": "integer"}, "next": {"type": "string"}, "prev": {"type": "string"},
                              "items": {"type": "array", "items": item},
                              "facets": {"type": "object", "additionalProperties": facet},
                              "facet_values": {"type": "object", "additionalProperties": {"type": "integer"}}}}
    number = {"type": "integer"}
    return {"get": {"summary": summary, "parameters": path_params + [
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Words to search for"},
        {"name": "page", "in": "query", "schema": {**number, "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {**number, "minimum": 1, "maximum": 10_000},
         "description": "Records per page (default 100)"},
        {"name": "facet_limit", "in": "query", "schema": {**number, "minimum": 0},
         "description": "Values per facet (default 20; 0 for all)"},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["title", "-title", "modified", "-modified"]}},
        {"name": "status", "in": "query", "schema": {"type": "string"},
         "description": "A facet value; every facet (service_area, region, organisation, ...) filters the same way"}],
        "responses": {"200": {"description": "A page of the listing; a `Link` header leads to the next and previous",
                              "content": {"application/json": {"schema": listing}}},
                      **({"404": problem("No such register")} if path_params else {})}}}


def _reference_param(suffixed: bool = False) -> dict:
    """The one definition of a reference (registry.identifiers); a document's address may end
    with a format suffix such as .ttl."""
    if not suffixed:
        return {"name": "reference", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": REFERENCE_PATTERN, "maxLength": REFERENCE_MAX},
                "description": REFERENCE_RULE}
    from .documents import BY_SUFFIX
    suffixes = "|".join(re.escape(s) for s in BY_SUFFIX)
    return {"name": "reference", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": REFERENCE_PATTERN.rstrip("$") + f"({suffixes})?$",
                       "maxLength": REFERENCE_MAX + max(map(len, BY_SUFFIX))},
            "description": REFERENCE_RULE + " It may end with a format suffix: " + ", ".join(BY_SUFFIX) + "."}


def _document_responses() -> dict:
    return {"200": {"description": "The document in the negotiated format", "content": RDF_CONTENT},
            "303": {"description": "See the document at another address"},
            "304": {"description": "Not modified since the ETag given in If-None-Match"},
            "404": {"description": "Not registered", "content": {**PROBLEM, "text/html": {"schema": {"type": "string"}}}},
            "406": problem("None of the formats asked for in Accept is available")}


def build_openapi(base: str) -> dict:
    rdf_body = {"required": True, "content": {m: {"schema": {"type": "string"}} for m in
                                              ["text/turtle", "application/ld+json", "application/rdf+xml",
                                               "application/n-triples"]}}
    auth_responses = {"401": problem("No token, or a token that is unknown or revoked"),
                      "403": problem("The token's user may not do this"),
                      "415": problem("The body is not Turtle, JSON-LD, RDF/XML or N-Triples"),
                      "400": problem("The body cannot be read, with line and column"),
                      "413": problem("The body is larger than LDR_MAX_INPUT_BYTES")}
    write_result = {"type": "object", "properties": {"records": {"type": "array"}, "warnings": {"type": "array"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Local Digital Registry", "version": "0.1.0",
                 "description": "UK councils' reusable digital assets as linked open data. Errors are RFC 9457 "
                                "problem details. Reads are open; writes need `Authorization: Bearer TOKEN`."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {"type": "object", "required": ["title", "status", "detail"],
                            "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                           "status": {"type": "integer"}, "detail": {"type": "string"},
                                           "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                                           "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                                           "allowed": {"type": "array", "items": {"type": "string"}}}},
                "Result": {"type": "object", "required": ["focus", "severity", "message"],
                           "properties": {"record": {"type": "string", "nullable": True}, "focus": {"type": "string"},
                                          "path": {"type": "string", "nullable": True},
                                          "value": {"type": "string", "nullable": True},
                                          "severity": {"type": "string", "enum": ["Violation", "Warning", "Info"]},
                                          "message": {"type": "string"}, "field": {"type": "string", "nullable": True},
                                          "shape": {"type": "string", "nullable": True}}},
            },
        },
        "paths": {
            "/health": {"get": {"summary": "Is the store answering?", "responses": {
                "200": {"description": "Healthy", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}}}},
                "503": problem("The store does not answer")}}},
            "/sparql": {"get": {"summary": "SPARQL 1.1 query (or the service description without a query)",
                                "parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"}}],
                                "responses": {"200": {"description": "Results", "content": RESULTS_CONTENT},
                                              "303": {"description": "A browser is sent to the query page"},
                                              "400": problem("Not valid SPARQL"),
                                              "403": problem("An update or SERVICE was refused"),
                                              "406": problem("No acceptable format"),
                                              "503": problem("Time or memory limit reached, or every worker busy")}}},
            "/queries": {"get": {"summary": "The stored queries", "responses": {
                "200": {"description": "The list", "content": {"text/html": {"schema": {"type": "string"}},
                                                               "application/json": {"schema": {"type": "object"}}}}}}},
            "/queries/{name}": {"get": {
                "summary": "Results of a stored query; its parameters go in the query string",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Results", "content": {**RESULTS_CONTENT, "text/html": {"schema": {"type": "string"}}}},
                              "400": problem("An unknown parameter or a value outside its list"),
                              "404": problem("No such stored query"), "406": problem("No acceptable format"),
                              "503": problem("Time limit reached")}}},
            "/search.json": _listing("Search every register: ranked records and facet counts", []),
            "/{register}.json": _listing("A register's records, a page at a time, with facet counts", [_register_param()]),
            "/{register}": {"post": {
                "summary": "Submit one or more new records (status: submitted). All or nothing.",
                "security": [{"bearer": []}],
                "parameters": [_register_param(),
                               {"name": "dry-run", "in": "query", "schema": {"type": "boolean"}},
                               {"name": "note", "in": "query", "schema": {"type": "string"}}],
                "requestBody": rdf_body,
                "responses": {"201": {"description": "Registered; warnings do not block",
                                      "content": {"application/json": {"schema": write_result}}},
                              "200": {"description": "Dry run: valid", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": problem("No such register"),
                              "409": problem("A record is already registered"),
                              "422": problem("Violations, each SHACL result in `errors`; nothing was written"),
                              **auth_responses}}},
            "/doc/{register}/{reference}": {
                "get": {"summary": "A record, by content negotiation",
                        "parameters": [_register_param(), _reference_param(suffixed=True),
                                       {"name": "_versionAt", "in": "query", "schema": {"type": "string", "format": "date-time"}}],
                        "responses": {**_document_responses(), "400": problem("_versionAt is not an ISO 8601 instant")}},
                "put": {"summary": "Replace a record's description as its next version",
                        "security": [{"bearer": []}],
                        "parameters": [_register_param(), _reference_param(),
                                       {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}},
                                       {"name": "note", "in": "query", "schema": {"type": "string"}}],
                        "requestBody": rdf_body,
                        "responses": {"200": {"description": "The new version", "content": {"application/json": {"schema": {"type": "object"}}}},
                                      "404": problem("Not registered"), "412": problem("The record changed since the ETag"),
                                      "422": problem("Violations"), "428": problem("If-Match missing"), **auth_responses}}},
            "/doc/{register}/{reference}/status": {"post": {
                "summary": "Change the registration status (stewards)", "security": [{"bearer": []}],
                "parameters": [_register_param(), _reference_param()],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["status"],
                    "properties": {"status": {"type": "string", "enum": ["submitted", "experimental", "stable",
                                                                         "superseded", "retired", "invalid"]},
                                   "successor": {"type": "string"}, "note": {"type": "string"}}}}}},
                "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": problem("Not a status, or superseded without a successor"),
                              "401": problem("No valid token"), "403": problem("Only stewards change status"),
                              "404": problem("Not registered"), "409": problem("Not allowed from this status; `allowed` lists what is"),
                              "422": problem("The record would not be valid")}}},
            "/doc/{register}/{reference}/versions": {"get": {
                "summary": "Every version: when, who, what and why",
                "parameters": [_register_param(), _reference_param()],
                "responses": {"200": {"description": "Versions", "content": {"application/json": {"schema": {"type": "object"}},
                                                                             "text/html": {"schema": {"type": "string"}}}},
                              "404": {"description": "Not registered", "content": {**PROBLEM, "text/html": {"schema": {"type": "string"}}}}}}},
            "/doc/{register}/{reference}/version/{number}": {"get": {
                "summary": "One version of a record",
                "parameters": [_register_param(), _reference_param(),
                               {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
                "responses": _document_responses()}},
            "/doc/{register}/{reference}/compare": {"get": {
                "summary": "Triples added and removed between two versions",
                "parameters": [_register_param(), _reference_param(),
                               {"name": "from", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}},
                               {"name": "to", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "The difference", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"added": {"type": "array", "items": {"type": "string"}},
                                                     "removed": {"type": "array", "items": {"type": "string"}}}}}}},
                              "400": problem("Give two version numbers"), "404": problem("No such version")}}},
            "/catalogue": {"get": {"summary": "DCAT + VoID description of the registry", "responses": {
                "200": {"description": "The catalogue", "content": RDF_CONTENT},
                "304": {"description": "Not modified"}, "406": problem("No acceptable format")}}},
            "/dumps/{name}": {"get": {"summary": "The whole registry, gzipped",
                                      "parameters": [{"name": "name", "in": "path", "required": True,
                                                      "schema": {"type": "string", "enum": ["registry.nq.gz", "registry.ttl.gz"]}}],
                                      "responses": {"200": {"description": "The dump", "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}}},
                                                    "304": {"description": "Not modified"}, "404": problem("No such dump")}}},
        },
    }
