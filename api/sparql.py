"""/sparql: the SPARQL 1.1 Protocol for queries, read-only and time-limited."""
from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, redirect, request

from registry.rdfio import FORMATS
from registry.service_description import service_description
from registry.sparql import QueryError

from .conneg import choose
from .problems import problem

bp = Blueprint("sparql", __name__)

RESULT_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"]
RDF_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
           "text/xml": "application/sparql-results+xml"}
STATUS = {"syntax": 400, "update": 403, "service": 403, "timeout": 503, "busy": 503, "memory": 503, "error": 500,
          "param": 400, "unavailable": 503}
TITLES = {"syntax": "Query syntax error", "update": "Read-only endpoint", "service": "Remote services refused",
          "timeout": "Query time limit reached", "busy": "Endpoint busy", "memory": "Query memory limit reached",
          "error": "Query failed", "param": "Bad parameter", "unavailable": "Store unavailable"}


def query_problem(exc: QueryError) -> Response:
    headers = {"Retry-After": "2" if exc.kind == "busy" else "5"} if exc.kind in ("busy", "unavailable") else {}
    return problem(STATUS[exc.kind], TITLES[exc.kind], exc.message, headers=headers)


def _accept_header() -> str:
    header = request.headers.get("Accept", "")
    for alias, media in ALIASES.items():
        header = header.replace(alias, media)
    return header


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@bp.route("/sparql/", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def sparql():
    if request.method not in ("GET", "POST"):
        return problem(405, "Method not allowed", "The SPARQL endpoint answers GET and POST only.",
                       headers={"Allow": "GET, POST"})
    url_params = parse_qs(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)
    params = url_params
    query = None
    if request.method == "GET":
        if "update" in params:
            return problem(403, "Read-only endpoint", "SPARQL Update is refused: this endpoint is read-only, and "
                           "updates are never sent with GET. Use the registry's write API to change records.")
    else:
        mimetype = request.mimetype
        charset = (request.mimetype_params.get("charset") or "utf-8").lower()
        if charset.replace("-", "") != "utf8":
            return problem(400, "Not UTF-8", f"The request body is declared as {charset}; SPARQL requests must be UTF-8.")
        raw = request.get_data(cache=True)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return problem(400, "Not UTF-8", "The request body is not valid UTF-8.")
        if mimetype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            params = {**url_params, **{k: url_params.get(k, []) + v for k, v in form.items()}}
            if "update" in form:
                if len(form["update"]) > 1:
                    return problem(400, "More than one update", "Send one update parameter.")
                return _read_only()
        elif mimetype == "application/sparql-query":
            query = text
        elif mimetype == "application/sparql-update":
            return _read_only()
        else:
            return problem(415, "Unsupported media type",
                           f"A SPARQL POST must be application/x-www-form-urlencoded (with a query parameter) "
                           f"or application/sparql-query, not {mimetype or 'a body without a Content-Type'}.")
    if query is None:
        queries = params.get("query", [])
        if len(queries) > 1:
            return problem(400, "More than one query", "Send exactly one query parameter.")
        if not queries:
            if request.method == "GET":
                if choose(request.headers.get("Accept"), RDF_TYPES + ["text/html"]) == "text/html" and \
                        "text/html" in request.headers.get("Accept", ""):
                    return redirect("/query", code=303)   # a person with a browser: the query page
                return _service_description()
            return problem(400, "No query", "The request has no query parameter.")
        query = queries[0]
    result_type = choose(_accept_header(), RESULT_TYPES)
    rdf_type = choose(_accept_header(), RDF_TYPES)
    if result_type is None and rdf_type is None:
        return problem(406, "Not acceptable", "This endpoint can answer in: " + ", ".join(RESULT_TYPES + RDF_TYPES) + ".")
    service = current_app.extensions["ldr.queries"]
    try:
        outcome = service().run(query, default_graphs=params.get("default-graph-uri", []),
                                named_graphs=params.get("named-graph-uri", []),
                                result_type=result_type or RESULT_TYPES[0], rdf_type=rdf_type or RDF_TYPES[0],
                                base_iri=current_app.config["LDR"]["LDR_BASE"] + "/")
    except QueryError as exc:
        return query_problem(exc)
    response = Response(outcome.body, mimetype=outcome.media_type)
    if outcome.media_type.startswith("text/"):
        response.charset = "utf-8"
    limit = current_app.config["LDR"]["LDR_QUERY_MAX_ROWS"]
    response.headers["LDR-Result-Limit"] = str(limit)
    if outcome.truncated:
        response.headers["LDR-Results-Truncated"] = (
            f"true; the first {limit} results are shown; add LIMIT/OFFSET to page through the rest")
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    return response


def _read_only() -> Response:
    return problem(403, "Read-only endpoint", "SPARQL Update is refused: this endpoint is read-only. "
                   "Use the registry's write API to change records.")


def _service_description() -> Response:
    rdf_type = choose(_accept_header(), RDF_TYPES) or RDF_TYPES[0]
    fmt = next(f for f in FORMATS.values() if f.media_type == rdf_type)
    settings = current_app.config["LDR"]
    graph = service_description(settings["LDR_BASE"], RESULT_TYPES, RDF_TYPES)
    from registry.rdfio import serialize
    return Response(serialize(graph, fmt), mimetype=rdf_type, headers={"Vary": "Accept"})
