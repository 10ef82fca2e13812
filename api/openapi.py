"""The OpenAPI 3 description of the registry's HTTP interface, served at /openapi.json.
A test runs schemathesis against the app with it, so it has to stay true."""

from __future__ import annotations

import re

from registry.rdf.identifiers import REFERENCE_MAX, REFERENCE_PATTERN, REFERENCE_RULE
from registry.rdf.namespaces import REGISTERS
from registry.views.applicable import FIELDS as APPLY_FIELDS

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
RDF_MEDIA = [
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "text/html",
]
RDF_CONTENT = {m: {"schema": {} if m.endswith("json") else {"type": "string"}} for m in RDF_MEDIA}
RESULTS_CONTENT = {
    m: {
        "schema": {"type": "object"}
        if m == "application/sparql-results+json"
        else {}
        if m == "application/ld+json"
        else {"type": "string"}
    }
    for m in [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    ]
}


HTML = {"text/html": {"schema": {"type": "string"}}}
PROBLEM_OR_HTML = {**PROBLEM, **HTML}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "string"},
    }
}
LOCATION = {
    "Location": {"description": "Where to go", "required": True, "schema": {"type": "string"}}
}


def problem(description: str, headers: dict | None = None) -> dict:
    return {
        "description": description,
        "content": PROBLEM,
        **({"headers": headers} if headers else {}),
    }


def problem_or_page(description: str, headers: dict | None = None) -> dict:
    """An error that is a page for a browser (Accept preferring text/html), else a problem."""
    return {**problem(description, headers), "content": PROBLEM_OR_HTML}


def redirect(description: str) -> dict:
    return {"description": description, "headers": LOCATION}


def page(description: str = "The page") -> dict:
    return {"description": description, "content": HTML}


#: Statuses any operation that reads the store may answer, whatever it is for.
UNAVAILABLE = {
    "503": problem(
        "The store does not answer (restarting, overloaded or unreachable); nothing was changed",
        RETRY_AFTER,
    )
}
#: ... and any that writes to it.
CANNOT_WRITE = {
    "507": problem(
        "The store cannot write to disk (it may be full); nothing was changed", RETRY_AFTER
    )
}
TOO_LARGE = {
    "413": {
        "description": "The body is larger than LDR_MAX_INPUT_BYTES, however it was sent (a page for a "
        "browser)",
        "content": PROBLEM_OR_HTML,
    }
}
RATE_LIMITED = {
    "429": problem("This client has used up its queries for now (LDR_RATE_LIMIT)", RETRY_AFTER)
}
#: A posted form whose CSRF token is missing or stale, or a cross-site post.
FORM_REFUSED = {
    "400": {
        "description": "The form's security token is missing or stale, or a field cannot be read",
        "content": PROBLEM_OR_HTML,
    },
    "403": problem("A cross-site request, or the signed-in user may not do this"),
}
#: A page for signed-in users, asked for without a session: off to the sign-in page.
SIGN_IN_FIRST = {
    "302": redirect("Not signed in: the sign-in page, which comes back here afterwards")
}


def _register_param(name: str = "register") -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(REGISTERS)},
    }


def _path_param(name: str, schema: dict | None = None, description: str | None = None) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema or {"type": "string"},
        **({"description": description} if description else {}),
    }


def _listing(summary: str, path_params: list) -> dict:
    """A listing's JSON: a page of records, facet counts, and links to the pages either side."""
    facet = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["value", "label", "count"],
            "properties": {
                "value": {"type": "string"},
                "label": {"type": "string"},
                "count": {"type": "integer"},
            },
        },
    }
    item = {
        "type": "object",
        "required": ["iri", "register", "title"],
        "properties": {
            name: {"type": "string"}
            for name in ("iri", "register", "title", "description", "status", "modified")
        },
    }
    listing = {
        "type": "object",
        "required": ["total", "page", "per_page", "items", "facets", "facet_values"],
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "next": {"type": "string"},
            "prev": {"type": "string"},
            "items": {"type": "array", "items": item},
            "facets": {"type": "object", "additionalProperties": facet},
            "facet_values": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    }
    number = {"type": "integer"}
    return {
        "get": {
            "summary": summary,
            "parameters": path_params
            + [
                {
                    "name": "q",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "Words to search for",
                },
                {
                    "name": "page",
                    "in": "query",
                    "schema": number,
                    "description": "A whole number; below 1 is read as 1, past the last page gives no items",
                },
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": number,
                    "description": "Records per page, a whole number (default 100; read as at least 1 and at most 10,000)",
                },
                {
                    "name": "facet_limit",
                    "in": "query",
                    "schema": number,
                    "description": "Values per facet, a whole number (default 20; 0 or less for all)",
                },
                {
                    "name": "sort",
                    "in": "query",
                    "schema": {
                        "type": "string",
                        "enum": ["relevance", "title", "-title", "modified", "-modified"],
                    },
                    "description": "relevance (best match first: the default when `q` has words) or by title or time",
                },
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "A facet value; every facet (service_area, region, organisation, ...) filters the same way. "
                    "region and council_type also match the councils that lead or partner a record; a value that "
                    "names nothing is 400, with the values `allowed`",
                },
            ],
            "responses": {
                "200": {
                    "description": "A page of the listing; a `Link` header leads to the next and previous",
                    "content": {"application/json": {"schema": listing}},
                },
                "400": problem(
                    "page, per_page or facet_limit is not a whole number, sort is not one of the five, "
                    "or facet values name nothing (`allowed` lists the first one's values, "
                    "`invalid_params` each refused parameter)"
                ),
                **({"404": problem("No such register")} if path_params else {}),
                **UNAVAILABLE,
            },
        }
    }


