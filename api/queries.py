"""Stored queries at stable URLs (/queries/{name}), and the SPARQL query page for people (/query)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from registry import ROOT
from registry.query.guard import QueryError
from registry.query.page import opening_query
from registry.query.stored import bind_parameters, stored_queries
from registry.rdf.text import sparql_csv_for_people, sparql_tsv_for_people

from .conneg import choose
from .current import registry
from .documents import error_page
from .problems import problem
from .sparql import RESULT_TYPES, STATUS, TITLES, query_problem

bp = Blueprint("queries", __name__)

SUFFIXES = {
    ".json": "application/sparql-results+json",
    ".xml": "application/sparql-results+xml",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".html": "text/html",
}
YASGUI = ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"


def _queries():
    return stored_queries(str(registry().model.base.ldr))


def _catalogue() -> list[dict]:
    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "url": f"/queries/{q.name}",
            "parameters": [
                {"name": p.name, "kind": p.kind, **({"scheme": p.scheme} if p.scheme else {})}
                for p in q.params
            ],
            "query": q.text,
        }
        for q in _queries().values()
    ]


@bp.get("/queries")
@bp.get("/queries.json")
def list_queries():
    if (
        request.path.endswith(".json")
        or choose(request.headers.get("Accept"), ["text/html", "application/json"])
        == "application/json"
    ):
        return {"queries": _catalogue()}
    return render_template("queries.html", queries=_catalogue())


@bp.get("/queries/<path:name>")
def run_query(name: str):
    media = None
    for suffix, suffix_media in SUFFIXES.items():
        if name.endswith(suffix):
            name, media = name[: -len(suffix)], suffix_media
    query = _queries().get(name)
    if query is None:
        return error_page(
            404,
            "No such stored query",
            f"There is no stored query {name!r}. The stored queries "
            "are: " + ", ".join(_queries()) + ".",
            media,
            back="/queries",
        )
    if media is None:
        media = choose(
            request.headers.get("Accept", "").replace(
                "application/json", "application/sparql-results+json"
            ),
            RESULT_TYPES + ["text/html"],
        )
        if media is None:
            return problem(
                406,
                "Not acceptable",
                "Stored query results are available as: "
                + ", ".join(RESULT_TYPES + ["text/html"])
                + ".",
            )
    model = registry().model
    try:
        values = {k: v for k, v in request.args.items()}
        substitutions = bind_parameters(query, values, model)
        result_type = "application/sparql-results+json" if media == "text/html" else media
        outcome = (
            registry()
            .queries()
            .run(
                query.text,
                result_type=result_type,
                rdf_type="text/turtle",
                substitutions=substitutions,
            )
        )
    except QueryError as exc:
        if media == "text/html":  # a browser: the same error as a page, with the way back
            return error_page(
                STATUS[exc.kind], TITLES[exc.kind], exc.message, media, back="/queries"
            )
        return query_problem(exc)
    if media == "text/html":
        import json

        data = json.loads(outcome.body)
        return render_template(
            "query_results.html",
            query=query,
            values=values,
            variables=data["head"]["vars"],
            rows=data["results"]["bindings"],
            truncated=outcome.truncated,
            alternates=[
                {
                    "href": f"/queries/{name}{s}"
                    + (f"?{request.query_string.decode()}" if request.query_string else ""),
                    "media_type": m,
                    "label": s[1:].upper(),
                }
                for s, m in SUFFIXES.items()
                if m != "text/html"
            ],
        )
    body = outcome.body
    if (
        outcome.media_type == "text/csv"
    ):  # stored queries are downloaded by people: formulas never run
        body = sparql_csv_for_people(body)
    elif outcome.media_type == "text/tab-separated-values":
        body = sparql_tsv_for_people(body)
    response = Response(body, mimetype=outcome.media_type)
    response.headers["Vary"] = "Accept"
    if outcome.truncated:
        response.headers["LDR-Results-Truncated"] = "true"
    return response


@bp.get("/query")
def query_page():
    base = registry().model.base
    # ?query= opens the page with that query (the way back from an error on /sparql keeps it)
    return render_template(
        "query.html",
        queries=_catalogue(),
        first_query=request.args.get("query") or opening_query(base),
        prefixes=base.prefixes(),
    )


@bp.get("/vendor/yasgui/<path:filename>")
def yasgui_asset(filename: str):
    if filename not in ("yasgui.min.js", "yasgui.min.css"):
        abort(404)
    if not (YASGUI / filename).exists():
        return problem(
            404,
            "Front-end packages not installed",
            "YASGUI is installed by `make install` (npm ci); it is not in node_modules yet.",
        )
    return send_from_directory(YASGUI, filename, max_age=86400)
