"""SHACL validation of submissions against shapes/, with just the context they reference.

pyshacl sees the submission, the ontology and concept schemes, and the rdf:type of every
record the submission links to (one VALUES query): enough for the cross-record rules to
give the same results as validating against the whole store, at a fraction of the cost.
Results are kept only for nodes that belong to the submission.
"""

from __future__ import annotations

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from registry.rdf.identifiers import REFERENCE_MAX, is_reference, shown, sparql_iris
from registry.rdf.namespaces import REG, SCHEMA
from registry.rdf.text import (
    BIDI,
    CONTROL,
    ZERO_WIDTH,
    control_problem,
    invisible_problem,
    label_problem,
    visible,
)
from registry.records.findings import Report, Result
from registry.records.shacl_reuse import reusing, shapes_graph
from registry.records.split import owner_of, split_records
from registry.store import Store
from registry.vocab.model import Model, preferred


def referenced_types(graph: Graph, store: Store | None, model: Model | None = None) -> Graph:
    """The rdf:type statements, from the store, of IRIs the graph links to but does not describe.
    Without a store nothing says which records are registered: a link to a record's address here
    (/id/{register}/{reference}) is taken to be a record of that register's class, so its kind
    is still checked but not that it exists (`ldr validate` says so)."""
    context = Graph()
    subjects = set(graph.subjects())
    targets = sorted(
        {o for o in graph.objects() if isinstance(o, URIRef) and o not in subjects}, key=str
    )
    if store is None:
        if model is not None:
            for target in targets:
                item = model.base.split_item(str(target))
                if item is not None:
                    context.add((target, RDF.type, model.register_class[item[0]]))
        return context
    for start in range(0, len(targets), 500):
        chunk = targets[start : start + 500]
        values = sparql_iris(chunk)
        for row in store.select(
            f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a ?t }}"
        ):
            context.add((row["s"], RDF.type, row["t"]))
    return context


def vocabulary_context(graph: Graph, model: Model) -> Graph:
    """What the rules need from the vocabulary: the class hierarchy and the registers' item
    classes, and what the ontology and
    concept schemes say about each term the graph uses (a concept's scheme, a class's parents).
    A small part of the vocabulary, so validation does not walk all of it (profiled: half the time)."""
    if "class_hierarchy" not in model.memo:
        hierarchy = Graph()
        for predicate in (
            RDFS.subClassOf,
            REG.containedItemClass,
        ):  # the classes, and which registers hold them
            for triple in model.ontology.triples((None, predicate, None)):
                hierarchy.add(triple)
        model.memo["class_hierarchy"] = hierarchy
    context = Graph()
    context += model.memo["class_hierarchy"]
    for term in set(graph.subjects()) | set(graph.objects()):
        if isinstance(term, URIRef):
            for triple in model.ontology.triples((term, None, None)):
                context.add(triple)
    return context


def validate_graph(
    graph: Graph, model: Model, store: Store | None = None
) -> tuple[dict[str, Graph], Report]:
    """Split the graph into records and validate them; nothing is written."""
    records, problems = split_records(graph, model)
    data = Graph()
    data += graph
    data += referenced_types(graph, store, model)
    data += vocabulary_context(graph, model)
    # The shapes use SHACL Core and SHACL-SPARQL only: pyshacl's advanced features (rules,
    # expressions, custom targets) would cost a copy of the data graph for nothing.
    with reusing(shapes_graph(model.shapes, model.memo)):
        _, results_graph, _ = shacl_validate(
            data,
            shacl_graph=model.shapes,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
            abort_on_first=False,
        )
    owners = owner_of(records)
    ours = {str(s) for s in graph.subjects()}
    results = (
        list(problems) + reference_results(records, model) + text_results(graph, owners, model)
    )
    seen = set()
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        focus = results_graph.value(node, SH.focusNode)
        if str(focus) not in ours:
            continue  # about context loaded from the store, not about this submission
        result = _result(results_graph, node, focus, owners, model)
        if result not in seen:  # pyshacl can report one failure once per path it walked
            seen.add(result)
            results.append(result)
    report = Report(
        results=results,
        records=sorted(records),
        titles={
            iri: _shorten(str(g.value(URIRef(iri), DCTERMS.title) or ""))
            for iri, g in records.items()
        },
    )
    return records, report


