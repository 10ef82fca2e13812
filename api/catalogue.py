"""The registry's self-description (DCAT + VoID), its registers as datasets, and the dumps."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file
from rdflib import Graph, URIRef

from registry.records.versions import last_change
from registry.views.catalogue import DUMPS, TERM_LABELS, Dumps, describe_catalogue
from registry.views.item import bind_prefixes
from registry.views.presentation import rows_for

from .current import registry
from .documents import _alternates, _document, _local_href, _negotiate, _not_found, _split_suffix
from .problems import problem

bp = Blueprint("catalogue", __name__)


def _dumps() -> Dumps:
    app = current_app
    if "ldr.dumps" not in app.extensions:
        store_dir = Path(app.config["LDR"]["LDR_STORE_DIR"])
        app.extensions["ldr.dumps"] = Dumps(
            store_dir.with_name(store_dir.name + ".dumps"),
            app.extensions["ldr.registry"].model.base.prefixes(),
        )
    return app.extensions["ldr.dumps"]


def _catalogue_graph() -> Graph:
    model = registry().model
    settings = current_app.config["LDR"]
    graph = describe_catalogue(
        model, registry().store, settings["LDR_DATA_LICENCE"], settings["LDR_DATA_LICENCE_TITLE"]
    )
    bind_prefixes(graph, model)
    return graph


@bp.get("/.well-known/void")
def well_known_void():
    return redirect("/catalogue", code=303)


@bp.get("/catalogue")
@bp.get("/catalogue<suffix>")
def catalogue(suffix: str = ""):
    _, asked = _split_suffix("catalogue" + suffix)
    if suffix and asked is None:
        return _not_found("Not found", f"/catalogue{suffix} is not a format of the catalogue.")
    media = _negotiate(asked)
    if isinstance(media, Response):
        return media
    graph = _catalogue_graph()
    model = registry().model
    iri = URIRef(f"{model.base.iri}/catalogue")
    html = lambda: render_template(
        "catalogue.html",
        rows=rows_for(graph, iri, model, _local_href, labels=TERM_LABELS),
        alternates=_alternates("/catalogue"),
        dumps=list(DUMPS),
        adms=True,
    )
    return _document("/catalogue", media, graph, html)


@bp.get("/id/<register>")
def register_id(register: str):
    return redirect(f"/doc/{register}", code=303)


@bp.get("/doc/<register>")
def register_doc(register: str):
    register, asked = _split_suffix(register)
    media = _negotiate(asked)
    if isinstance(media, Response):
        return media
    model = registry().model
    iri = URIRef(f"{model.base.iri}/id/{register}")
    full = _catalogue_graph()
    graph = Graph()
    for p, o in full.predicate_objects(iri):
        graph.add((iri, p, o))
    for p, o in model.ontology.predicate_objects(iri):
        graph.add((iri, p, o))
    bind_prefixes(graph, model)
    html = lambda: render_template(
        "catalogue.html",
        rows=rows_for(graph, iri, model, _local_href, labels=TERM_LABELS),
        alternates=_alternates(f"/doc/{register}"),
        dumps=list(DUMPS),
        title=str(model.label(iri)),
    )
    return _document(f"/doc/{register}", media, graph, html)


@bp.get("/dumps/<name>")
def dump(name: str):
    if name not in DUMPS:
        return problem(404, "No such dump", f"The dumps are: {', '.join(DUMPS)}.")
    queries = registry().queries
    if queries.remote:  # on a SPARQL server: remade when the registry's latest change differs
        change, _ = last_change(queries.store, registry().model)
        current = _dumps().current_remote(
            queries.store, hashlib.sha256(change.encode()).hexdigest()[:16]
        )
    else:
        current = _dumps().current(queries.snapshot())
    media, _ = DUMPS[name]
    response = send_file(
        current.directory / name,
        mimetype="application/gzip",
        download_name=name,
        etag=f"{current.generation}-{name}",
        conditional=True,
        max_age=0,
    )
    response.headers["Content-Description"] = f"{media}, gzip-compressed"
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
