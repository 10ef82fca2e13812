"""The history of records: each version as a document, the list of versions, and the
difference between two. Thin over registry.records.versions."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, render_template, request
from rdflib import URIRef

from registry.records import versions
from registry.views.item import bind_prefixes

from .conneg import choose
from .current import registry
from .documents import _negotiate, _not_found, _split_suffix
from .linked_data import _item_document
from .problems import problem

bp = Blueprint("history", __name__)


@bp.get("/doc/<register>/<reference>/versions")
def list_versions(register: str, reference: str):
    store, model = registry().store, registry().model
    iri = model.base.item(register, reference)
    entries = versions.history(store, model, iri)
    if not entries:
        return _not_found("Not registered", f"{iri} has no versions: it is not registered.")
    for entry in entries:
        entry["location"] = f"/doc/{register}/{reference}/version/{entry['version']}"
    if choose(request.headers.get("Accept"), ["application/json", "text/html"]) == "text/html":
        return render_template(
            "versions.html", iri=iri, entries=entries, path=f"/doc/{register}/{reference}"
        )
    return jsonify({"iri": iri, "versions": entries})


@bp.get("/doc/<register>/<reference>/version/<number>")
def get_version(register: str, reference: str, number: str):
    store, model = registry().store, registry().model
    iri = model.base.item(register, reference)
    number, asked = _split_suffix(number)
    media = _negotiate(asked)
    if isinstance(media, Response):
        return media
    if not re.fullmatch(
        r"[0-9]{1,9}", number
    ):  # str.isdigit() passed "²" and 5,000 digits, which int() refuses
        return _not_found(
            "No such version", f"Versions are numbered 1, 2, 3…; {number!r} is not one.", media
        )
    graph = versions.version_graph(store, model, iri, int(number))
    if not len(graph):
        return _not_found(
            "No such version",
            f"{iri} has no version {number}. See /doc/{register}/{reference}/versions.",
            media,
        )
    bind_prefixes(graph, model)
    return _item_document(
        graph,
        URIRef(iri),
        f"/doc/{register}/{reference}/version/{number}",
        media,
        int(number),
        note=f"Version {number} of this record.",
    )


@bp.get("/doc/<register>/<reference>/compare")
def compare_versions(register: str, reference: str):
    store, model = registry().store, registry().model
    iri = model.base.item(register, reference)
    try:
        first, second = int(request.args["from"]), int(request.args["to"])
    except (KeyError, ValueError):
        return problem(400, "Which versions?", "Give two version numbers: ?from=1&to=2.")
    known = {e["version"] for e in versions.history(store, model, iri)}
    missing = sorted({first, second} - known)
    if missing:
        return problem(
            404, "No such version", f"{iri} has no version {', '.join(map(str, missing))}."
        )
    added, removed = versions.compare(store, model, iri, first, second)
    lines = lambda g: sorted(" ".join(t.n3() for t in triple) + " ." for triple in g)
    return jsonify(
        {"iri": iri, "from": first, "to": second, "added": lines(added), "removed": lines(removed)}
    )
