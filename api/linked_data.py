"""Health check, /id → /doc redirects and item documents in every format by content negotiation."""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, redirect, render_template, request

from registry.describe import describe_item
from registry.jsonld_context import build_context, record_document
from registry.namespaces import REGISTERS
from registry.presentation import kind_of, rows_for, title_of
from registry.rdfio import FORMATS, serialize
from rdflib import URIRef

from .conneg import choose
from .problems import problem

bp = Blueprint("linked_data", __name__)

#: (suffix, media type, label); the order decides what `*/*` gets: Turtle, for data clients.
VARIANTS = [(".ttl", "text/turtle", "Turtle"), (".html", "text/html", "Web page (HTML)"),
            (".jsonld", "application/ld+json", "JSON-LD"), (".rdf", "application/rdf+xml", "RDF/XML"),
            (".nt", "application/n-triples", "N-Triples")]
BY_SUFFIX = {suffix: media for suffix, media, _ in VARIANTS}
OFFERED = [media for _, media, _ in VARIANTS]


def _store():
    return current_app.extensions["ldr.store"]


def _model():
    return current_app.extensions["ldr.model"]


def _local_href(iri: str) -> str | None:
    """Links to things the registry mints stay on this site, whatever host serves it."""
    base = current_app.config["LDR"]["LDR_BASE"]
    if iri.startswith(base + "/"):
        return iri[len(base):]
    return iri if iri.startswith(("http://", "https://")) else None


@bp.get("/health")
def health():
    try:
        _store().ask("ASK { }")
    except Exception as exc:  # noqa: BLE001 - any store failure means unhealthy
        return problem(503, "Store unavailable", f"The store did not answer: {exc}")
    return {"status": "ok"}


@bp.get("/def/context.jsonld")
def jsonld_context():
    body = json.dumps({"@context": build_context(_model())}, indent=1, sort_keys=True).encode()
    return _cacheable(Response(body, mimetype="application/ld+json"), body, "context")


@bp.get("/id/<register>/<reference>")
def item_id(register: str, reference: str):
    if register not in REGISTERS:
        return _not_found("No such register", f"{register!r} is not a register. The registers are: {', '.join(REGISTERS)}.")
    return redirect(f"/doc/{register}/{reference}", code=303)


@bp.get("/doc/<register>/<reference>")
def item_doc(register: str, reference: str):
    if register not in REGISTERS:
        return _not_found("No such register", f"{register!r} is not a register. The registers are: {', '.join(REGISTERS)}.")
    media = None
    for suffix, suffix_media in BY_SUFFIX.items():
        if reference.endswith(suffix):
            reference, media = reference[: -len(suffix)], suffix_media
            break
    if media is None:
        # Plain-JSON clients get JSON-LD: it is JSON, with the registry's readable keys.
        media = choose((request.headers.get("Accept") or "").replace("application/json", "application/ld+json"), OFFERED)
        if media is None:
            return problem(406, "Not acceptable", "This document is available as: " + ", ".join(OFFERED) +
                           f". Ask for one of them in Accept, or add a suffix ({', '.join(BY_SUFFIX)}).")
    graph = describe_item(_store(), _model(), register, reference)
    if graph is None:
        return _not_found("Not registered", f"There is no {register} record with the reference {reference!r}. "
                          f"Check the address, or browse the register at /{register}.", media)
    path = f"/doc/{register}/{reference}"
    body = _render(graph, register, reference, media, path)
    response = Response(body, mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = path + next(s for s, m, _ in VARIANTS if m == media)
    response.headers["Link"] = ", ".join(f'<{path}{suffix}>; rel="alternate"; type="{m}"'
                                         for suffix, m, _ in VARIANTS if m != media)
    return _cacheable(response, body, media)


def _render(graph, register: str, reference: str, media: str, path: str) -> bytes:
    model = _model()
    iri = URIRef(model.base.item(register, reference))
    context_url = current_app.config["LDR"]["LDR_BASE"] + "/def/context.jsonld"
    if media == "application/ld+json":
        return json.dumps(record_document(graph, iri, model, context_url), indent=1, ensure_ascii=False).encode()
    if media == "text/html":
        alternates = [{"href": path + suffix, "media_type": m, "label": label} for suffix, m, label in VARIANTS
                      if m != "text/html"]
        return render_template("item.html", title=title_of(graph, iri) or reference, iri=str(iri),
                               kind=kind_of(graph, iri, model), rows=rows_for(graph, iri, model, _local_href),
                               alternates=alternates,
                               jsonld=record_document(graph, iri, model, context_url)).encode("utf-8")
    fmt = next(f for f in FORMATS.values() if f.media_type == media)
    return serialize(graph, fmt)


def _cacheable(response: Response, body: bytes, variant: str) -> Response:
    """A strong ETag per variant, Cache-Control, and 304 when the client already has it."""
    tag = hashlib.sha256(body + variant.encode()).hexdigest()[:32]
    response.set_etag(tag)
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['LDR']['LDR_CACHE_MAX_AGE']}"
    if request.if_none_match.contains(tag) or request.if_none_match.star_tag:
        not_modified = Response(status=304)
        for name in ("ETag", "Cache-Control", "Vary", "Link", "Content-Location"):
            if name in response.headers:
                not_modified.headers[name] = response.headers[name]
        return not_modified
    return response


def _not_found(heading: str, detail: str, media: str | None = None) -> Response:
    """HTML for browsers, problem+json for everything else."""
    wants = media or choose(request.headers.get("Accept"), ["application/problem+json", "text/html"])
    if wants == "text/html":
        return Response(render_template("not_found.html", heading=heading, detail=detail), status=404,
                        mimetype="text/html")
    return problem(404, heading, detail)
