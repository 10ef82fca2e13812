"""The registry's own compact JSON-LD context, generated from the ontology, so plain-JSON
clients get short readable keys ("title", "leadOrganisation") instead of full IRIs."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import OWL, RDF

from registry.rdf.namespaces import PREFIXES
from registry.vocab.model import Model, preferred

#: Reused terms every record uses, with the short key a JSON reader sees.
REUSED = {
    "title": ("http://purl.org/dc/terms/title", None),
    "description": ("http://purl.org/dc/terms/description", None),
    "source": ("http://purl.org/dc/terms/source", "@id"),
    "status": ("http://purl.org/linked-data/registry#status", "@id"),
    "publisher": ("http://purl.org/dc/terms/publisher", "@id"),
    "creator": ("http://purl.org/dc/terms/creator", "@id"),
    "license": ("http://purl.org/dc/terms/license", "@id"),
    "conformsTo": ("http://purl.org/dc/terms/conformsTo", "@id"),
    "isReplacedBy": ("http://purl.org/dc/terms/isReplacedBy", "@id"),
    "relation": ("http://purl.org/dc/terms/relation", "@id"),
    "identifier": ("http://purl.org/dc/terms/identifier", None),
    "date": ("http://purl.org/dc/terms/date", "http://www.w3.org/2001/XMLSchema#date"),
    "landingPage": ("http://www.w3.org/ns/dcat#landingPage", "@id"),
    "version": ("http://www.w3.org/ns/dcat#version", None),
    "homepage": ("http://xmlns.com/foaf/0.1/homepage", "@id"),
    "memberOf": ("http://www.w3.org/ns/org#memberOf", "@id"),
    "altLabel": ("http://www.w3.org/2004/02/skos/core#altLabel", None),
    "prefLabel": ("http://www.w3.org/2004/02/skos/core#prefLabel", None),
    "label": ("http://www.w3.org/2000/01/rdf-schema#label", None),
    "codeRepository": ("https://schema.org/codeRepository", "@id"),
    "funder": ("https://schema.org/funder", "@id"),
    "startDate": ("https://schema.org/startDate", "http://www.w3.org/2001/XMLSchema#date"),
    "endDate": ("https://schema.org/endDate", "http://www.w3.org/2001/XMLSchema#date"),
    "hasDataController": ("https://w3id.org/dpv#hasDataController", "@id"),
    "hasPurpose": ("https://w3id.org/dpv#hasPurpose", None),
    "hasLegalBasis": ("https://w3id.org/dpv#hasLegalBasis", "@id"),
    "hasPersonalData": ("https://w3id.org/dpv#hasPersonalData", "@id"),
    "hasApplicableLaw": ("https://w3id.org/dpv#hasApplicableLaw", "@id"),
    "hasResource": ("http://www.w3.org/ns/dx/prof/hasResource", None),
    "hasRole": ("http://www.w3.org/ns/dx/prof/hasRole", "@id"),
    "hasArtifact": ("http://www.w3.org/ns/dx/prof/hasArtifact", "@id"),
}


def build_context(model: Model) -> dict:
    """A JSON-LD 1.1 context: prefixes, every ldr: term by its local name, the reused terms above.
    Worked out once per process (the vocabulary does not change while it runs); do not modify it."""
    if "jsonld_context" not in model.memo:
        model.memo["jsonld_context"] = _context(model)
    return model.memo["jsonld_context"]


def _context(model: Model) -> dict:
    context: dict = {"@version": 1.1, "@language": "en", "id": "@id", "type": "@type"}
    for prefix, namespace in PREFIXES.items():
        context[prefix] = str(namespace)
    context["ldr"] = str(model.base.ldr)
    for key, (iri, kind) in REUSED.items():
        context[key] = {"@id": iri, "@type": kind} if kind else {"@id": iri}
    ldr = str(model.base.ldr)
    for term in sorted(set(model.ontology.subjects()), key=str):
        if not isinstance(term, URIRef) or not str(term).startswith(ldr):
            continue
        name = str(term)[len(ldr) :]
        kinds = set(model.ontology.objects(term, RDF.type))
        if OWL.ObjectProperty in kinds:
            context[name] = {"@id": str(term), "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            datatype = model.ontology.value(
                term, URIRef("http://www.w3.org/2000/01/rdf-schema#range")
            )
            context[name] = (
                {"@id": str(term), "@type": str(datatype)}
                if datatype is not None
                and str(datatype) != "http://www.w3.org/2001/XMLSchema#string"
                else {"@id": str(term)}
            )
        else:
            context[name] = str(term)
    return context


def _terms(context: dict) -> dict[str, tuple[str, dict]]:
    """IRI -> (short key, term definition) for every term the context defines."""
    out: dict[str, tuple[str, dict]] = {}
    for key, value in context.items():
        if key.startswith("@") or key in ("id", "type"):
            continue
        iri = value["@id"] if isinstance(value, dict) else value
        if isinstance(value, dict) or not iri.endswith(("#", "/")):
            out.setdefault(iri, (key, value if isinstance(value, dict) else {"@id": iri}))
    return out


def record_document(graph, root: URIRef, model: Model) -> dict:
    """The record as one JSON-LD node object: nested values embedded, linked records as
    {"id", "title"} objects, keys and types shortened by the registry's context. The context is
    embedded, not named by address, so the document means the same to a reader offline (and to
    JSON-LD parsers that, like the registry's own, fetch nothing)."""
    from rdflib import BNode, Literal
    from rdflib.namespace import DCTERMS, RDFS, SKOS

    context = build_context(model)
    terms = _terms(context)
    xsd_string = "http://www.w3.org/2001/XMLSchema#string"
    label_properties = (DCTERMS.title, SKOS.prefLabel, RDFS.label)

    def short(iri: str, as_id: bool = False) -> str:
        # An "id" is never shortened to a term: JSON-LD reads a bare word there as a relative
        # IRI (ldr:outcome named as a value of ldr:notPublished must stay "ldr:outcome").
        if iri in terms and not as_id:
            return terms[iri][0]
        for prefix, namespace in (*PREFIXES.items(), ("ldr", model.base.ldr)):
            if iri.startswith(str(namespace)) and iri != str(namespace):
                return f"{prefix}:{iri[len(str(namespace)) :]}"
        return iri

    def value(term, definition: dict, seen: set):
        if isinstance(term, BNode):
            return node(term, seen)
        if isinstance(term, URIRef):
            # its name in the language wanted most, written with its language like any value
            labels = [
                (p, label)
                for p in label_properties
                if (label := preferred(graph.objects(term, p), model.languages)) is not None
            ]
            if term != root and labels:
                linked: dict[str, str | list[str]] = {"id": short(str(term), as_id=True)}
                kinds = [short(str(t)) for t in graph.objects(term, RDF.type)]
                if kinds:
                    linked["type"] = kinds[0] if len(kinds) == 1 else sorted(kinds)
                p, label = labels[0]
                key, name_definition = terms.get(str(p), (short(str(p)), {}))
                linked[key] = value(label, name_definition, seen)
                return linked
            return str(term) if definition.get("@type") == "@id" else {"id": str(term)}
        assert isinstance(term, Literal)
        if term.language:
            return (
                str(term)
                if term.language == "en" and "@type" not in definition
                else {"@value": str(term), "@language": term.language}
            )
        datatype = str(term.datatype) if term.datatype else xsd_string
        if definition.get("@type") == datatype:
            return str(term)
        if datatype == xsd_string:
            return {"@value": str(term)}
        return {"@value": str(term), "@type": short(datatype)}

    def node(subject, seen: set) -> dict:
        obj: dict = {} if isinstance(subject, BNode) else {"id": str(subject)}
        if subject in seen:
            return obj
        seen = seen | {subject}
        kinds = sorted(short(str(t)) for t in graph.objects(subject, RDF.type))
        if kinds:
            obj["type"] = kinds[0] if len(kinds) == 1 else kinds
        for predicate in sorted(set(graph.predicates(subject)) - {RDF.type}, key=str):
            key, definition = terms.get(str(predicate), (str(predicate), {}))
            values = [
                value(o, definition, seen)
                for o in sorted(graph.objects(subject, predicate), key=str)
            ]
            obj[key] = values[0] if len(values) == 1 else values
        return obj

    document = {"@context": context}
    document.update(node(root, set()))
    return document
