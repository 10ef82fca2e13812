"""The registry describing itself: a DCAT catalogue and VoID dataset description, with the
dumps and the SPARQL endpoint as ways to get the data."""

from __future__ import annotations

import gzip
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from registry.rdf.namespaces import REGISTERS
from registry.vocab.model import Model

VOID = Namespace("http://rdfs.org/ns/void#")
DUMPS = {
    "registry.nq.gz": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "registry.ttl.gz": ("text/turtle", ox.RdfFormat.TURTLE),
}


@dataclass
class DumpSet:
    directory: Path
    generation: str  # the snapshot the dumps were made from
    triples: int


class Dumps:
    """Gzipped dumps of the whole registry, remade from the latest snapshot whenever the
    registry has changed since they were last made."""

    def __init__(self, directory: Path, prefixes: dict[str, str]):
        self.directory = directory
        self.prefixes = prefixes  # so the Turtle dump reads as the registry's other documents
        self._lock = threading.Lock()
        self._current_set: DumpSet | None = None

    def current(self, snapshot: str) -> DumpSet:
        """Dumps of an embedded store's snapshot (made by the web process after each write)."""

        def write(directory: Path) -> int:
            store = ox.Store.read_only(snapshot)
            try:
                # pyoxigraph's types: a gzip file is a binary file object, though not typed as
                # IO[bytes]; a CONSTRUCT gives triples; serialize without an output gives bytes
                with gzip.open(directory / "registry.nq.gz", "wb") as out:
                    store.dump(cast(IO[bytes], out), format=ox.RdfFormat.N_QUADS)
                query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
                triples = list(cast(ox.QueryTriples, store.query(query)))
                with gzip.open(directory / "registry.ttl.gz", "wb") as out:
                    out.write(
                        cast(
                            bytes,
                            ox.serialize(
                                triples, format=ox.RdfFormat.TURTLE, prefixes=self.prefixes
                            ),
                        )
                    )
                return len(triples)
            finally:
                del store

        return self._current(Path(snapshot).name, write)

    def current_remote(self, store, generation: str) -> DumpSet:
        """Dumps of a store on a SPARQL server, as of its latest change (`generation`)."""

        def write(directory: Path) -> int:
            with gzip.open(directory / "registry.nq.gz", "wb") as out:
                out.write(store.dump("nquads"))
            union = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            for prefix, namespace in self.prefixes.items():
                union.bind(prefix, namespace, override=True, replace=True)
            with gzip.open(directory / "registry.ttl.gz", "wb") as out:
                out.write(union.serialize(format="turtle", encoding="utf-8"))
            return len(union)

        return self._current(generation, write)

    def _current(self, generation: str, write) -> DumpSet:
        with self._lock:
            if self._current_set is None or self._current_set.generation != generation:
                self._current_set = self._make(generation, write)
            return self._current_set

    def _make(self, generation: str, write) -> DumpSet:
        target = self.directory / generation
        building = self.directory / f".{generation}.building"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        triples = write(building)
        if target.exists():
            shutil.rmtree(target)
        os.replace(building, target)
        for old in self.directory.iterdir():
            if old.name != generation and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        return DumpSet(target, generation, triples)


#: The catalogue page's row headings for the DCAT and VoID terms it uses, which the registry's
#: ontology and shapes do not label (a page shows words, not dataDump or uriSpace).
TERM_LABELS = {
    VOID.dataDump: "Data dumps",
    DCAT.dataset: "Datasets",
    DCAT.service: "Data service",
    VOID.sparqlEndpoint: "SPARQL endpoint",
    VOID.subset: "Parts of the data (subsets)",
    VOID.uriSpace: "Addresses start with",
    VOID.vocabulary: "Vocabulary",
    VOID.triples: "Statements (triples)",
    VOID.entities: "Records",
    DCAT.distribution: "Distributions",
    DCTERMS.publisher: "Publisher",
    RDFS.label: "Name",
    URIRef("http://purl.org/linked-data/registry#containedItemClass"): "Kind of record it holds",
    URIRef("http://www.w3.org/ns/shacl#order"): "Place among the registers",
}