def reference_results(records: dict[str, Graph], model: Model) -> list[Result]:
    """A violation for each record whose address does not end in a reference the registry can
    serve (lower-case letters, digits and hyphens): such a record was registered, listed and
    queued for review, while its page, its edits and its review all answered 404."""
    out = []
    for iri in sorted(records):
        named = model.base.split_item(iri)
        if named is not None and is_reference(named[1]):
            continue
        register = named[0] if named else "exemplars"
        out.append(
            Result(
                iri,
                iri,
                None,
                iri,
                "Violation",
                f"The record's address {shown(iri)} does not end in a reference the registry can "
                "serve: use lower-case letters, digits and hyphens, at most "
                f"{REFERENCE_MAX} characters, such as {model.base.iri}/id/{register}/my-project.",
                field="Address",
            )
        )
    return out


#: Properties that name things: besides what no literal may hold, their text may hold no
#: invisible characters and no word mixing look-alike scripts (registry/rdf/text.py).
LABELS = {
    DCTERMS.title,
    DCTERMS.alternative,
    SKOS.prefLabel,
    SKOS.altLabel,
    RDFS.label,
    FOAF.name,
    SCHEMA.name,
    URIRef("http://www.w3.org/2006/vcard/ns#fn"),
}


def text_results(graph: Graph, owners: dict[str, str], model: Model) -> list[Result]:
    """Text no submission may hold, checked over every statement of the parsed graph (whatever
    the syntax, or a web form), reported like a SHACL result: record, node, field, what to do.
    In Python rather than as sh:pattern on every property shape: one pass over the statements,
    and a rule no shape can forget."""
    results = []
    for s, p, o in graph:
        problems: list[tuple[Node, str]] = []
        if isinstance(o, Literal):
            text = str(o)
            problem = control_problem(text) or (label_problem(text) if p in LABELS else None)
            if problem:
                problems.append((o, f"This text {problem}"))
        for term in (s, p, o):
            if isinstance(term, URIRef) and (
                CONTROL.search(term) or BIDI.search(term) or ZERO_WIDTH.search(term)
            ):
                problem = control_problem(str(term)) or invisible_problem(str(term))
                problems.append((term, f"This web address {problem}"))
        for value, message in problems:
            field = _field_name(model, p)
            results.append(
                Result(
                    record=owners.get(str(s)),
                    focus=str(s),
                    path=str(p),
                    value=_shorten(visible(str(value))),
                    severity="Violation",
                    message=message,
                    field=field,
                )
            )
    return results


def _field_name(model: Model, path) -> str | None:
    names = model.memo.setdefault("field_names", {})
    if path not in names:
        shape = next(iter(model.shapes.subjects(SH.path, path)), None)
        name = model.text(shape, SH.name, graph=model.shapes) if shape is not None else None
        names[path] = name or None
    return names[path]


def _result(rg: Graph, node, focus, owners: dict[str, str], model: Model) -> Result:
    path = rg.value(node, SH.resultPath)
    value = rg.value(node, SH.value)
    severity = str(rg.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
    shape = rg.value(node, SH.sourceShape)
    component = rg.value(node, SH.sourceConstraintComponent)
    # A property shape's own sh:message says what to do in the officer's terms; prefer it to a
    # constraint component's generic one. SPARQL constraints carry their own specific message.
    messages = [m for m in rg.objects(node, SH.resultMessage)]
    if component != SH.SPARQLConstraintComponent and shape is not None:
        messages = list(model.shapes.objects(shape, SH.message)) or messages
    picked = preferred(messages, model.languages)
    message = str(picked) if picked is not None else _fallback_message(rg, node)
    field = model.text(shape, SH.name, graph=model.shapes) if shape is not None else None
    return Result(
        record=owners.get(str(focus)),
        focus=str(focus),
        path=str(path) if isinstance(path, URIRef) else None,
        value=_show(value, model) if value is not None else None,
        severity=severity,
        message=message,
        field=str(field) if field else None,
        shape=str(shape) if isinstance(shape, URIRef) else None,
    )


def _fallback_message(rg: Graph, node) -> str:
    component = rg.value(node, SH.sourceConstraintComponent)
    return f"does not meet the rule {str(component).rsplit('#', 1)[-1]}"


#: Longest value or title a report repeats back; a report never echoes a huge input in full.
SHOWN = 200


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(text):,} characters)"


def _show(value, model: Model) -> str:
    if isinstance(value, BNode):
        return "(a nested value)"
    label = model.text(value, SKOS.prefLabel) if isinstance(value, URIRef) else None
    return _shorten(f"{value} ({label})" if label else str(value))
