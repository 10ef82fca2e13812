"""The registry's own RDF (ontology, concept schemes, registers, shapes), read once per process.

Everything here comes from the files in ontology/ and shapes/: they are the single source
of truth for terms, registers and rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from registry import ROOT
from registry.rdf.namespaces import REG, REGISTERS, Base
from registry.rdf.rdfio import FORMATS, parse, read_limited

ONTOLOGY_FILES = ("ontology/ldr.ttl", "ontology/schemes.ttl", "ontology/registers.ttl")
SHAPES_FILES = ("shapes/components.ttl", "shapes/registry-shapes.ttl")
DATA_DIR = ROOT / "data"


def _read(base: Base, relative: str, digest) -> Graph:
    """One vocabulary file, parsed; its bytes also go into `digest` (the model's fingerprint)."""
    data = read_limited(ROOT / relative, 1 << 26)
    digest.update(data)
    return parse(data, FORMATS["turtle"], base.parse_base, source=relative)


@dataclass
class Model:
    base: Base
    ontology: Graph = field(repr=False)  # vocabulary + schemes + registers
    shapes: Graph = field(repr=False)
    register_class: dict[str, URIRef] = field(default_factory=dict)
    #: the languages labels are shown in, most wanted first (the LDR_LANGUAGES setting)
    languages: tuple[str, ...] = ("en",)
    #: a digest of the vocabulary's files: it changes when any of them does
    fingerprint: str = ""
    files: dict[str, Graph] = field(
        default_factory=dict, repr=False
    )  # graph name -> one ontology file
    #: answers worked out from the vocabulary, which does not change while the process runs
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def concept_order(self, scheme) -> dict[str, int]:
        """Where each concept of the scheme comes in the order the vocabulary gives it: a
        skos:OrderedCollection whose skos:memberList holds the scheme's concepts (the phases, in
        the order a service goes through them). Empty when the scheme states no order."""
        key = ("concept_order", str(scheme))
        if key not in self.memo:
            from rdflib.collection import Collection

            order: dict[str, int] = {}
            for collection in self.ontology.subjects(RDF.type, SKOS.OrderedCollection):
                head = self.ontology.value(collection, SKOS.memberList)
                # no memberList: no members (rdflib reads a collection from None as empty)
                members = list(Collection(self.ontology, head)) if head is not None else []
                if members and all(
                    (m, SKOS.inScheme, URIRef(str(scheme))) in self.ontology for m in members
                ):
                    order = {str(m): n for n, m in enumerate(members)}
            self.memo[key] = order
        return self.memo[key]

    def in_scheme_order(self, scheme, items: list, concept=lambda item: item[0]) -> list:
        """The items (each naming a concept of the scheme) in the scheme's order, where it states
        one; the others after them, and the items' own order kept otherwise."""
        order = self.concept_order(scheme)
        return sorted(items, key=lambda item: order.get(str(concept(item)), len(order)))

    def subclasses(self, cls: URIRef) -> set[URIRef]:
        """cls and every class below it in the ontology."""
        found, todo = {cls}, [cls]
        while todo:
            for sub in self.ontology.subjects(RDFS.subClassOf, todo.pop()):
                if isinstance(sub, URIRef) and sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def property_shape(self, iri: URIRef, classes: set | None = None, nested: bool = False):
        """The property shape for this property on things of these classes (or, for a nested
        value, on a nested shape), else on any record, else any shape at all; None if none."""
        key = ("property_shape", iri, frozenset(classes or ()), nested, len(self.shapes))
        if key not in self.memo:
            self.memo[key] = self._property_shape(iri, classes, nested)
        return self.memo[key]

    def _property_shape(self, iri: URIRef, classes: set | None, nested: bool):
        ranked = []
        for ps in self.shapes.subjects(SH.path, iri):
            if self.shapes.value(ps, SH.name) is None:
                continue
            owners = list(self.shapes.subjects(SH.property, ps))
            targets = {t for o in owners for t in self.shapes.objects(o, SH.targetClass)}
            if classes and targets & self._with_superclasses(classes):
                rank = 0
            elif nested and owners and not targets:
                rank = 0
            elif targets:
                rank = 1
            else:
                rank = 2
            ranked.append((rank, str(ps), ps))
        return min(ranked)[2] if ranked else None

    def text(self, node, *predicates, graph: Graph | None = None) -> str | None:
        """The value of the first of these predicates the node has (in the ontology, or in
        `graph`), in the language wanted most (see preferred); None if it has none of them.
        Every label the registry shows of its vocabulary is read through here."""
        graph = self.ontology if graph is None else graph
        for p in predicates:
            value = preferred(graph.objects(node, p), self.languages)
            if value is not None:
                return str(value)
        return None

    def label(self, iri: URIRef, classes: set | None = None, nested: bool = False) -> str:
        """A human label for a term, read from the RDF, never hard-coded: the sh:name of its
        property shape (see property_shape), else the ontology's label, else the local name."""
        shape = self.property_shape(iri, classes, nested)
        if shape is not None:
            return self.text(shape, SH.name, graph=self.shapes) or ""
        text = self.text(iri, RDFS.label, SKOS.prefLabel)
        if text is not None:
            return text
        text = str(iri)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def register_label(self, register: str) -> str:
        """A register's name for people ("Exemplars"), from registers.ttl."""
        return self.label(URIRef(f"{self.base.iri}/id/{register}"))

    def _with_superclasses(self, classes: set) -> set:
        found, todo = set(classes), list(classes)
        while todo:
            for parent in self.ontology.objects(todo.pop(), RDFS.subClassOf):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def register_of_types(self, types: set[URIRef]) -> set[str]:
        return {r for r, cls in self.register_class.items() if types & self.subclasses(cls)}

    def ontology_files(self) -> dict[str, Graph]:
        """The graph each vocabulary file is stored in, as read once by load_model."""
        return {**self.files, self.base.shapes_graph: self.shapes}


def preferred(values: Iterable, languages: tuple[str, ...] = ("en",)):
    """Of these values, the one to show: a literal in the first of the languages that has one
    (a tag's regional variants count, en-GB for en), else one without a language tag, else any
    (the smallest, so the choice is the same every time); None for no values."""
    ranked = []
    for value in values:
        tag = (getattr(value, "language", None) or "").lower()
        rank = next(
            (n for n, lang in enumerate(languages) if tag == lang or tag.startswith(lang + "-")),
            len(languages) + (0 if not tag else 1),
        )
        ranked.append((rank, str(value), value))
    return min(ranked, key=lambda r: r[:2])[2] if ranked else None


@cache
def load_model(base_iri: str, languages: tuple[str, ...] = ("en",)) -> Model:
    base = Base(base_iri)
    graph_names = dict(
        zip(
            ONTOLOGY_FILES,
            (base.ontology_graph, base.scheme_graph("schemes"), base.scheme_graph("registers")),
        )
    )
    digest = hashlib.sha256()
    files = {graph_names[relative]: _read(base, relative, digest) for relative in ONTOLOGY_FILES}
    ontology = Graph()
    for graph in files.values():
        ontology += graph
    shapes = Graph()
    for relative in SHAPES_FILES:
        shapes += _read(base, relative, digest)
    model = Model(
        base, ontology, shapes, files=files, languages=languages, fingerprint=digest.hexdigest()
    )
    for register in REGISTERS:
        cls = ontology.value(URIRef(f"{base.iri}/id/{register}"), REG.containedItemClass)
        if not isinstance(cls, URIRef):
            raise RuntimeError(
                f"ontology/registers.ttl has no item class for the {register} register"
            )
        model.register_class[register] = cls
    return model
