"""Register pages, the search page and the home page, served from the search index."""

from __future__ import annotations

import math
import re
from typing import cast
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g, jsonify, render_template, request
from markupsafe import Markup, escape
from rdflib import URIRef
from rdflib.namespace import SKOS

from registry.rdf.namespaces import REGISTERS
from registry.rdf.text import csv_for_people
from registry.search.documents import (
    FACET_SCHEMES,
    FACETS,
    UnknownFilterValue,
    UnknownFilterValues,
)

from .current import registry
from .documents import _local_href, _not_found, error_page, wants_page
from .problems import problem

bp = Blueprint("listings", __name__)
PER_PAGE = 20
#: Data (JSON and CSV) pages: this many records unless `per_page` asks for another number, up to MAX_PER_PAGE.
DATA_PER_PAGE, MAX_PER_PAGE = 100, 10_000
#: Values shown per facet: the most frequent, then any the user has selected (`facet_limit=0` in data: all).
FACET_VALUES_SHOWN, DATA_FACET_LIMIT = 12, 20
#: Beyond any register's last page, and small enough for SQLite's integers (a page number of 20
#: digits was a 500: found while describing these parameters in the OpenAPI document).
MAX_PAGE, MAX_FACET_LIMIT = 1_000_000_000, 100_000
SORTS = [
    ("title", "Title A to Z"),
    ("-title", "Title Z to A"),
    ("-modified", "Recently changed"),
    ("modified", "Least recently changed"),
]
#: The order of a search's matches, best first (the default when there are words to match).
RELEVANCE = ("relevance", "Best match")


def _index():
    """The index, caught up with every change to the store, from this process or any other."""
    if "ldr_index" not in g:
        g.ldr_index = registry().index.catch_up(registry().store, registry().model)
    return g.ldr_index


def _filters() -> dict[str, list[str]]:
    """The filters asked for (checked: see _checked)."""
    return _checked()[0]


def _checked() -> tuple[dict[str, list[str]], str]:
    """The filters and the sort order asked for. Every value among them that names nothing is
    refused at once, in one 400 that names each with the values allowed (a second bad value was
    reported only once the first was put right)."""
    query = request.args.get("q", "").strip()
    filters = {
        name: request.args.getlist(name)
        for name in [*FACETS, "register"]
        if request.args.getlist(name)
    }
    refusals: list[UnknownFilterValue] = []
    try:
        _index().check_filters(registry().model, filters)
    except UnknownFilterValues as exc:
        refusals = exc.refusals
    # words are ranked by how well records match them unless another order is asked for
    sort = request.args.get("sort", RELEVANCE[0] if query else "title")
    if sort not in dict([RELEVANCE, *SORTS]):
        shown = _sorts(query)
        refusals.append(
            UnknownFilterValue(
                "sort",
                [sort],
                [code for code, _ in shown],
                len(shown),
                [label for _, label in shown],
            )
        )
    if refusals:
        abort(_refused(refusals))
    return filters, sort


def _sorts(query: str) -> list[tuple[str, str]]:
    """The orders the "Sort by" control offers: by relevance only when there are words to match."""
    return [RELEVANCE, *SORTS] if query else SORTS


def _refused(refusals: list[UnknownFilterValue]) -> Response:
    """HTML for browsers, with a way back to the list without the refused values (every other
    filter, the words and the order kept); problem+json for everything else, with the first
    refusal's allowed values at its top level, as before there could be several, and every
    refusal in `invalid_params`."""
    sort_only = all(r.facet == "sort" for r in refusals)
    filters = [r for r in refusals if r.facet != "sort"]
    heading = (
        "No such sort order"
        if sort_only
        else "No such filter value"
        if len(refusals) == 1
        else "No such filter values"
        if len(filters) == len(refusals)
        else "No such filter value or sort order"
    )
    if wants_page():
        ways = (
            ["without this filter"]
            if len(filters) == 1
            else ["without these filters"]
            if filters
            else []
        ) + (["in its usual order"] if len(filters) < len(refusals) else [])
        back_text = "Show the list " + ", ".join(ways)
        return Response(
            render_template(
                "not_found.html",
                title=heading,
                heading=heading,
                details=[_in_words(r) for r in refusals],
                back=_without(refusals),
                back_text=back_text,
            ),
            status=400,
            mimetype="text/html",
        )
    first = refusals[0]
    return problem(
        400,
        heading,
        str(UnknownFilterValues(refusals)),
        parameter=first.facet,
        values=first.values,
        allowed=first.allowed,
        allowed_total=first.size,
        invalid_params=[
            {
                "parameter": r.facet,
                "label": _label(r.facet),
                "values": r.values,
                "allowed": r.allowed,
                "allowed_labels": r.named,
                "allowed_total": r.size,
            }
            for r in refusals
        ],
    )