def describe_catalogue(
    model: Model, store, licence: str, licence_title: str, triples: int | None = None
) -> Graph:
    """DCAT 3 + VoID: the catalogue, a dataset per register, the dumps and the endpoint, under
    the data's licence. It conforms to DCAT-AP 3.0.1 with its class ranges: every page, media
    type and licence it points at is typed."""
    base = model.base.iri
    g = Graph()
    licence_iri = URIRef(licence)
    g.add((licence_iri, RDF.type, DCTERMS.LicenseDocument))
    if licence_title:
        g.add((licence_iri, DCTERMS.title, Literal(licence_title, lang="en")))
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("foaf", FOAF)):
        g.bind(prefix, ns)
    catalogue = URIRef(f"{base}/catalogue")
    publisher = URIRef(f"{base}/catalogue#publisher")
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, RDF.type, VOID.Dataset))
    g.add((catalogue, DCTERMS.title, Literal("Local Digital Registry", lang="en")))
    g.add(
        (
            catalogue,
            DCTERMS.description,
            Literal(
                "Reusable digital assets of UK councils and their partners — exemplar projects, shared platforms, open "
                "standards, data-sharing agreements, suppliers' products and guides — as linked open data.",
                lang="en",
            ),
        )
    )
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Local Digital Registry", lang="en")))
    g.add((catalogue, FOAF.homepage, URIRef(f"{base}/")))
    g.add((URIRef(f"{base}/"), RDF.type, FOAF.Document))
    g.add((catalogue, DCTERMS.license, licence_iri))
    g.add((catalogue, VOID.sparqlEndpoint, URIRef(f"{base}/sparql")))
    g.add((catalogue, VOID.uriSpace, Literal(f"{base}/id/")))
    g.add((catalogue, VOID.vocabulary, URIRef(model.base.ontology_graph)))
    for name in DUMPS:
        g.add((catalogue, VOID.dataDump, URIRef(f"{base}/dumps/{name}")))
    if triples is not None:
        g.add((catalogue, VOID.triples, Literal(triples, datatype=XSD.integer)))
    service = URIRef(f"{base}/sparql")
    g.add((service, RDF.type, DCAT.DataService))
    g.add(
        (
            service,
            DCTERMS.title,
            Literal("SPARQL endpoint of the Local Digital Registry", lang="en"),
        )
    )
    g.add((service, DCAT.endpointURL, service))
    g.add((catalogue, DCAT.service, service))
    counts = {
        str(r["g"]): int(r["n"])
        for r in store.select(
            "SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?x { ?s a ?t } "
            f"BIND(REPLACE(STR(?x), '^{base}/doc/([^/]+)/.*$', '$1') AS ?g) "
            f"FILTER(STRSTARTS(STR(?x), '{base}/doc/') && STR(?s) = REPLACE(STR(?x), '/doc/', '/id/')) }} GROUP BY ?g"
        )
    }
    for register in REGISTERS:
        dataset = URIRef(f"{base}/id/{register}")
        g.add((catalogue, DCAT.dataset, dataset))
        g.add((catalogue, VOID.subset, dataset))
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, RDF.type, VOID.Dataset))
        # the register's name and description in every language registers.ttl gives them
        for label in model.ontology.objects(dataset, RDFS.label):
            g.add((dataset, DCTERMS.title, label))
        for description in model.ontology.objects(dataset, DCTERMS.description):
            g.add((dataset, DCTERMS.description, description))
        g.add((dataset, VOID.uriSpace, Literal(f"{base}/id/{register}/")))
        g.add((dataset, VOID.entities, Literal(counts.get(register, 0), datatype=XSD.integer)))
        g.add((dataset, DCAT.landingPage, URIRef(f"{base}/{register}")))
        g.add((URIRef(f"{base}/{register}"), RDF.type, FOAF.Document))
        distribution = URIRef(f"{base}/id/{register}#sparql")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.accessURL, service))
        g.add((distribution, DCAT.accessService, service))
        g.add((distribution, DCTERMS.license, licence_iri))
        g.add(
            (
                distribution,
                DCTERMS.title,
                Literal(f"{model.register_label(register)} through SPARQL", lang="en"),
            )
        )
    for name, (media, _) in DUMPS.items():
        distribution = URIRef(f"{base}/dumps/{name}")
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, distribution))
        g.add((distribution, DCAT.accessURL, distribution))
        g.add((distribution, DCTERMS.license, licence_iri))
        for link, media_type in (
            (DCAT.mediaType, media),
            (DCAT.compressFormat, "application/gzip"),
        ):
            iri = URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")
            g.add((distribution, link, iri))
            g.add((iri, RDF.type, DCTERMS.MediaType))
        for register in REGISTERS:
            g.add((URIRef(f"{base}/id/{register}"), DCAT.distribution, distribution))
    return g
