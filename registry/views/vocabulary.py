"""What the /def/ page documents: every class, property and concept scheme of the registry's
vocabulary, with the shape rules that apply and examples from the data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from registry.rdf.identifiers import sparql_iri
from registry.rdf.namespaces import LDR, VOCABULARY, vocabulary_part
from registry.store import Store
from registry.vocab.model import Model


@dataclass
class Rule:
    message: str
    severity: str
    shape: str


@dataclass
class Term:
    iri: str
    anchor: str
    label: str
    definition: str
    kind: str
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Scheme:
    iri: str
    label: str
    definition: str
    concepts: list[tuple[str, str, str, str, str]]  # iri, notation, label, definition, anchor
    anchor: str = ""


def anchor(iri: str | Node) -> str:
    """The id of a scheme's or a concept's place on the /def/ page: scheme-phase for the scheme
    /def/phase, phase-beta for its concept /def/phase/beta."""
    part = vocabulary_part(str(iri))
    if part is None:  # a concept of another vocabulary (GDPR's lawful bases): its local name
        return "concept-" + re.sub(
            r"[^A-Za-z0-9]+", "-", re.split(r"[#/]", str(iri).rstrip("/#"))[-1]
        )
    part = part.strip("/")
    return part.replace("/", "-") if "/" in part else "scheme-" + part


def _text(model: Model, graph: Graph, node, *props) -> str:
    return model.text(node, *props, graph=graph) or ""


def document_vocabulary(model: Model, store: Store | None = None, examples: int = 3) -> dict:
    onto, shapes = model.ontology, model.shapes
    ldr = str(model.base.ldr)
    name = lambda iri: model.label(iri) if isinstance(iri, URIRef) else str(iri)
    terms: list[Term] = []
    for term in sorted(
        {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(ldr)}, key=str
    ):
        kinds = set(onto.objects(term, RDF.type))
        kind = (
            "Class"
            if OWL.Class in kinds
            else "Object property"
            if OWL.ObjectProperty in kinds
            else "Datatype property"
            if OWL.DatatypeProperty in kinds
            else "Term"
        )
        entry = Term(
            str(term),
            str(term)[len(ldr) :],
            _text(model, onto, term, RDFS.label),
            _text(model, onto, term, SKOS.definition),
            kind,
            domain=[name(d) for d in onto.objects(term, RDFS.domain)],
            range=[name(r) for r in onto.objects(term, RDFS.range)],
            parents=[str(p) for p in onto.objects(term, RDFS.subClassOf)]
            + [str(p) for p in onto.objects(term, RDFS.subPropertyOf)],
        )
        if kind == "Class":
            targeted = [ns for ns in shapes.subjects(SH.targetClass, term)]
            for ns in targeted:
                for ps in shapes.objects(ns, SH.property):
                    entry.rules.append(
                        Rule(
                            _text(model, shapes, ps, SH.message),
                            _severity(shapes, ps),
                            _text(model, shapes, ps, SH.name),
                        )
                    )
        else:
            for ps in shapes.subjects(SH.path, term):
                entry.rules.append(
                    Rule(
                        _text(model, shapes, ps, SH.message),
                        _severity(shapes, ps),
                        _text(model, shapes, ps, SH.name),
                    )
                )
        if store is not None:
            entry.examples = _examples(store, term, kind, examples)
        terms.append(entry)
    schemes = []
    for scheme in sorted(onto.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        # by label, unless the scheme states an order (phases: the order a service goes through them)
        concepts = model.in_scheme_order(
            scheme,
            sorted(
                (
                    (
                        str(c),
                        _text(model, onto, c, SKOS.notation),
                        _text(model, onto, c, SKOS.prefLabel),
                        _text(model, onto, c, SKOS.definition),
                        anchor(c),
                    )
                    for c in onto.subjects(SKOS.inScheme, scheme)
                ),
                key=lambda c: c[2],
            ),
        )
        schemes.append(
            Scheme(
                str(scheme),
                _text(model, onto, scheme, SKOS.prefLabel),
                _text(model, onto, scheme, SKOS.definition),
                concepts,
                anchor(scheme),
            )
        )
    return {
        "classes": [t for t in terms if t.kind == "Class"],
        "properties": [t for t in terms if t.kind.endswith("property")],
        "schemes": schemes,
        "namespace": VOCABULARY,
        "ldr": str(LDR),
    }


def _severity(shapes: Graph, ps) -> str:
    return "must" if shapes.value(ps, SH.severity) == SH.Violation else "should"


def _examples(store: Store, term: URIRef, kind: str, limit: int) -> list[tuple[str, str]]:
    """Records that use the term, by title. A nested value (a funding award is a blank node)
    stands for the record that holds it: a blank node has no name a reader could follow, and
    neither has a urn: (a submission's identifier)."""
    used = f"?n a {sparql_iri(term)}" if kind == "Class" else f"?n {sparql_iri(term)} ?v"
    query = (
        f"SELECT DISTINCT ?x ?label WHERE {{ GRAPH ?g {{ {{ {used} FILTER(isIRI(?n)) BIND(?n AS ?x) }} "
        f"UNION {{ {used} FILTER(isBlank(?n)) ?x ?link ?n FILTER(isIRI(?x)) }} "
        'FILTER(STRSTARTS(STR(?x), "http")) '
        f"OPTIONAL {{ ?x <http://purl.org/dc/terms/title> ?label }} }} }} ORDER BY ?x LIMIT {limit}"
    )
    return [(str(r["x"]), str(r.get("label") or r["x"])) for r in store.select(query)]