def _without(refusals: list[UnknownFilterValue]) -> str:
    """This listing's address without the refused values (nor the page number, as the list changes)."""
    refused = {(r.facet, value) for r in refusals for value in r.values}
    args = [
        (k, v) for k, v in request.args.items(multi=True) if k != "page" and (k, v) not in refused
    ]
    return request.path + ("?" + urlencode(args) if args else "")


def _label(facet: str) -> str:
    """A parameter as the page's controls name it."""
    return FACETS[facet][0] if facet in FACETS else "Sort by" if facet == "sort" else "Register"


def _in_words(exc: UnknownFilterValue) -> str:
    """The refusal as a person reads it: the filter (or "Sort by") and the values it may take by
    their names (Discovery, Alpha, Beta…, as the controls on the page show them), not their codes."""
    more = f" and {exc.size - len(exc.named):,} more" if exc.size > len(exc.named) else ""
    given = ", ".join(f"“{v[:60]}”" for v in exc.values)
    return f"{_label(exc.facet)}: {given} is not one of the choices. Choose one of: {', '.join(exc.named)}{more}."


def _number(name: str, default: int, lowest: int, highest: int | None = None) -> int:
    """A whole-number parameter, brought within [lowest, highest]; anything else is a 400 that
    names it (a page of "lots" used to be read silently as the default)."""
    text = request.args.get(name)
    if text is None:
        return default
    text = text.strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,40}", text):
        # a page in words with the way back: this list without the parameter (the page number too)
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in (name, "page")]
        abort(
            error_page(
                400,
                "Not a whole number",
                f"{name} must be a whole number, such as {default}; it was {text[:40]!r}.",
                back=request.path + ("?" + urlencode(args) if args else ""),
            )
        )
    value = max(lowest, int(text))
    return min(value, highest) if highest is not None else value


