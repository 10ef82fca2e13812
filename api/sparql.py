"""/sparql: the SPARQL 1.1 Protocol for queries, read-only and time-limited.

A small WSGI app of its own, in front of Flask (api._with_sparql): the endpoint is a protocol,
not a page, and Flask's request handling was more than half of an item lookup's time (profiled;
docs/benchmarks.md). It gives the same problem documents, security headers and rate limit as
the rest of the registry."""

from __future__ import annotations

import codecs
import logging
from urllib.parse import unquote_plus, urlencode

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from registry.query.guard import QueryError
from registry.query.service_description import service_description
from registry.rdf.rdfio import FORMATS, serialize

from .conneg import choose
from .problems import problem, too_large
from .security import add_headers, limit_rate

log = logging.getLogger(__name__)

#: The methods /sparql answers (HEAD as GET does, without the body; OPTIONS with this list).
ALLOW = "GET, HEAD, OPTIONS, POST"
#: The longest query the way back from an error page carries to the query page in its link.
MAX_QUERY_IN_LINK = 2000
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
RDF_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
STATUS = {
    "syntax": 400,
    "update": 403,
    "service": 403,
    "timeout": 503,
    "busy": 503,
    "memory": 503,
    "error": 500,
    "param": 400,
    "unavailable": 503,
    "nesting": 400,
    "unchecked": 400,
    "crash": 500,
    "evaluation": 400,
    "chain": 400,
    "length": 400,
    "unwritable": 406,
}
TITLES = {
    "syntax": "Query syntax error",
    "update": "Read-only endpoint",
    "service": "Remote services refused",
    "timeout": "Query time limit reached",
    "busy": "Endpoint busy",
    "memory": "Query memory limit reached",
    "error": "Query failed",
    "param": "Bad parameter",
    "unavailable": "Store unavailable",
    "nesting": "Query nested too deeply",
    "unchecked": "Query could not be checked",
    "crash": "Query process failed",
    "evaluation": "Query cannot be evaluated",
    "chain": "Query too long a chain",
    "length": "Query too long",
    "unwritable": "Answer cannot be written in that format",
}


def query_problem(exc: QueryError) -> Response:
    headers = (
        {"Retry-After": "2" if exc.kind == "busy" else "5"}
        if exc.kind in ("busy", "unavailable")
        else {}
    )
    return problem(STATUS[exc.kind], TITLES[exc.kind], exc.message, headers=headers)


