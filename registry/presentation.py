"""Turning a record's graph into rows a page can show: human labels from the ontology and
shapes, linked records by their titles, nested values as nested rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS

from .model import Model

LABELS = (DCTERMS.title, SKOS.prefLabel, RDFS.label)


@dataclass
class Value:
    text: str
    href: str | None = None
    nested: list["Row"] | None = None


@dataclass
class Row:
    label: str
    values: list[Value] = field(default_factory=list)
    order: float = 100.0


def title_of(graph: Graph, node) -> str | None:
    for p in LABELS:
        value = graph.value(node, p)
        if value is not None:
            return str(value)
    return None


def _order(model: Model, predicate: URIRef) -> float:
    for ps in model.shapes.subjects(SH.path, predicate):
        order = model.shapes.value(ps, SH.order)
        if order is not None:
            return float(order)
    return 100.0


def rows_for(graph: Graph, subject, model: Model, href: Callable[[str], str | None],
             skip: tuple = (RDF.type, DCTERMS.title)) -> list[Row]:
    rows = []
    for predicate in set(graph.predicates(subject)) - set(skip):
        row = Row(model.label(predicate), order=_order(model, predicate))
        for obj in sorted(graph.objects(subject, predicate), key=str):
            if isinstance(obj, BNode):
                row.values.append(Value("", nested=rows_for(graph, obj, model, href, skip=(RDF.type,))))
            elif isinstance(obj, URIRef):
                label = title_of(graph, obj) or title_of(model.ontology, obj)
                row.values.append(Value(label or str(obj), href(str(obj))))
            else:
                assert isinstance(obj, Literal)
                row.values.append(Value("Yes" if obj.toPython() is True else "No" if obj.toPython() is False else str(obj)))
        rows.append(row)
    return sorted(rows, key=lambda r: (r.order, r.label))


def kind_of(graph: Graph, subject, model: Model) -> str:
    kinds = [model.label(t) for t in graph.objects(subject, RDF.type) if isinstance(t, URIRef)]
    return ", ".join(sorted(kinds))