def _page() -> int:
    return _number("page", 1, 1, MAX_PAGE)


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links to show: the first, the last, and the current page with its neighbours;
    None where pages are left out (GOV.UK pagination's ellipses). A register of 100,000 records
    would otherwise list 5,000 links on every page."""
    wanted = {1, pages, page - 1, page, page + 1}
    out: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= pages):
        # the last entry is always a page number (each None is followed by one at once)
        if out and n - cast(int, out[-1]) > 1:
            out.append(None)
        out.append(n)
    return out


def _decorate(hits):
    """Each hit with its address here and its register and status named as the vocabulary names
    them, in the languages the registry shows (LDR_LANGUAGES)."""
    model = registry().model
    for hit in hits:
        hit.href = _local_href(hit.iri)
        hit.register_label = model.register_label(hit.register)
        hit.status_label = (
            (model.text(URIRef(hit.status), SKOS.prefLabel) or "") if hit.status else ""
        )
        # The snippet's text is escaped; only the index's own match markers become <mark>.
        hit.snippet_html = (
            Markup(str(escape(hit.snippet)).replace("\x02", "<mark>").replace("\x03", "</mark>"))
            if hit.snippet
            else None
        )
    return hits


def _args_but_page() -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.args.items(multi=True) if k != "page"]


def _alternates(path: str) -> list[dict]:
    args = _args_but_page()
    query = ("?" + urlencode(args)) if args else ""
    return [
        {"href": f"{path}.json{query}", "label": "JSON", "media_type": "application/json"},
        {"href": f"{path}.csv{query}", "label": "CSV", "media_type": "text/csv"},
    ]


def _data_response(
    kind: str, path: str, hits, total: int, page: int, per_page: int, facets
) -> Response:
    """A page of the listing as CSV or JSON; `Link` headers (and `next`/`prev` in JSON) lead on."""
    links = {}
    if page * per_page < total:
        links["next"] = _page_url(path + kind, page + 1)
    if page > 1:
        links["prev"] = _page_url(path + kind, page - 1)
    headers = {"Vary": "Accept"}
    if links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if kind == ".csv":
        rows = [["iri", "register", "title", "status", "modified", "description"]]
        rows += [
            [hit.iri, hit.register, hit.title, hit.status, hit.modified, hit.description]
            for hit in hits
        ]
        return Response(csv_for_people(rows), mimetype="text/csv", headers=headers)
    more = {f: values.size for f, values in facets.items() if values.size > len(values)}
    response = jsonify(
        {
            "total": total,
            "page": page,
            "per_page": per_page,
            **links,
            "items": [
                {
                    "iri": h.iri,
                    "register": h.register,
                    "title": h.title,
                    "description": h.description,
                    "status": h.status,
                    "modified": h.modified,
                }
                for h in hits
            ],
            "facets": {
                f: [{"value": k, "label": label, "count": n} for k, label, n in values]
                for f, values in facets.items()
            },
            # facets with more values than shown, and how many they have (facet_limit=0 shows them all)
            "facet_values": more,
        }
    )
    response.headers.update(headers)
    return response


def _removals(path: str, facets) -> list[dict]:
    """Each selected filter value as the "Selected filters" list shows it: its facet, its name and
    the address of this listing without it (the words, the sort and every other filter kept; the
    page number dropped, as the list changes), in the order of the filters on the page. GOV.UK's
    and MOJ's filter pattern."""
    names = {(f, key): label for f, values in facets.items() for key, label, _ in values}
    out = []
    order = ["register", *FACETS]  # as the filters are laid out on the page
    chosen = [(k, v) for k, v in dict.fromkeys(_args_but_page()) if k in order]
    for facet, value in sorted(chosen, key=lambda pair: order.index(pair[0])):
        # registers are named as the register facet names them
        label = (
            registry().model.register_label(value)
            if facet == "register"
            else names.get((facet, value), value)
        )
        args = [(k, v) for k, v in _args_but_page() if (k, v) != (facet, value)]
        out.append(
            {
                "facet": _label(facet),
                "label": label,
                "href": path + ("?" + urlencode(args) if args else ""),
            }
        )
    return out


def _clear_url(path: str) -> str:
    """This listing with no filter: the words and the sort kept."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k in ("q", "sort")]
    return path + ("?" + urlencode(args) if args else "")


def _page_url(path: str, n: int) -> str:
    return f"{path}?{urlencode(_args_but_page() + [('page', str(n))])}"


def _listing_page(register: str | None, path: str, template: str, **extra):
    suffix = None
    for candidate in (".json", ".csv"):
        if request.path.endswith(candidate):
            suffix = candidate
    query = request.args.get("q", "").strip()
    (filters, sort), page = _checked(), _page()
    extra["sorts"] = _sorts(query)
    per_page = PER_PAGE if suffix is None else _number("per_page", DATA_PER_PAGE, 1, MAX_PER_PAGE)
    hits, total = _index().listing(
        register, filters, query=query, sort=sort, page=page, per_page=per_page
    )
    limit = (
        FACET_VALUES_SHOWN
        if suffix is None
        else _number("facet_limit", DATA_FACET_LIMIT, 0, MAX_FACET_LIMIT)
    )
    facets = _index().facet_counts(register, filters, query, limit=limit)
    model = registry().model
    facets = _index().with_selected(model, facets, filters)
    for facet, values in facets.items():  # a scheme with an order (the phases) is listed in it
        if facet in FACET_SCHEMES:
            scheme = model.base.scheme_graph(FACET_SCHEMES[facet])
            values[:] = model.in_scheme_order(
                scheme, list(values), concept=lambda row, s=scheme: f"{s}/{row[0]}"
            )
    if suffix:
        return _data_response(suffix, path, hits, total, page, per_page, facets)
    pages = max(1, math.ceil(total / PER_PAGE))
    extra["removals"], extra["clear_url"] = _removals(path, facets), _clear_url(path)
    return render_template(
        template,
        hits=_decorate(hits),
        total=total,
        facets=facets,
        facet_labels={f: label for f, (label, _) in FACETS.items()},
        selected=filters,
        page=page,
        pages=pages,
        page_numbers=page_numbers(page, pages),
        page_url=lambda n: _page_url(path, n),
        query=query,
        sort=sort,
        alternates=_alternates(path),
        **extra,
    )


@bp.get("/search")
@bp.get("/search.json")
@bp.get("/search.csv")
def search():
    query = request.args.get("q", "").strip()
    filters = _filters()
    register_facet = _index().register_counts(
        {k: v for k, v in filters.items() if k != "register"}, query
    )
    # a ticked register stays listed, with 0, when nothing in it matches (so that it can be unticked)
    register_facet += [
        (name, 0)
        for name in dict.fromkeys(filters.get("register", []))
        if name not in {shown for shown, _ in register_facet}
    ]
    return _listing_page(None, "/search", "search.html", register_facet=register_facet)


@bp.get("/<name>")
def register_page(name: str):
    register = name.rsplit(".", 1)[0] if name.endswith((".json", ".csv")) else name
    if register not in REGISTERS:
        return _not_found(
            "Page not found",
            f"There is no page at /{name}. The registers are: {', '.join(REGISTERS)}.",
        )
    model = registry().model
    iri = URIRef(f"{model.base.iri}/id/{register}")
    from rdflib.namespace import DCTERMS

    return _listing_page(
        register,
        f"/{register}",
        "register.html",
        name=register,
        label=model.label(iri),
        description=str(model.ontology.value(iri, DCTERMS.description) or ""),
    )


@bp.get("/")
def home():
    model = registry().model
    counts = _index().count()
    registers = [
        {
            "name": r,
            "label": model.register_label(r),
            "count": counts.get(r, 0),
        }
        for r in REGISTERS
    ]
    return render_template("home.html", registers=registers, recent=_decorate(_index().recent(8)))
