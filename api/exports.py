"""The registry's records in others' formats (docs/exports.md): the reusable assets as an ADMS-AP
asset repository (/catalogue/adms) and a software record as publiccode.yml. The schema.org
JSON-LD of every record page is added where the page is made (linked_data)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from rdflib import URIRef

from registry.views.catalogue import DUMPS
from registry.views.exports import (
    ADMS_TERM_LABELS,
    adms_repository_iri,
    describe_asset_repository,
    publiccode_yml,
)
from registry.views.item import bind_prefixes, describe_item
from registry.views.presentation import rows_for

from .current import registry
from .documents import (
    _alternates,
    _cacheable,
    _document,
    _local_href,
    _negotiate,
    _not_found,
    _split_suffix,
)

bp = Blueprint("exports", __name__)

#: RFC 9512's media type for YAML
YAML = "application/yaml"


@bp.get("/catalogue/adms")
@bp.get("/catalogue/adms<suffix>")
def adms(suffix: str = ""):
    """The accepted exemplars, platforms, products, software and standards as ADMS-AP assets:
    Turtle by default, every other format by Accept or suffix, as every document here."""
    _, asked = _split_suffix("adms" + suffix)
    if suffix and asked is None:
        return _not_found(
            "Not found", f"/catalogue/adms{suffix} is not a format of the asset repository."
        )
    media = _negotiate(asked)
    if isinstance(media, Response):
        return media
    model = registry().model
    graph = describe_asset_repository(model, registry().store)
    bind_prefixes(graph, model)
    html = lambda: render_template(
        "catalogue.html",
        rows=rows_for(
            graph, adms_repository_iri(model), model, _local_href, labels=ADMS_TERM_LABELS
        ),
        alternates=_alternates("/catalogue/adms"),
        dumps=list(DUMPS),
        title="Reusable assets (ADMS-AP)",
    )
    return _document("/catalogue/adms", media, graph, html)


@bp.get("/doc/software/<reference>/publiccode.yml")
def publiccode(reference: str):
    """A software record as a publiccode.yml file (version 0.4 of the standard), with a comment
    naming the keys the standard requires that the record cannot fill."""
    model = registry().model
    graph = describe_item(registry().store, model, "software", reference)
    if graph is None:
        return _not_found(
            "Not registered",
            f"There is no software record with the reference {reference!r}. "
            "Check the address, or browse the register at /software.",
        )
    body = publiccode_yml(graph, URIRef(model.base.item("software", reference)), model).encode()
    response = Response(body, content_type=f"{YAML}; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="publiccode.yml"'
    return _cacheable(response, body, YAML)
