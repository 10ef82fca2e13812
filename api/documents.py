"""Serving one document in every format: negotiation, alternates, caching headers, 404s."""

from __future__ import annotations

import hashlib
import json

from flask import Response, current_app, render_template, request

from registry.rdf.namespaces import vocabulary_part
from registry.rdf.rdfio import FORMATS, serialize

from .conneg import choose
from .current import registry
from .problems import problem

#: (suffix, media type, label); the order decides what `*/*` gets: Turtle, for data clients.
VARIANTS = [
    (".ttl", "text/turtle", "Turtle"),
    (".html", "text/html", "Web page (HTML)"),
    (".jsonld", "application/ld+json", "JSON-LD"),
    (".rdf", "application/rdf+xml", "RDF/XML"),
    (".nt", "application/n-triples", "N-Triples"),
]
BY_SUFFIX = {suffix: media for suffix, media, _ in VARIANTS}
OFFERED = [media for _, media, _ in VARIANTS]


def _local_href(iri: str) -> str | None:
    """Links to things the registry mints stay on this site, whatever host serves it; so do
    the vocabulary's terms, which this registry documents on its /def/ pages."""
    base = current_app.config["LDR"]["LDR_BASE"]
    if iri.startswith(base + "/"):
        return iri[len(base) :]
    part = vocabulary_part(iri)
    if part is not None:
        return "/def/" + part
    # a concept of another vocabulary in one of the registry's schemes (a registration status,
    # reg:statusStable; a GDPR lawful basis): its row on the /def/ page, which says what it means
    concept = _borrowed_concepts().get(iri)
    if concept is not None:
        return concept
    return iri if iri.startswith(("http://", "https://")) else None


def _borrowed_concepts() -> dict[str, str]:
    """Each concept of another vocabulary that a scheme of the registry holds, with its place on
    the /def/ page."""
    from rdflib import URIRef
    from rdflib.namespace import RDF, SKOS

    from registry.views.vocabulary import anchor

    model = registry().model
    if "borrowed concepts" not in model.memo:
        onto = model.ontology
        model.memo["borrowed concepts"] = {
            str(concept): "/def/#" + anchor(str(concept))
            for scheme in onto.subjects(RDF.type, SKOS.ConceptScheme)
            for concept in onto.subjects(SKOS.inScheme, scheme)
            if isinstance(concept, URIRef) and vocabulary_part(str(concept)) is None
        }
    return model.memo["borrowed concepts"]


def _split_suffix(name: str) -> tuple[str, str | None]:
    for suffix, media in BY_SUFFIX.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], media
    return name, None


def _negotiate(media: str | None) -> str | Response:
    """The media type to answer with, or a 406 response."""
    if media is not None:
        return media
    # Plain-JSON clients get JSON-LD: it is JSON, with the registry's readable keys.
    chosen = choose(
        (request.headers.get("Accept") or "").replace("application/json", "application/ld+json"),
        OFFERED,
    )
    if chosen is None:
        return problem(
            406,
            "Not acceptable",
            "This document is available as: "
            + ", ".join(OFFERED)
            + f". Ask for one of them in Accept, or add a suffix ({', '.join(BY_SUFFIX)}).",
        )
    return chosen


def _document(
    path: str, media: str, graph, html, jsonld=None, version: int | None = None
) -> Response:
    """One document in the chosen format, with Vary, alternates, Content-Location and caching."""
    if media == "text/html":
        body = html().encode("utf-8")
    elif media == "application/ld+json" and jsonld is not None:
        body = json.dumps(jsonld(), indent=1, ensure_ascii=False).encode()
    else:
        fmt = next(f for f in FORMATS.values() if f.media_type == media)
        body = serialize(graph, fmt)
    response = Response(body, mimetype=media)  # a text/ type gets "; charset=utf-8" from Werkzeug
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = path + next(s for s, m, _ in VARIANTS if m == media)
    response.headers["Link"] = ", ".join(
        f'<{path}{suffix}>; rel="alternate"; type="{m}"' for suffix, m, _ in VARIANTS if m != media
    )
    return _cacheable(response, body, media, version)


def _alternates(path: str) -> list[dict]:
    return [
        {"href": path + suffix, "media_type": m, "label": label}
        for suffix, m, label in VARIANTS
        if m != "text/html"
    ]


def _cacheable(
    response: Response, body: bytes, variant: str, version: int | None = None
) -> Response:
    """A strong ETag per variant, Cache-Control, and 304 when the client already has it.
    A record's ETag starts with its version ("v3-…"), which If-Match on a write relies on."""
    tag = hashlib.sha256(body + variant.encode()).hexdigest()[:32]
    if version is not None:
        tag = f"v{version}-{tag[:20]}"
    response.set_etag(tag)
    response.headers["Cache-Control"] = (
        f"public, max-age={current_app.config['LDR']['LDR_CACHE_MAX_AGE']}"
    )
    # If-None-Match compares weakly (RFC 9110 §13.1.2): W/"tag" matches too, as do `*` and any
    # member of a list
    if request.if_none_match.contains_weak(tag):
        not_modified = Response(status=304)
        for name in ("ETag", "Cache-Control", "Vary", "Link", "Content-Location"):
            if name in response.headers:
                not_modified.headers[name] = response.headers[name]
        return not_modified
    return response


def _not_found(heading: str, detail: str, media: str | None = None) -> Response:
    """HTML for browsers, problem+json for everything else."""
    return error_page(404, heading, detail, media)


#: Suffixes that ask for data, whatever the Accept header says: an error at such an address is
#: a problem document even for a browser (a link to /exemplars.json is followed to get JSON).
DATA_SUFFIXES = (".json", ".jsonld", ".csv", ".tsv", ".xml", ".ttl", ".rdf", ".nt", ".nq", ".gz")


def wants_page() -> bool:
    """Whether the client asked for a page (a browser's Accept, at an address without a data
    suffix) rather than data."""
    if request.path.endswith(DATA_SUFFIXES):
        return False
    return (
        choose(request.headers.get("Accept"), ["application/problem+json", "text/html"])
        == "text/html"
    )


def error_page(
    status: int,
    heading: str,
    detail: str,
    media: str | None = None,
    *,
    back: str | None = None,
    headers: dict | None = None,
) -> Response:
    """An error as a page for a browser — what went wrong, what to do, a way back — and as a
    problem document (RFC 9457) for every other client."""
    if (media or ("text/html" if wants_page() else None)) == "text/html":
        ways = _ways_on(request.path) if status == 404 and back is None else []
        response = Response(
            render_template("not_found.html", heading=heading, detail=detail, back=back, ways=ways),
            status=status,
            mimetype="text/html",
        )
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response
    return problem(status, heading, detail, headers=headers)


def _ways_on(path: str) -> list[tuple[str, str]]:
    """Where a person who found nothing at this address can go on from it: the register its path
    names (/doc/exemplars/…, /exemplars/…), if any, then search and the home page."""

    from registry.rdf.namespaces import REGISTERS

    parts = path.strip("/").split("/")
    register = parts[1] if parts[0] in ("doc", "id") and len(parts) > 1 else parts[0]
    ways = [("/search", "Search the registry"), ("/", "Go to the home page")]
    if register in REGISTERS:
        model = registry().model
        label = model.register_label(register)
        ways.insert(0, (f"/{register}", f"Browse the {label} register"))
    return ways