class SparqlEndpoint:
    """The endpoint as a WSGI app, built once per Flask app from its settings and services."""

    def __init__(self, app):
        self.app = app
        self.settings = app.config["LDR"]
        self.queries = app.extensions["ldr.registry"].queries
        self.limiter = app.extensions["ldr.rate_limiter"]
        self.base_iri = self.settings["LDR_BASE"] + "/"
        self.max_rows = str(self.settings["LDR_QUERY_MAX_ROWS"])
        self._header_lists: dict[bool, list] = {}

    def __call__(self, environ, start_response):
        # Read from the environ itself: a werkzeug Request is made only to read a POST's body
        # (profiled: building one and reading its headers was a tenth of a lookup in this process).
        secure = environ.get("wsgi.url_scheme") == "https"
        try:
            response = limit_rate(self.limiter, environ.get("REMOTE_ADDR")) or self.respond(environ)
        except RequestEntityTooLarge:
            response = too_large(self.settings["LDR_MAX_INPUT_BYTES"])
        except Exception:  # noqa: BLE001 - logged; the client gets a problem document, never a trace
            log.exception("unexpected error in /sparql")
            response = problem(
                500,
                "Internal server error",
                "Something went wrong on the server; it has been logged.",
            )
        if isinstance(response, Response):
            add_headers(response.headers, environ.get("PATH_INFO", "/sparql"), None, secure)
            return response(environ, start_response)
        # an answer: its headers as a plain list (profiled: werkzeug's header object was a fifth
        # of a lookup's time in this process)
        body, headers = response
        start_response(
            "200 OK",
            [*headers, ("Content-Length", str(len(body))), *self._security_headers(secure)],
        )
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _security_headers(self, secure: bool) -> list[tuple[str, str]]:
        if secure not in self._header_lists:
            headers: dict[str, str] = {}
            add_headers(headers, "/sparql", None, secure)
            self._header_lists[secure] = list(headers.items())
        return self._header_lists[secure]

    def respond(self, environ) -> Response | tuple[bytes, list[tuple[str, str]]]:
        """A problem, a redirect or the service description as a Response; an answer as its body
        and headers."""
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "OPTIONS":
            return Response(status=200, headers={"Allow": ALLOW})
        if method not in ("GET", "HEAD", "POST"):
            return problem(
                405,
                "Method not allowed",
                "The SPARQL endpoint answers GET and POST only.",
                headers={"Allow": ALLOW},
            )
        url_params = form_fields(_query_string(environ))
        params = url_params
        query = None
        if method != "POST":
            if "update" in params:
                return problem(
                    403,
                    "Read-only endpoint",
                    "SPARQL Update is refused: this endpoint is read-only, "
                    "and updates are never sent with GET. Use the registry's write API to change records.",
                )
        else:
            request = Request(environ)
            request.max_content_length = self.settings["LDR_MAX_INPUT_BYTES"]
            mimetype = request.mimetype
            charset = (request.mimetype_params.get("charset") or "utf-8").lower()
            if charset.replace("-", "") != "utf8":
                return problem(
                    400,
                    "Not UTF-8",
                    f"The request body is declared as {charset}; SPARQL requests must be UTF-8.",
                )
            raw = request.get_data(cache=True)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return problem(400, "Not UTF-8", "The request body is not valid UTF-8.")
            if mimetype == "application/x-www-form-urlencoded":
                form = form_fields(text)
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
                return problem(
                    415,
                    "Unsupported media type",
                    f"A SPARQL POST must be application/x-www-form-urlencoded (with a query parameter) "
                    f"or application/sparql-query, not {mimetype or 'a body without a Content-Type'}.",
                )
        accept = _accept_header(environ.get("HTTP_ACCEPT", ""))
        if query is None:
            queries = params.get("query", [])
            if len(queries) > 1:
                return problem(400, "More than one query", "Send exactly one query parameter.")
            if not queries:
                if method != "POST":
                    browser = environ.get("HTTP_ACCEPT", "")
                    if (
                        choose(browser or None, RDF_TYPES + ["text/html"]) == "text/html"
                        and "text/html" in browser
                    ):
                        return redirect(
                            "/query", code=303
                        )  # a person with a browser: the query page
                    return self._service_description(accept)
                return problem(400, "No query", "The request has no query parameter.")
            query = queries[0]
        result_type, rdf_type = choose(accept, RESULT_TYPES), choose(accept, RDF_TYPES)
        if result_type is None and rdf_type is None:
            return problem(
                406,
                "Not acceptable",
                "This endpoint can answer in: " + ", ".join(RESULT_TYPES + RDF_TYPES) + ".",
            )
        try:
            outcome = self.queries().run(
                query,
                default_graphs=params.get("default-graph-uri", []),
                named_graphs=params.get("named-graph-uri", []),
                result_type=result_type or RESULT_TYPES[0],
                rdf_type=rdf_type or RDF_TYPES[0],
                base_iri=self.base_iri,
            )
        except QueryError as exc:
            if _from_browser(environ):
                return self._error_page(environ, exc, query)
            return query_problem(exc)
        media_type = outcome.media_type + (
            "; charset=utf-8" if outcome.media_type.startswith("text/") else ""
        )
        headers = [
            ("Content-Type", media_type),
            ("LDR-Result-Limit", self.max_rows),
            ("Vary", "Accept"),
            ("Cache-Control", "no-store"),
        ]
        if outcome.truncated:
            headers.append(
                (
                    "LDR-Results-Truncated",
                    f"true; the first {self.max_rows} results are shown; add "
                    "LIMIT/OFFSET to page through the rest",
                )
            )
        return outcome.body, headers

    def _error_page(self, environ, exc: QueryError, query: str) -> Response:
        """A query's error as a page, for a person who sent it from a browser, with a way back to
        the query page that keeps the query if it fits in a link. Only this error path enters
        Flask; the headers, with the page's script nonce, are set here."""
        from flask import g

        from .documents import error_page

        back = "/query" + (
            "?" + urlencode({"query": query}) if len(query) <= MAX_QUERY_IN_LINK else ""
        )
        with self.app.request_context(environ):
            response = error_page(
                STATUS[exc.kind], TITLES[exc.kind], exc.message, "text/html", back=back
            )
            add_headers(
                response.headers,
                "/sparql",
                g.get("csp_nonce"),
                environ.get("wsgi.url_scheme") == "https",
            )
        return response

    def _service_description(self, accept: str) -> Response:
        rdf_type = choose(accept, RDF_TYPES) or RDF_TYPES[0]
        fmt = next(f for f in FORMATS.values() if f.media_type == rdf_type)
        graph = service_description(self.settings["LDR_BASE"], RESULT_TYPES, RDF_TYPES)
        return Response(serialize(graph, fmt), content_type=rdf_type, headers={"Vary": "Accept"})


def _from_browser(environ) -> bool:
    """Whether the request came from a browser (a page's form or address bar): it prefers HTML."""
    accept = environ.get("HTTP_ACCEPT", "")
    return (
        "text/html" in accept
        and choose(accept, RESULT_TYPES + RDF_TYPES + ["text/html"]) == "text/html"
    )


def _accept_header(header: str) -> str:
    """The Accept header with the aliases clients send for the results formats replaced."""
    for alias, media in ALIASES.items():
        header = header.replace(alias, media)
    return header


def form_fields(text: str) -> dict[str, list[str]]:
    """A query string or form body as its fields, each name with its values in order: what
    `urllib.parse.parse_qs(text, keep_blank_values=True)` gives (a property-based test holds it
    to that), with the percent-decoding done in C."""
    fields: dict[str, list[str]] = {}
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            fields.setdefault(_unquote_plus(name), []).append(_unquote_plus(value))
    return fields


def _unquote_plus(text: str) -> str:
    """`urllib.parse.unquote_plus`, but each %XX turned into \\xXX for the C decoder of Python's
    own string escapes (backslashes doubled first, so nothing else is an escape). Profiled: the
    standard library's decoding, a Python loop over the escapes, was 7 µs of an item lookup
    (18 escapes) and 15 µs of the two-hop join (56); this is 0.6 and 1.2 µs."""
    if "%" not in text:
        return text.replace("+", " ")
    raw = text.encode("utf-8").replace(b"\\", b"\\\\").replace(b"+", b" ").replace(b"%", b"\\x")
    try:
        return codecs.escape_decode(raw)[0].decode("utf-8", "replace")
    except ValueError:  # a % without two hex digits after it, which unquote leaves as it is
        return unquote_plus(text)


def _query_string(environ) -> str:
    """The query string as text: a WSGI server hands it over as Latin-1 (PEP 3333)."""
    text = environ.get("QUERY_STRING", "")
    try:
        return text.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a server that decoded it already
        return text


def _read_only() -> Response:
    return problem(
        403,
        "Read-only endpoint",
        "SPARQL Update is refused: this endpoint is read-only. "
        "Use the registry's write API to change records.",
    )