def _csv_listing(summary: str, path_params: list) -> dict:
    listing = _listing(summary, path_params)
    listing["get"]["responses"]["200"] = {
        "description": "A page of the listing as CSV, one record a row",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
    return listing


def _page_listing(summary: str, path_params: list) -> dict:
    listing = _listing(summary, path_params)
    listing["get"]["responses"]["200"] = page("The listing as a web page")
    listing["get"]["parameters"] = [
        p for p in listing["get"]["parameters"] if p["name"] not in ("per_page", "facet_limit")
    ]
    listing["get"]["responses"]["400"] = {
        "description": "page is not a whole number, sort is not one of the five, "
        "or a facet value names nothing (a page says which there are)",
        "content": PROBLEM_OR_HTML,
    }
    if path_params:
        listing["get"]["responses"]["404"] = {
            "description": "No such register",
            "content": PROBLEM_OR_HTML,
        }
    return listing


def _reference_param(suffixed: bool = False) -> dict:
    """The one definition of a reference (registry.rdf.identifiers); a document's address may end
    with a format suffix such as .ttl."""
    if not suffixed:
        return {
            "name": "reference",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": REFERENCE_PATTERN, "maxLength": REFERENCE_MAX},
            "description": REFERENCE_RULE,
        }
    from .documents import BY_SUFFIX

    suffixes = "|".join(re.escape(s) for s in BY_SUFFIX)
    return {
        "name": "reference",
        "in": "path",
        "required": True,
        "schema": {
            "type": "string",
            "pattern": REFERENCE_PATTERN.rstrip("$") + f"({suffixes})?$",
            "maxLength": REFERENCE_MAX + max(map(len, BY_SUFFIX)),
        },
        "description": REFERENCE_RULE
        + " It may end with a format suffix: "
        + ", ".join(BY_SUFFIX)
        + ".",
    }


def _document_responses() -> dict:
    return {
        "200": {"description": "The document in the negotiated format", "content": RDF_CONTENT},
        "303": redirect("See the document at another address"),
        "304": {"description": "Not modified since the ETag given in If-None-Match"},
        "400": problem("Not a reference (lowercase letters, digits and hyphens)"),
        "404": {"description": "Not registered", "content": PROBLEM_OR_HTML},
        "406": problem("None of the formats asked for in Accept is available"),
        **UNAVAILABLE,
    }


def _rdf_document(
    summary: str,
    parameters: list | None = None,
    not_found: str = "Not found",
    more: dict | None = None,
) -> dict:
    """A document served in every RDF format and HTML, by Accept or by suffix, with an ETag."""
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {
                **(more or {}),
                "200": {
                    "description": "The document in the negotiated format",
                    "content": RDF_CONTENT,
                },
                "304": {"description": "Not modified since the ETag given in If-None-Match"},
                "404": {"description": not_found, "content": PROBLEM_OR_HTML},
                "406": problem("None of the formats asked for in Accept is available"),
                **UNAVAILABLE,
            },
        }
    }


