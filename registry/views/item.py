"""The description of one registered item, as served at /doc/{register}/{reference}."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from registry.rdf.namespaces import PREFIXES
from registry.records.naming import names_and_types
from registry.records.versions import current_record
from registry.store import Store
from registry.vocab.model import Model


def describe_item(store: Store, model: Model, register: str, reference: str) -> Graph | None:
    """The item's current description plus the labels and types of what it links to, so a
    client needs no second request to show their names. None if it is not registered."""
    iri = model.base.item(register, reference)
    graph = current_record(store, model, iri)
    if (URIRef(iri), None, None) not in graph:
        return None
    targets = {o for s, p, o in graph if isinstance(o, URIRef) and p != RDF.type} - {URIRef(iri)}
    graph += names_and_types(store, targets)
    bind_prefixes(graph, model)
    return graph


def bind_prefixes(graph: Graph, model: Model) -> None:
    """Readable prefixes in serialisations: the reused vocabularies and the registry's own."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("ldr", model.base.ldr, override=True, replace=True)
