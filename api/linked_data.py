"""Health check, /id → /doc redirects and item documents in every format by content negotiation."""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from registry.rdf.namespaces import REG
from registry.records import versions
from registry.records.versions import current_versions
from registry.views.exports import schema_org
from registry.views.item import bind_prefixes, describe_item
from registry.views.presentation import (
    conformance_claims,
    incoming_links,
    kind_of,
    rows_for,
    title_of,
)
from registry.views.vocabulary import anchor, document_vocabulary
from registry.vocab.jsonld_context import build_context, record_document

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
from .problems import problem

bp = Blueprint("linked_data", __name__)


def _store():
    return registry().store


def _model():
    return registry().model


@bp.get("/def/context.jsonld")
def jsonld_context():
    body = json.dumps({"@context": build_context(_model())}, indent=1, sort_keys=True).encode()
    return _cacheable(Response(body, mimetype="application/ld+json"), body, "context")


@bp.get("/id/<register>/<reference>")
def item_id(register: str, reference: str):
    return redirect(f"/doc/{register}/{quote(reference, safe='')}", code=303)


@bp.get("/doc/<register>/<reference>")
def item_doc(register: str, reference: str):
    reference, asked = _split_suffix(reference)
    media = _negotiate(asked)
    if isinstance(media, Response):
        return media
    model = _model()
    iri = model.base.item(register, reference)
    number = current_versions(_store(), model, [iri]).get(iri)
    version_at = request.args.get("_versionAt")
    if version_at is not None and number is not None:
        try:
            instant = datetime.datetime.fromisoformat(version_at.replace("Z", "+00:00"))
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=datetime.UTC)
        except ValueError:
            return problem(
                400,
                "Bad instant",
                f"_versionAt={version_at!r} is not an ISO 8601 instant such as "
                "2026-11-26T12:00:00Z.",
            )
        past = versions.version_at(_store(), model, iri, instant)
        if past is None:
            return _not_found(
                "Not registered then", f"{iri} was first registered after {version_at}.", media
            )
        return redirect(f"/doc/{register}/{quote(reference, safe='')}/version/{past}", code=303)
    graph = describe_item(_store(), model, register, reference)
    if graph is None:
        return _not_found(
            "Not registered",
            f"There is no {register} record with the reference {reference!r}. "
            f"Check the address, or browse the register at /{register}.",
            media,
        )
    return _item_document(graph, URIRef(iri), f"/doc/{register}/{reference}", media, number)


def _item_document(
    graph, iri: URIRef, path: str, media: str, number: int | None, note: str | None = None
) -> Response:
    model = _model()
    jsonld = lambda: record_document(graph, iri, model)

    def html():
        store = _store()
        entries = versions.history(store, model, str(iri))
        doc_path = path.split("/version/")[0]
        for entry in entries:
            entry["location"] = f"{doc_path}/version/{entry['version']}"
        return render_template(
            "item.html",
            title=title_of(graph, iri) or str(iri),
            iri=str(iri),
            kind=kind_of(graph, iri, model),
            rows=rows_for(graph, iri, model, _local_href),
            alternates=_alternates(path),
            jsonld=jsonld(),
            schema_org=schema_org(graph, iri, model),
            publiccode=f"{doc_path}/publiccode.yml"
            if (iri, RDF.type, model.base.ldr.Software) in graph and "/version/" not in path
            else None,
            version=number,
            note=note,
            history=list(reversed(entries))[:5],
            history_href=doc_path + "/versions",
            incoming=incoming_links(store, model, str(iri)),
            banner=_banner(graph, iri),
            href=lambda i: _local_href(i) or i,
            edit_href=_edit_href(iri, doc_path),
            reviews=versions.reviews_for_organisation(store, model, str(iri))
            if "/id/organisations/" in str(iri)
            else [],
            claims=conformance_claims(store, model, standard=str(iri))
            if "/id/standards/" in str(iri)
            else conformance_claims(store, model, product=str(iri))
            if "/id/products/" in str(iri)
            else [],
            standards_for=_standards_for(graph, iri, model),
            check=_checker_for(store, str(iri)),
            harvested=_harvested_from(store, model, graph, iri)
            if "/version/" not in path
            else None,
        )

    response = _document(path, media, graph, html, jsonld, version=number)
    if number is not None:
        response.headers["LDR-Version"] = str(number)
    return response


def _harvested_from(store, model, graph, iri: URIRef) -> dict | None:
    """For a harvested record: its source, where the facts came from, when they were last
    fetched (the source's latest run that did not fail), and where to change them."""
    source = graph.value(iri, model.base.ldr.harvestedFrom)
    if source is None:
        return None
    from registry.harvest.log import runs
    from registry.harvest.sources import SourceError, read_source

    try:
        found = read_source(store, model, str(source))
    except SourceError:
        return None
    fetched = next(
        (r["finished"] for r in runs(store, model, str(source), 20) if not r["error"]), ""
    )
    return {
        "source": found.title,
        "source_href": _local_href(str(source)) or str(source),
        "address": found.address,
        "fetched": fetched[:19].replace("T", " "),
    }