def build_openapi(base: str) -> dict:
    rdf_body = {
        "required": True,
        "content": {
            m: {"schema": {"type": "string"}}
            for m in [
                "text/turtle",
                "application/ld+json",
                "application/rdf+xml",
                "application/n-triples",
            ]
        },
    }
    auth_responses = {
        "401": problem("No token, or a token that is unknown or revoked"),
        "403": problem("The token's user may not do this"),
        "415": problem("The body is not Turtle, JSON-LD, RDF/XML or N-Triples"),
        "400": problem(
            "The body cannot be read, with line and column; or a reference that is not "
            "lowercase letters, digits and hyphens"
        ),
        **TOO_LARGE,
        **UNAVAILABLE,
        **CANNOT_WRITE,
    }
    write_result = {
        "type": "object",
        "properties": {"records": {"type": "array"}, "warnings": {"type": "array"}},
    }
    record = [_register_param(), _reference_param()]
    form_body = {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        },
    }
    status_change = {
        "summary": "Change the registration status (stewards)",
        "security": [{"bearer": []}],
        "parameters": record,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["status"],
                        "properties": {
                            "status": {
                                "type": "string",
                                "enum": [
                                    "submitted",
                                    "experimental",
                                    "stable",
                                    "superseded",
                                    "retired",
                                    "invalid",
                                ],
                            },
                            "successor": {"type": "string", "format": "uri"},
                            "note": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "Changed",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "400": problem(
                "The body is not a JSON object with a `status` member, not a status, or "
                "superseded without a successor IRI"
            ),
            "401": problem("No valid token"),
            "403": problem("Only stewards change status"),
            "404": {"description": "Not registered", "content": PROBLEM_OR_HTML},
            "409": problem("Not allowed from this status; `allowed` lists what is"),
            "412": problem("The record changed while the status was being changed"),
            "422": problem("The record would not be valid"),
            **TOO_LARGE,
            **UNAVAILABLE,
            **CANNOT_WRITE,
        },
    }
    revise = {
        "summary": "Replace a record's description as its next version",
        "security": [{"bearer": []}],
        "parameters": record
        + [
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "The record's current ETag, from a GET",
            },
            {"name": "note", "in": "query", "schema": {"type": "string"}},
            {"name": "dry-run", "in": "query", "schema": {"type": "boolean"}},
        ],
        "requestBody": rdf_body,
        "responses": {
            "200": {
                "description": "The new version (or, with dry-run, that it is valid)",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "404": {"description": "Not registered", "content": PROBLEM_OR_HTML},
            "409": problem("The record's register or reference cannot change"),
            "412": problem("The record changed since the ETag"),
            "422": problem("Violations"),
            "428": problem("If-Match missing"),
            **auth_responses,
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Local Digital Registry",
            "version": "0.1.0",
            "description": "UK councils' reusable digital assets as linked open data. Errors are RFC 9457 "
            "problem details. Reads are open; writes need `Authorization: Bearer TOKEN`. "
            "References are lowercase letters, digits and hyphens. Every GET also answers "
            "HEAD; OPTIONS and any method an address does not have are answered with an "
            "`Allow` header listing the methods it has (405 for the latter). A store that "
            "does not answer gives 503, never 500.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Result"},
                        },
                        "warnings": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Result"},
                        },
                        "allowed": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "Result": {
                    "type": "object",
                    "required": ["focus", "severity", "message"],
                    "properties": {
                        "record": {"type": "string", "nullable": True},
                        "focus": {"type": "string"},
                        "path": {"type": "string", "nullable": True},
                        "value": {"type": "string", "nullable": True},
                        "severity": {"type": "string", "enum": ["Violation", "Warning", "Info"]},
                        "message": {"type": "string"},
                        "field": {"type": "string", "nullable": True},
                        "shape": {"type": "string", "nullable": True},
                    },
                },
            },
        },
        "paths": {
            "/": {"get": {"summary": "The home page", "responses": {"200": page(), **UNAVAILABLE}}},
            "/health": {
                "get": {
                    "summary": "Is the store answering?",
                    "responses": {
                        "200": {
                            "description": "Healthy",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["status"],
                                        "properties": {"status": {"type": "string"}},
                                    }
                                }
                            },
                        },
                        "503": problem("The store does not answer"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/sparql": {
                "get": {
                    "summary": "SPARQL 1.1 query (or the service description without a query)",
                    "parameters": [
                        {
                            "name": "query",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "Results", "content": RESULTS_CONTENT},
                        "303": redirect("A browser is sent to the query page"),
                        "400": problem_or_page(
                            "Not valid SPARQL (for a browser, a page; so are the "
                            "query's other errors)"
                        ),
                        "403": problem_or_page("An update or SERVICE was refused"),
                        "500": problem_or_page(
                            "The query's process failed (it crashed, not a limit); logged"
                        ),
                        "406": problem(
                            "No acceptable format, or the answer cannot be written in the one asked for"
                        ),
                        **RATE_LIMITED,
                        "503": problem_or_page(
                            "Time or memory limit reached, every worker busy, or the store "
                            "does not answer",
                            RETRY_AFTER,
                        ),
                    },
                },
                "post": {
                    "summary": "SPARQL 1.1 query by POST (form or application/sparql-query)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["query"],
                                    "properties": {"query": {"type": "string"}},
                                }
                            },
                            "application/sparql-query": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "200": {"description": "Results", "content": RESULTS_CONTENT},
                        "400": problem_or_page("Not valid SPARQL, not UTF-8, or no query"),
                        "403": problem_or_page("An update or SERVICE was refused"),
                        "500": problem_or_page(
                            "The query's process failed (it crashed, not a limit); logged"
                        ),
                        "406": problem("No acceptable format"),
                        **TOO_LARGE,
                        "415": problem("Neither a form nor application/sparql-query"),
                        **RATE_LIMITED,
                        "503": problem_or_page(
                            "Time or memory limit reached, every worker busy, or the "
                            "store does not answer",
                            RETRY_AFTER,
                        ),
                    },
                },
            },
            "/query": {"get": {"summary": "The SPARQL query page", "responses": {"200": page()}}},
            "/queries": {
                "get": {
                    "summary": "The stored queries",
                    "responses": {
                        "200": {
                            "description": "The list",
                            "content": {**HTML, "application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/queries.json": {
                "get": {
                    "summary": "The stored queries, as JSON",
                    "responses": {
                        "200": {
                            "description": "The list",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/queries/{name}": {
                "get": {
                    "summary": "Results of a stored query; its parameters go in the query string",
                    "parameters": [_path_param("name")],
                    "responses": {
                        "200": {"description": "Results", "content": {**RESULTS_CONTENT, **HTML}},
                        "400": problem_or_page("An unknown parameter or a value outside its list"),
                        "404": problem_or_page("No such stored query"),
                        "406": problem("No acceptable format"),
                        **RATE_LIMITED,
                        "503": problem_or_page(
                            "Time limit reached, or the store does not answer", RETRY_AFTER
                        ),
                    },
                }
            },
            "/vendor/yasgui/{filename}": {
                "get": {
                    "summary": "The query page's YASGUI editor (from npm)",
                    "parameters": [
                        _path_param(
                            "filename",
                            {"type": "string", "enum": ["yasgui.min.js", "yasgui.min.css"]},
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {
                                "text/javascript": {"schema": {"type": "string"}},
                                "text/css": {"schema": {"type": "string"}},
                            },
                        },
                        "304": {"description": "Not modified"},
                        "404": {"description": "No such file", "content": PROBLEM_OR_HTML},
                    },
                }
            },
            "/assets/{filename}": {
                "get": {
                    "summary": "GOV.UK Frontend's CSS, JavaScript and images (from npm)",
                    "parameters": [_path_param("filename")],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {"*/*": {"schema": {"type": "string"}}},
                        },
                        "304": {"description": "Not modified"},
                        "404": {"description": "No such file", "content": PROBLEM_OR_HTML},
                    },
                }
            },
            "/static/{filename}": {
                "get": {
                    "summary": "The registry's own CSS, scripts and icon",
                    "parameters": [_path_param("filename")],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {"*/*": {"schema": {"type": "string"}}},
                        },
                        "304": {"description": "Not modified"},
                        "404": {"description": "No such file", "content": PROBLEM_OR_HTML},
                    },
                }
            },
            "/search": _page_listing("Search every register: a page", []),
            "/search.json": _listing("Search every register: ranked records and facet counts", []),
            "/search.csv": _csv_listing("Search every register, as CSV", []),
            "/{register}.json": _listing(
                "A register's records, a page at a time, with facet counts", [_register_param()]
            ),
            "/{register}.csv": _csv_listing(
                "A register's records as CSV, a page at a time", [_register_param()]
            ),
            "/{register}": {
                "get": _page_listing("A register's page", [_register_param()])["get"],
                "post": {
                    "summary": "Submit one or more new records (status: submitted). All or nothing.",
                    "security": [{"bearer": []}],
                    "parameters": [
                        _register_param(),
                        {"name": "dry-run", "in": "query", "schema": {"type": "boolean"}},
                        {"name": "note", "in": "query", "schema": {"type": "string"}},
                    ],
                    "requestBody": rdf_body,
                    "responses": {
                        "201": {
                            "description": "Registered; warnings do not block",
                            "headers": LOCATION,
                            "content": {"application/json": {"schema": write_result}},
                        },
                        "200": {
                            "description": "Dry run: valid",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "404": {"description": "No such register", "content": PROBLEM_OR_HTML},
                        "409": problem("A record is already registered"),
                        "422": problem(
                            "Violations, each SHACL result in `errors`; nothing was written"
                        ),
                        **auth_responses,
                    },
                },
            },
            "/{register}/new": {
                "get": {
                    "summary": "The form for a new record (signed-in publishers)",
                    "parameters": [_register_param()],
                    "responses": {
                        "200": page("The form"),
                        **SIGN_IN_FIRST,
                        "404": {"description": "No such register", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                },
                "post": {
                    "summary": "Send the form: a draft to check, or the form again with what to fix",
                    "parameters": [_register_param()],
                    "requestBody": form_body,
                    "responses": {
                        "200": page("The form, with a group added"),
                        "303": redirect("The draft, to check the answers"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "404": {"description": "No such register", "content": PROBLEM_OR_HTML},
                        "422": page("The form again, each problem by its field"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                    },
                },
            },
            "/id/{register}": {
                "get": {
                    "summary": "A register's identifier: 303 to its description",
                    "parameters": [_register_param()],
                    "responses": {
                        "303": redirect("The register's description"),
                        "404": {"description": "No such register", "content": PROBLEM_OR_HTML},
                    },
                }
            },
            "/doc/{name}": _rdf_document(
                "A register as a DCAT dataset",
                [
                    _path_param(
                        "name",
                        {
                            "type": "string",
                            "pattern": "^("
                            + "|".join(REGISTERS)
                            + ")(\\.(ttl|jsonld|rdf|nt|html))?$",
                        },
                        "A register, with or without a format's suffix",
                    )
                ],
                "No such register",
            ),
            "/id/{register}/{reference}": {
                "get": {
                    "summary": "A record's identifier: 303 to its document",
                    "parameters": record,
                    "responses": {
                        "303": redirect("The record's document"),
                        "400": problem("Not a reference (lowercase letters, digits and hyphens)"),
                        "404": {"description": "No such register", "content": PROBLEM_OR_HTML},
                    },
                },
                "put": revise,
            },
            "/doc/{register}/{reference}": {
                "get": {
                    "summary": "A record, by content negotiation",
                    "parameters": [
                        _register_param(),
                        _reference_param(suffixed=True),
                        {
                            "name": "_versionAt",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                    ],
                    "responses": {
                        **_document_responses(),
                        "400": problem("_versionAt is not an ISO 8601 instant, or not a reference"),
                    },
                },
                "put": revise,
            },
            "/doc/{register}/{reference}/status": {"post": status_change},
            "/id/{register}/{reference}/status": {"post": status_change},
            "/doc/{register}/{reference}/edit": {
                "get": {
                    "summary": "The form to edit a record (its owner's publishers, stewards)",
                    "parameters": record,
                    "responses": {
                        "200": page("The form"),
                        **SIGN_IN_FIRST,
                        "403": page(
                            "The signed-in user may not change this record: the page names it "
                            "and who may"
                        ),
                        "400": problem("Not a reference (lowercase letters, digits and hyphens)"),
                        "404": {"description": "Not registered", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                },
                "post": {
                    "summary": "Send the edit form: a draft to check, or the form again with what to fix",
                    "parameters": record,
                    "requestBody": form_body,
                    "responses": {
                        "200": page("The form, with a group added"),
                        "303": redirect("The draft, to check the answers"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "404": {"description": "Not registered", "content": PROBLEM_OR_HTML},
                        "422": page("The form again, each problem by its field"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                    },
                },
            },
            "/doc/{register}/{reference}/versions": {
                "get": {
                    "summary": "Every version: when, who, what and why",
                    "parameters": record,
                    "responses": {
                        "200": {
                            "description": "Versions",
                            "content": {"application/json": {"schema": {"type": "object"}}, **HTML},
                        },
                        "400": problem("Not a reference (lowercase letters, digits and hyphens)"),
                        "404": {"description": "Not registered", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                }
            },
            "/doc/{register}/{reference}/version/{number}": {
                "get": {
                    "summary": "One version of a record",
                    "parameters": record
                    + [_path_param("number", {"type": "integer", "minimum": 1})],
                    "responses": _document_responses(),
                }
            },
            "/doc/{register}/{reference}/compare": {
                "get": {
                    "summary": "Triples added and removed between two versions",
                    "parameters": record
                    + [
                        {
                            "name": "from",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The difference",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "added": {"type": "array", "items": {"type": "string"}},
                                            "removed": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": problem("Give two version numbers"),
                        "404": {
                            "description": "No such register or version",
                            "content": PROBLEM_OR_HTML,
                        },
                        **UNAVAILABLE,
                    },
                }
            },
            "/doc/standards/{reference}/check": {
                "get": {
                    "summary": "The conformance checker's upload form",
                    "parameters": [_reference_param()],
                    "responses": {
                        "200": page("The form"),
                        "400": problem("Not a reference (lowercase letters, digits and hyphens)"),
                        "404": {"description": "No such standard", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                },
                "post": {
                    "summary": "Check data against a standard's JSON Schema or SHACL shapes (anyone)",
                    "parameters": [
                        _reference_param(),
                        {
                            "name": "url",
                            "in": "query",
                            "schema": {"type": "string", "format": "uri"},
                            "description": "Check the data at this address (only prefixes a steward allowed)",
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {}},
                            "text/turtle": {"schema": {"type": "string"}},
                            "application/ld+json": {"schema": {}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The report, with an EARL assertion and a DQV measurement",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["conforms", "problems"],
                                        "properties": {
                                            "conforms": {"type": "boolean"},
                                            "problems": {"type": "array"},
                                        },
                                    }
                                },
                                **HTML,
                            },
                        },
                        "400": {
                            "description": "No data, data nested deeper than the checker's limit, "
                            "or (from a form) a missing security token",
                            "content": PROBLEM_OR_HTML,
                        },
                        "403": problem("A cross-site form post"),
                        "404": {"description": "No such standard", "content": PROBLEM_OR_HTML},
                        "422": {
                            "description": "The check cannot be run on this data (not JSON, not "
                            "RDF, no validation resource)",
                            "content": PROBLEM_OR_HTML,
                        },
                        **TOO_LARGE,
                        **UNAVAILABLE,
                    },
                },
            },
            "/drafts/{draft_id}": {
                "get": {
                    "summary": "Check your answers: a draft from the forms",
                    "parameters": [_path_param("draft_id")],
                    "responses": {
                        "200": page(),
                        **SIGN_IN_FIRST,
                        "404": {
                            "description": "No such draft of yours",
                            "content": PROBLEM_OR_HTML,
                        },
                    },
                },
                "post": {
                    "summary": "Send the draft: the record is submitted or revised",
                    "parameters": [_path_param("draft_id")],
                    "requestBody": form_body,
                    "responses": {
                        "200": page("Done"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "404": {
                            "description": "No such draft of yours",
                            "content": PROBLEM_OR_HTML,
                        },
                        "409": page("Not written: the page says why"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                        **CANNOT_WRITE,
                    },
                },
            },
            "/drafts/{draft_id}/change": {
                "get": {
                    "summary": "Change a draft: the form filled in with its answers (a field's id as the fragment)",
                    "parameters": [_path_param("draft_id")],
                    "responses": {
                        "200": page(
                            "The form, or (for a draft already submitted) a link to the record"
                        ),
                        **SIGN_IN_FIRST,
                        "404": {
                            "description": "No such draft of yours",
                            "content": PROBLEM_OR_HTML,
                        },
                        **UNAVAILABLE,
                    },
                },
                "post": {
                    "summary": "Send the changed form: the same draft updated, or the form again with what to fix",
                    "parameters": [_path_param("draft_id")],
                    "requestBody": form_body,
                    "responses": {
                        "200": page("The form, with a group added"),
                        "303": redirect("The same draft, to check the answers"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "404": {
                            "description": "No such draft of yours",
                            "content": PROBLEM_OR_HTML,
                        },
                        "422": page("The form again, each problem by its field"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                    },
                },
            },
            "/check": {
                "get": {
                    "summary": "The conformance checker: which standards can be checked here, and "
                    "the kinds of document each checks",
                    "responses": {"200": page(), **UNAVAILABLE},
                }
            },
            "/standards/apply": {
                "get": {
                    "summary": "Which standards apply to me: a form, then one row per standard that applies, by name",
                    "parameters": [
                        {
                            "name": name,
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": f"{label}: a code of the concept scheme /def/{scheme}; empty for any",
                        }
                        for name, scheme, label in APPLY_FIELDS
                    ],
                    "responses": {
                        "200": page(),
                        "400": page(
                            "A choice that is not on the list: the page names the "
                            "field and the choices"
                        ),
                        **UNAVAILABLE,
                    },
                }
            },
            "/account/sessions": {
                "get": {
                    "summary": "Where the user is signed in: their sessions, when each began and was last used",
                    "responses": {"200": page(), **SIGN_IN_FIRST, **UNAVAILABLE},
                },
                "post": {
                    "summary": "Sign out everywhere else: end every other session of the user, after their password",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "password": {"type": "string"},
                                        "csrf_token": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": page("The page again, saying how many sessions were ended"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        **TOO_LARGE,
                        "401": page("The page again: the password is not right"),
                        "422": page("The page again: the password box was left empty"),
                        "429": {
                            "description": "Too many failed attempts for now: the page says when "
                            "to try again",
                            "content": PROBLEM_OR_HTML,
                            "headers": RETRY_AFTER,
                        },
                        **UNAVAILABLE,
                    },
                },
            },
            "/my-submissions": {
                "get": {
                    "summary": "My submissions: each record the user or their organisation "
                    "submitted, its status and the stewards' comments",
                    "responses": {"200": page(), **SIGN_IN_FIRST, **UNAVAILABLE},
                }
            },
            "/admin/accounts": {
                "get": {
                    "summary": "Users and tokens (administrators)",
                    "responses": {
                        "200": page(),
                        **SIGN_IN_FIRST,
                        "403": {
                            "description": "Only administrators manage accounts",
                            "content": PROBLEM_OR_HTML,
                        },
                        **UNAVAILABLE,
                    },
                }
            },
            "/admin/invitations": {
                "post": {
                    "summary": "Invite a user: a link, shown once, where they choose their password (administrators)",
                    "requestBody": form_body,
                    "responses": {
                        "200": page("The accounts page with the invitation link"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "422": page("The accounts page again: the page says what to change"),
                        **TOO_LARGE,
                    },
                }
            },
            "/admin/tokens": {
                "post": {
                    "summary": "Make an API token for a user (administrators)",
                    "requestBody": form_body,
                    "responses": {
                        "200": page("The accounts page with the token's secret, shown once"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "422": page(
                            "The accounts page again: no user was chosen, or there is no such user"
                        ),
                        **TOO_LARGE,
                    },
                }
            },
            "/invitation/{secret}": {
                "get": {
                    "summary": "An invitation: the page where the invited person chooses a password",
                    "parameters": [_path_param("secret")],
                    "responses": {
                        "200": page(),
                        "404": {
                            "description": "Used, expired or mistyped",
                            "content": PROBLEM_OR_HTML,
                        },
                    },
                },
                "post": {
                    "summary": "Accept an invitation: set a password and sign in",
                    "parameters": [_path_param("secret")],
                    "requestBody": form_body,
                    "responses": {
                        "302": redirect("Signed in: the home page"),
                        **FORM_REFUSED,
                        "404": {
                            "description": "Used, expired or mistyped",
                            "content": PROBLEM_OR_HTML,
                        },
                        "422": page("The page again: the page says what to change"),
                        **TOO_LARGE,
                    },
                },
            },
            "/doc/sources/{reference}/runs": {
                "get": {
                    "summary": "A harvest source's runs (its organisation and the stewards): "
                    "when, what each created, updated, withdrew, and what it could not use",
                    "parameters": [_reference_param()],
                    "responses": {
                        "200": {
                            "description": "The runs, newest first",
                            "content": {"application/json": {"schema": {"type": "object"}}, **HTML},
                        },
                        **SIGN_IN_FIRST,
                        "401": problem("No token: the runs are shown to the source's organisation"),
                        "403": problem("Another organisation's source"),
                        "404": {"description": "No such source", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                },
                "post": {
                    "summary": "Queue a run of the source now (its organisation and the stewards)",
                    "parameters": [_reference_param()],
                    "responses": {
                        "202": {
                            "description": "Queued; the runs list shows it once it has finished",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "303": redirect("From the page's button: back to the runs page"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "401": problem("No token: runs are asked for by the source's organisation"),
                        "404": {"description": "No such source", "content": PROBLEM_OR_HTML},
                        "409": problem("The source is waiting for a steward's approval"),
                        **UNAVAILABLE,
                    },
                },
            },
            "/harvest/check": {
                "get": {
                    "summary": "The dry run of a harvest source: its form (signed-in users)",
                    "responses": {
                        "200": page(),
                        **SIGN_IN_FIRST,
                        "401": problem("Not signed in and no token"),
                        **UNAVAILABLE,
                    },
                },
                "post": {
                    "summary": "What harvesting an address or an uploaded file would create, "
                    "update and withdraw for the user's organisation, and every problem; "
                    "nothing is written",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "kind": {"type": "string"},
                                        "address": {"type": "string"},
                                        "file": {"type": "string", "format": "binary"},
                                    },
                                }
                            },
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The dry run's report",
                            "content": {"application/json": {"schema": {"type": "object"}}, **HTML},
                        },
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "400": {
                            "description": "No kind, or neither an address nor a file",
                            "content": PROBLEM_OR_HTML,
                        },
                        "401": problem("Not signed in and no token"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                    },
                },
            },
            "/review": {
                "get": {
                    "summary": "The stewards' review queue",
                    "responses": {
                        "200": page(),
                        **SIGN_IN_FIRST,
                        "403": problem("Only stewards review records"),
                        **UNAVAILABLE,
                    },
                }
            },
            "/review/{register}/{reference}": {
                "post": {
                    "summary": "A steward's decision on a submitted record",
                    "parameters": record,
                    "requestBody": form_body,
                    "responses": {
                        "303": redirect("Back to the queue"),
                        **SIGN_IN_FIRST,
                        **FORM_REFUSED,
                        "404": {"description": "No such register", "content": PROBLEM_OR_HTML},
                        "409": problem("The decision is not allowed from the record's status"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                        **CANNOT_WRITE,
                    },
                }
            },
            "/sign-in": {
                "get": {
                    "summary": "The sign-in page",
                    "parameters": [
                        {
                            "name": "next",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "A path on this site to return to",
                        }
                    ],
                    "responses": {"200": page()},
                },
                "post": {
                    "summary": "Sign in",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "username": {"type": "string"},
                                        "password": {"type": "string"},
                                        "next": {"type": "string"},
                                        "csrf_token": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "302": redirect("Signed in: back to `next` (a path on this site) or home"),
                        "401": page("The page again: the user name or password is not right"),
                        "422": page(
                            "The page again: a box was left empty, and the page says which"
                        ),
                        **FORM_REFUSED,
                        **TOO_LARGE,
                        "429": {
                            "description": "Too many failed attempts for now: the page says when "
                            "to try again",
                            "content": PROBLEM_OR_HTML,
                            "headers": RETRY_AFTER,
                        },
                    },
                },
            },
            "/sign-out": {
                "post": {
                    "summary": "Sign out",
                    "requestBody": form_body,
                    "responses": {
                        "302": redirect("Signed out: the home page"),
                        **FORM_REFUSED,
                        **TOO_LARGE,
                    },
                }
            },
            "/tokens": {
                "get": {
                    "summary": "Every API token (admins)",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": {
                            "description": "The tokens, without their secrets",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "401": problem("No valid token"),
                        "403": problem("Only admins"),
                    },
                },
                "post": {
                    "summary": "Create an API token (admins)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["username", "organisation", "role"],
                                    "properties": {
                                        "username": {"type": "string"},
                                        "organisation": {"type": "string"},
                                        "role": {
                                            "type": "string",
                                            "enum": ["publisher", "steward", "admin"],
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "The token, with its secret (shown once)",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "400": problem("The body is not a JSON object"),
                        "401": problem("No valid token"),
                        "403": problem("Only admins"),
                        "422": problem("No such organisation or role"),
                        **TOO_LARGE,
                        **UNAVAILABLE,
                    },
                },
            },
            "/tokens/{token_id}": {
                "delete": {
                    "summary": "Revoke an API token (admins)",
                    "security": [{"bearer": []}],
                    "parameters": [_path_param("token_id")],
                    "responses": {
                        "200": {
                            "description": "Revoked",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "401": problem("No valid token"),
                        "403": problem("Only admins"),
                        "404": problem("No such token"),
                    },
                }
            },
            "/reports": {
                "get": {
                    "summary": "The programme reports, as charts",
                    "responses": {"200": page(), **UNAVAILABLE},
                }
            },
            "/reports/{name}": {
                "get": {
                    "summary": "A programme report's table",
                    "parameters": [
                        _path_param(
                            "name",
                            {"type": "string", "pattern": "^[a-z-]+\\.(csv|json)$"},
                            "A report's name and .csv or .json",
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "The table",
                            "content": {
                                "text/csv": {"schema": {"type": "string"}},
                                "application/json": {"schema": {"type": "object"}},
                            },
                        },
                        "404": {"description": "No such report", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                }
            },
            "/def/context.jsonld": {
                "get": {
                    "summary": "The JSON-LD context of the registry's records",
                    "responses": {
                        "200": {
                            "description": "The context",
                            "content": {"application/ld+json": {"schema": {"type": "object"}}},
                        },
                        "304": {"description": "Not modified"},
                    },
                }
            },
            "/def": _rdf_document("The vocabulary: every term, scheme and shape"),
            "/def/": _rdf_document("The vocabulary: every term, scheme and shape"),
            "/def/{part}": _rdf_document(
                "A term, concept scheme or document of the vocabulary",
                [
                    _path_param(
                        "part",
                        description="ldr, shapes, a scheme or a concept, with "
                        "or without a format's suffix",
                    )
                ],
                "Not in the vocabulary",
                {
                    "303": redirect(
                        "A scheme or concept asked for as a page: its place on "
                        "/def/ (/def/#phase-beta)"
                    )
                },
            ),
            "/.well-known/void": {
                "get": {
                    "summary": "VoID's well-known address: 303 to the catalogue",
                    "responses": {"303": redirect("The catalogue")},
                }
            },
            "/catalogue": _rdf_document("DCAT + VoID description of the registry"),
            "/catalogue{suffix}": _rdf_document(
                "The catalogue in one format",
                [
                    _path_param(
                        "suffix",
                        {"type": "string", "enum": [".ttl", ".jsonld", ".rdf", ".nt", ".html"]},
                    )
                ],
            ),
            "/catalogue/adms": _rdf_document(
                "The accepted exemplars, platforms, products, software and standards as an "
                "ADMS-AP asset repository (docs/exports.md)"
            ),
            "/catalogue/adms{suffix}": _rdf_document(
                "The ADMS-AP asset repository in one format",
                [
                    _path_param(
                        "suffix",
                        {"type": "string", "enum": [".ttl", ".jsonld", ".rdf", ".nt", ".html"]},
                    )
                ],
            ),
            "/doc/software/{reference}/publiccode.yml": {
                "get": {
                    "summary": "A software record as a publiccode.yml file (version 0.4), with a "
                    "comment naming the keys the standard requires that the record cannot fill",
                    "parameters": [_reference_param()],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {"application/yaml": {"schema": {"type": "string"}}},
                        },
                        "304": {
                            "description": "Not modified since the ETag given in If-None-Match"
                        },
                        "400": problem("Not a reference (lowercase letters, digits and hyphens)"),
                        "404": {"description": "No such software", "content": PROBLEM_OR_HTML},
                        **UNAVAILABLE,
                    },
                }
            },
            "/dumps/{name}": {
                "get": {
                    "summary": "The whole registry, gzipped",
                    "parameters": [
                        _path_param(
                            "name",
                            {"type": "string", "enum": ["registry.nq.gz", "registry.ttl.gz"]},
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "The dump",
                            "content": {
                                "application/gzip": {
                                    "schema": {"type": "string", "format": "binary"}
                                }
                            },
                        },
                        "304": {"description": "Not modified"},
                        "404": problem("No such dump"),
                        **UNAVAILABLE,
                    },
                }
            },
        },
    }
