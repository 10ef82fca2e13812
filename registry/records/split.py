"""Splitting a document into records: one record per item IRI, with the blank nodes it owns."""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from registry.records.findings import Result
from registry.vocab.model import Model


def split_records(graph: Graph, model: Model) -> tuple[dict[str, Graph], list[Result]]:
    """Records keyed by item IRI, and the structural problems found.

    A record is every statement about an item IRI ({base}/id/{register}/{reference}) plus the
    statements about blank nodes it reaches. Statements about anything else belong to no
    record and are reported, never silently dropped.
    """
    base = model.base
    records: dict[str, Graph] = {}
    problems: list[Result] = []
    for subject in set(graph.subjects()):
        if isinstance(subject, URIRef) and base.split_item(str(subject)):
            records[str(subject)] = Graph()
    owner: dict[BNode, str] = {}
    for iri, record in records.items():
        todo: list[URIRef | BNode] = [URIRef(iri)]
        seen: set = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for p, o in graph.predicate_objects(node):
                record.add((node, p, o))
                if isinstance(o, BNode):
                    if owner.setdefault(o, iri) != iri:
                        problems.append(
                            Result(
                                iri,
                                str(o),
                                None,
                                None,
                                "Violation",
                                f"A blank node is shared by {owner[o]} and {iri}; "
                                "each record must have its own nested values.",
                            )
                        )
                    todo.append(o)
    claimed = {t for record in records.values() for t in record}
    stray = {s for s, p, o in graph if (s, p, o) not in claimed}
    for subject in sorted(stray, key=str):
        where = (
            "a blank node that no record refers to"
            if isinstance(subject, BNode)
            else f"<{subject}>, which is not a record IRI"
        )
        problems.append(
            Result(
                None,
                str(subject),
                None,
                None,
                "Violation",
                f"These statements are about {where}. Every statement must belong to a record "
                f"named {base.iri}/id/{{register}}/{{reference}}, where the register is one of: "
                f"{', '.join(model.register_class)}.",
            )
        )
    for iri, record in records.items():
        item = base.split_item(iri)
        assert item is not None  # records holds only item IRIs (above)
        register, _ = item
        types = {t for t in record.objects(URIRef(iri), RDF.type) if isinstance(t, URIRef)}
        if register not in model.register_of_types(types):
            cls = model.register_class[register]
            problems.append(
                Result(
                    iri,
                    iri,
                    str(RDF.type),
                    None,
                    "Violation",
                    f"A record in the {register} register must have the type <{cls}> "
                    f"(or a kind of it); add: <{iri}> a <{cls}> .",
                )
            )
    return records, problems


def owner_of(graph_records: dict[str, Graph]) -> dict[str, str]:
    """Map every node (item IRI or blank node) to the record that holds it."""
    owners: dict[str, str] = {}
    for iri, record in graph_records.items():
        for s in record.subjects():
            owners.setdefault(str(s), iri)
    return owners
