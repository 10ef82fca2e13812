"""The conformance checker: POST a supplier's data to a standard and get a report, as JSON with
an EARL assertion, or as a page (with a file upload form at the same address)."""

from __future__ import annotations

import json
from typing import cast

from flask import Blueprint, current_app, jsonify, render_template, request

from registry.conformance.checker import (
    ConformanceError,
    check,
    checkable_standards,
    dqv,
    earl,
    fetch_allowed,
    no_schema,
    resource_directories,
)
from registry.query.guard import QueryError
from registry.rdf.identifiers import sparql_iri
from registry.records.versions import current_versions
from registry.views.applicable import FIELDS, UnknownChoice, choices, standards_that_apply

from .current import registry
from .documents import _not_found
from .problems import problem
from .sparql import query_problem

bp = Blueprint("conformance", __name__)


def _directories() -> tuple[str, ...]:
    return resource_directories(current_app.config["LDR"])


@bp.route("/check")
def checker():
    """The checker's front page: which standards can be checked here, and of what kinds of document."""
    store = registry().store
    standards = checkable_standards(store, _directories())
    return render_template("checker.html", standards=standards)


@bp.get("/standards/apply")
def which_standards_apply():
    """Which standards apply to me: a form (service area, kind of product) and one row per standard."""
    store, model = registry().store, registry().model
    values = {name: request.args.get(name, "").strip() for name, _, _ in FIELDS}
    fields = [
        {"name": name, "label": label, "choices": choices(model, scheme), "value": values[name]}
        for name, scheme, label in FIELDS
    ]

    def run(query: str, substitutions: dict) -> list[dict]:
        outcome = (
            registry()
            .queries()
            .run(
                query,
                result_type="application/sparql-results+json",
                rdf_type="text/turtle",
                substitutions=substitutions,
            )
        )
        return json.loads(outcome.body)["results"]["bindings"]

    try:
        standards = standards_that_apply(run, store, model, values)
    except UnknownChoice as exc:
        return render_template(
            "standards_apply.html", fields=fields, standards=None, error=exc
        ), 400
    except QueryError as exc:
        return query_problem(exc)
    checkable = {s["iri"] for s in checkable_standards(store, _directories())}
    return render_template(
        "standards_apply.html",
        fields=fields,
        standards=standards,
        error=None,
        checkable=checkable,
        chosen=[f for f in fields if f["value"]],
    )


@bp.route("/doc/standards/<reference>/check", methods=["GET", "POST"])
def check_standard(reference: str):
    store, model = registry().store, registry().model
    iri = model.base.item("standards", reference)
    if iri not in current_versions(store, model, [iri]):
        return _not_found("Not registered", f"There is no standard {reference!r}.")
    title = next(
        (
            str(r["t"])
            for r in store.select(
                f"SELECT ?t WHERE {{ {sparql_iri(iri)} <http://purl.org/dc/terms/title> ?t }}"
            )
        ),
        reference,
    )
    if request.method == "GET":
        here = next(
            (s for s in checkable_standards(store, _directories()) if s["iri"] == iri), None
        )
        cannot = None if here else no_schema(store, model, iri)
        # a choice of the kind of document where there is one to make (the API's `schema`)
        kinds = [{"value": "", "text": "Work it out from the document", "checked": True}] + [
            {"value": kind, "text": kind.replace("_", " ").replace("-", " ").capitalize()}
            for kind in (here["schemas"] if here else [])
        ]
        return render_template(
            "check_form.html",
            title=title,
            reference=reference,
            here=here,
            cannot=cannot,
            kinds=kinds if len(kinds) > 2 else None,
        )
    page = request.mimetype == "multipart/form-data"
    settings = current_app.config["LDR"]
    if request.args.get("url"):
        try:
            data = fetch_allowed(
                request.args["url"],
                settings["LDR_CHECK_URL_PREFIXES"].split(),
                settings["LDR_MAX_INPUT_BYTES"],
            )
        except ConformanceError as exc:
            return problem(422, "Cannot check", str(exc))
    else:
        data = (
            request.files["data"].read() if page and "data" in request.files else request.get_data()
        )
    if not data:
        if page:
            chosen = (request.files["data"].filename or "") if "data" in request.files else ""
            said = (
                f"The file {chosen[:200]!r} is empty: choose the file that holds the data to check."
                if chosen
                else "No file was chosen. Choose the file of data to check, then check it."
            )
            return render_template(
                "check_result.html", title=title, reference=reference, error=said
            ), 400
        return problem(
            400,
            "No data",
            "Send the data to check as the request body (application/json), or upload a file.",
        )
    try:
        media = (
            request.files["data"].mimetype if page and "data" in request.files else request.mimetype
        ) or ""
        # an uploaded file always has a name (a part without one is a plain form field)
        uploaded = page and "data" in request.files
        if uploaded and cast(str, request.files["data"].filename).endswith(".ttl"):
            media = "text/turtle"
        wanted = (request.form.get("schema") if page else None) or request.args.get("schema", "")
        outcome = check(store, model, iri, data, _directories(), media, wanted=wanted)
    except ConformanceError as exc:
        if page:
            return render_template(
                "check_result.html", title=title, reference=reference, error=str(exc), link=exc.link
            ), exc.status
        return problem(
            exc.status, "Cannot check" if exc.status == 422 else "Data refused", str(exc)
        )
    assertion = earl(outcome, current_app.config["LDR"]["LDR_BASE"])
    if page:
        return render_template(
            "check_result.html", title=title, reference=reference, outcome=outcome, error=None
        )
    return jsonify(
        {
            "standard": outcome.standard,
            "resource": outcome.resource,
            "kind": outcome.kind,
            "conforms": outcome.conforms,
            "problems": [p.__dict__ for p in outcome.problems],
            "earl": assertion,
            "dqv": dqv(outcome, settings["LDR_BASE"]),
        }
    )