def _checker_for(store, iri: str) -> dict | None:
    """For a standard with validation resources: the kinds of document the checker takes for it,
    and whether this registry holds the files to check them."""
    if "/id/standards/" not in iri:
        return None
    from registry.conformance.checker import checkable_standards, resource_directories

    entry = next(
        (
            s
            for s in checkable_standards(store, resource_directories(current_app.config["LDR"]))
            if s["iri"] == iri
        ),
        None,
    )
    return {**entry, "href": iri.split("/id/", 1)[-1].join(("/doc/", "/check"))} if entry else None


def _standards_for(graph, iri: URIRef, model) -> list[tuple[str, str]]:
    """For a product: a link to the standards that apply to each kind of product it is."""
    links = []
    for kind in graph.objects(iri, URIRef(str(model.base.ldr) + "productKind")):
        notation = model.ontology.value(kind, SKOS.notation)
        if notation is not None:
            links.append(
                (
                    f"/standards/apply?product_kind={notation}",
                    model.text(kind, SKOS.prefLabel) or str(notation),
                )
            )
    return links


def _edit_href(iri: URIRef, doc_path: str) -> str | None:
    """The edit link, for a signed-in user who may change this record."""
    from registry.records.registration import edit_refusal

    from .web_auth import web_user

    user = web_user()
    if user is None or "/version/" in request.path:
        return None
    return f"{doc_path}/edit" if edit_refusal(_store(), _model(), str(iri), user) is None else None


def _banner(graph, iri: URIRef) -> dict | None:
    """A warning at the top of records that should no longer be relied on, or not yet."""
    status = graph.value(iri, REG.status)
    successor = graph.value(iri, DCTERMS.isReplacedBy)
    link = (
        {
            "href": _local_href(str(successor)),
            "link_text": title_of(graph, successor) or str(successor),
        }
        if successor is not None
        else {}
    )
    if status == REG.statusSuperseded:
        return {
            "title": "Superseded",
            "text": "This record has been superseded. Use its successor:",
            **link,
        }
    if status == REG.statusRetired:
        return {
            "title": "Retired",
            "text": "This record has been retired and should not be used for new work.",
            **(
                {"text": "This record has been retired. It was replaced by", **link} if link else {}
            ),
        }
    if status == REG.statusInvalid:
        return {
            "title": "Invalid",
            "text": "This record was found to be wrong or was rejected. Do not rely on it.",
        }
    if status == REG.statusSubmitted:
        return {
            "title": "Awaiting review",
            "text": "This record has been submitted and not yet reviewed by a steward.",
        }
    if (
        iri,
        URIRef(str(_model().base.ldr) + "phase"),
        URIRef(_model().base.scheme_graph("phase/retired")),
    ) in graph:
        return {
            "title": "Retired service",
            "text": "This service has closed down." + (" It was replaced by" if link else ""),
            **link,
        }
    return None


def _vocabulary_graph(part: str) -> Graph | None:
    """The RDF behind a /def/ address: the whole vocabulary, the ontology, the shapes, a
    concept scheme or one concept."""
    model = _model()
    files = model.ontology_files()
    if part == "":
        graph = Graph()
        for name, g in files.items():
            if name != model.base.shapes_graph:
                graph += g
        return graph
    if part == "ldr":
        return files[model.base.ontology_graph]
    if part == "shapes":
        return model.shapes
    iri = URIRef(model.base.scheme_graph(part))
    graph = Graph()
    members = [iri] + list(model.ontology.subjects(SKOS.inScheme, iri))
    for node in members:
        for p, o in model.ontology.predicate_objects(node):
            graph.add((node, p, o))
    return graph if len(graph) else None


@bp.get("/def")
@bp.get("/def/")
@bp.get("/def/<path:part>")
def vocabulary(part: str = ""):
    part, asked = _split_suffix(part.rstrip("/"))
    part = "" if part == "index" else part
    media = _negotiate(asked)
    if isinstance(media, Response):
        return media
    graph = _vocabulary_graph(part)
    if graph is None:
        return _not_found(
            "Not in the vocabulary",
            f"/def/{part} is not a term, scheme or document of the "
            "registry's vocabulary. See /def/ for all of them.",
            media,
        )
    if media == "text/html" and part not in ("", "ldr", "shapes"):
        # a scheme or a concept is documented in its place on the /def/ page: go straight there
        return redirect("/def/#" + anchor(_model().base.scheme_graph(part)), code=303)
    bind_prefixes(graph, _model())
    path = f"/def/{part}" if part else "/def/"
    html = lambda: render_template(
        "vocabulary.html",
        vocab=document_vocabulary(_model(), _store()),
        href=lambda iri: _local_href(iri) or iri,
        alternates=_alternates(path.rstrip("/")),
    )
    return _document(path.rstrip("/") if part else "/def/index", media, graph, html)
