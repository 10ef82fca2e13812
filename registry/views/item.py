"""The description of one registered item, as served at /doc/{register}/{reference}."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from registry.rdf.identifiers import sparql_iris
from registry.rdf.namespaces import PREFIXES
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
    if targets:
        values = sparql_iris(sorted(targets, key=str))
        graph += store.construct(
            "CONSTRUCT { ?x a ?t ; ?label ?name } WHERE { VALUES ?x { " + values + " } "
            "VALUES ?label { <http://purl.org/dc/terms/title> <http://www.w3.org/2004/02/skos/core#prefLabel> "
            "<http://www.w3.org/2000/01/rdf-schema#label> } "
            "{ ?x a ?t } UNION { ?x ?label ?name } }"
        )  # the default graph: current versions and the
        # vocabulary only, not the graphs of earlier versions (a renamed record showed both names)
    bind_prefixes(graph, model)
    return graph


def bind_prefixes(graph: Graph, model: Model) -> None:
    """Readable prefixes in serialisations: the reused vocabularies and the registry's own."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("ldr", model.base.ldr, override=True, replace=True)
