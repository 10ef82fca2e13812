"""The home page and a plain list per register."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from registry.listing import list_register, register_counts
from registry.model import ROOT
from registry.namespaces import REGISTERS

from .documents import _local_href, _not_found

bp = Blueprint("pages", __name__)


GOVUK_FRONTEND = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
ASSETS = {"govuk-frontend.min.css", "govuk-frontend.min.js", "govuk-frontend.min.js.map", "govuk-frontend.min.css.map"}


@bp.get("/assets/<path:filename>")
def govuk_asset(filename: str):
    """GOV.UK Frontend's CSS, JavaScript and images, served here (no CDN). Its fonts are not
    served: this registry is not a GOV.UK service and does not use the GDS Transport typeface."""
    allowed = filename in ASSETS or (filename.startswith("images/") and "crown" not in filename
                                     and "govuk-" not in filename.rsplit("/", 1)[-1])
    if not allowed or not (GOVUK_FRONTEND / filename).is_file():
        abort(404)
    return send_from_directory(GOVUK_FRONTEND, filename, max_age=86400)


@bp.get("/")
def home():
    store, model = current_app.extensions["ldr.store"], current_app.extensions["ldr.model"]
    counts = register_counts(store, model)
    registers = [{"name": r, "label": model.label(URIRef(f"{model.base.iri}/id/{r}")), "count": counts.get(r, 0)}
                 for r in REGISTERS]
    return render_template("home.html", registers=registers)


@bp.get("/<register>")
def register_page(register: str):
    if register not in REGISTERS:
        return _not_found("Page not found", f"There is no page at /{register}. The registers are: {', '.join(REGISTERS)}.")
    store, model = current_app.extensions["ldr.store"], current_app.extensions["ldr.model"]
    iri = URIRef(f"{model.base.iri}/id/{register}")
    items = [{"href": _local_href(s), "title": t} for s, t in list_register(store, model, register)]
    return render_template("register.html", name=register, label=model.label(iri),
                           description=str(model.ontology.value(iri, DCTERMS.description) or ""), items=items)
