"""The SPARQL 1.1 Service Description of the registry's endpoint."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = "http://www.w3.org/ns/formats/"
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}


def service_description(base: str, result_types: list[str], rdf_types: list[str]) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(f"{base}/sparql")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for media in result_types + rdf_types:
        graph.add((service, SD.resultFormat, URIRef(FORMATS_NS + FORMAT_IRIS[media])))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add(
        (
            default,
            URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal(
                "The current description of every record, and the registry's vocabulary. Each record is also "
                "the named graph {base}/doc/{register}/{reference}; its versions are {…}/version/{n} and their "
                "provenance {…}/history.",
                lang="en",
            ),
        )
    )
    return graph
