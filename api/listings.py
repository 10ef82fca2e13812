"""Register pages, the search page and the home page, served from the search index."""
from __future__ import annotations

import csv
import io
import math
from urllib.parse import urlencode

from flask import g, Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import Markup, escape
from rdflib import URIRef

from registry.namespaces import REGISTERS
from registry.search_index import FACETS

from .documents import _local_href, _not_found

bp = Blueprint("listings", __name__)
PER_PAGE = 20
SORTS = [("title", "Title A to Z"), ("-title", "Title Z to A"), ("-modified", "Recently changed"),
         ("modified", "Least recently changed")]
STATUS_LABELS = {"submitted": "Submitted", "experimental": "Experimental", "stable": "Stable", "superseded": "Superseded",
                 "retired": "Retired", "invalid": "Invalid"}


def _index():
    """The index, caught up with every change to the store, from this process or any other."""
    if "ldr_index" not in g:
        g.ldr_index = current_app.extensions["ldr.index"].catch_up(current_app.extensions["ldr.store"],
                                                                   current_app.extensions["ldr.model"])
    return g.ldr_index


def _filters() -> dict[str, list[str]]:
    return {name: request.args.getlist(name) for name in [*FACETS, "register"] if request.args.getlist(name)}


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _decorate(hits):
    for hit in hits:
        hit.href = _local_href(hit.iri)
        status = hit.status.rsplit("#status", 1)[-1].lower() if hit.status else ""
        hit.status_label = STATUS_LABELS.get(status, "")
        # The snippet's text is escaped; only the index's own match markers become <mark>.
        hit.snippet_html = Markup(str(escape(hit.snippet)).replace("\x02", "<mark>").replace("\x03", "</mark>")) \
            if hit.snippet else None
    return hits


def _alternates(path: str) -> list[dict]:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    query = ("?" + urlencode(args)) if args else ""
    return [{"href": f"{path}.json{query}", "label": "JSON", "media_type": "application/json"},
            {"href": f"{path}.csv{query}", "label": "CSV", "media_type": "text/csv"}]


def _data_response(kind: str, hits, total: int, page: int, facets) -> Response:
    if kind == ".csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["iri", "register", "title", "status", "modified", "description"])
        for hit in hits:
            writer.writerow([hit.iri, hit.register, hit.title, hit.status, hit.modified, hit.description])
        return Response(out.getvalue(), mimetype="text/csv", headers={"Vary": "Accept"})
    return jsonify({"total": total, "page": page, "per_page": PER_PAGE,
                    "items": [{"iri": h.iri, "register": h.register, "title": h.title, "description": h.description,
                               "status": h.status, "modified": h.modified} for h in hits],
                    "facets": {f: [{"value": k, "label": label, "count": n} for k, label, n in values]
                               for f, values in facets.items()}})


def _listing_page(register: str | None, path: str, template: str, **extra):
    suffix = None
    for candidate in (".json", ".csv"):
        if request.path.endswith(candidate):
            suffix = candidate
    query = request.args.get("q", "").strip()
    filters, page = _filters(), _page()
    sort = request.args.get("sort", "title")
    per_page = PER_PAGE if suffix is None else 10_000
    hits, total = _index().listing(register, filters, query=query, sort=sort, page=page if suffix is None else 1,
                                   per_page=per_page)
    facets = _index().facet_counts(register, filters, query)
    if suffix:
        return _data_response(suffix, hits, total, page, facets)
    pages = max(1, math.ceil(total / PER_PAGE))

    def page_url(n: int) -> str:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(n))]
        return f"{path}?{urlencode(args)}"

    return render_template(template, hits=_decorate(hits), total=total, facets=facets,
                           facet_labels={f: label for f, (label, _) in FACETS.items()}, selected=filters, page=page,
                           pages=pages, page_url=page_url, query=query, sort=sort, alternates=_alternates(path),
                           **extra)


@bp.get("/search")
@bp.get("/search.json")
@bp.get("/search.csv")
def search():
    query = request.args.get("q", "").strip()
    register_facet = _index().register_counts({k: v for k, v in _filters().items() if k != "register"}, query)
    return _listing_page(None, "/search", "search.html", register_facet=register_facet, sorts=SORTS)


@bp.get("/<name>")
def register_page(name: str):
    register = name.rsplit(".", 1)[0] if name.endswith((".json", ".csv")) else name
    if register not in REGISTERS:
        return _not_found("Page not found", f"There is no page at /{name}. The registers are: {', '.join(REGISTERS)}.")
    model = current_app.extensions["ldr.model"]
    iri = URIRef(f"{model.base.iri}/id/{register}")
    from rdflib.namespace import DCTERMS
    return _listing_page(register, f"/{register}", "register.html", name=register, label=model.label(iri),
                         description=str(model.ontology.value(iri, DCTERMS.description) or ""), sorts=SORTS)


@bp.get("/")
def home():
    model = current_app.extensions["ldr.model"]
    counts = _index().count()
    registers = [{"name": r, "label": model.label(URIRef(f"{model.base.iri}/id/{r}")), "count": counts.get(r, 0)}
                 for r in REGISTERS]
    return render_template("home.html", registers=registers, recent=_decorate(_index().recent(8)))


@bp.get("/reports")
def reports_page():
    from registry.reports import all_reports, bar_chart
    store, model = current_app.extensions["ldr.store"], current_app.extensions["ldr.model"]
    items = [{"report": r, "chart": bar_chart(r)} for r in all_reports(store, model)]
    return render_template("reports.html", reports=items)


@bp.get("/reports/<name>")
def report_data(name: str):
    from registry.reports import REPORTS
    store, model = current_app.extensions["ldr.store"], current_app.extensions["ldr.model"]
    stem, _, suffix = name.rpartition(".")
    if stem not in REPORTS or suffix not in ("csv", "json"):
        return _not_found("No such report", f"There is no report {name!r}. The reports are "
                          + ", ".join(f"/reports/{n}.csv" for n in REPORTS) + " (and .json).")
    report = REPORTS[stem](store, model)
    if suffix == "json":
        return jsonify({"name": report.name, "title": report.title, "description": report.description,
                        "columns": report.columns, "rows": report.rows})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(report.columns)
    writer.writerows(report.rows)
    return Response(out.getvalue(), mimetype="text/csv")
