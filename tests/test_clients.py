"""Real clients against a running `ldr serve`: SPARQLWrapper (as central government would use
it), rdflib's SPARQLStore, and curl."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from urllib.error import HTTPError

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from registry.rdf.namespaces import VOCABULARY
from tests.conftest import BASE
from tests.server import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("clients") / "store"
    shutil.copytree(starter_store_dir, path)
    server = Server(path)
    yield server
    server.stop()


COUNT_STANDARDS = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a <http://purl.org/dc/terms/Standard> }"


def test_sparqlwrapper_select_in_json_and_xml(server):
    for fmt in (JSON, XML):
        client = SPARQLWrapper(server.url + "/sparql")
        client.setQuery(COUNT_STANDARDS)
        client.setReturnFormat(fmt)
        result = client.query().convert()
        if fmt == JSON:
            count = int(result["results"]["bindings"][0]["n"]["value"])
        else:
            count = int(result.getElementsByTagName("literal")[0].firstChild.data)
        assert count >= 25


def test_sparqlwrapper_post_ask_construct_and_csv(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod("POST")
    client.setQuery(f"ASK {{ <{BASE}/id/platforms/govuk-notify> a ?t }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery(
        f"CONSTRUCT {{ ?s <http://purl.org/dc/terms/title> ?t }} WHERE {{ ?s a <{VOCABULARY}ldr#Platform> ; <http://purl.org/dc/terms/title> ?t }}"
    )
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) >= 10
    client.setQuery(COUNT_STANDARDS)
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().startswith("n\r\n")


def test_sparqlwrapper_sees_a_clear_error_for_an_update(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery("INSERT DATA { <http://x/s> <http://x/p> 1 }")
    client.setReturnFormat(JSON)
    with pytest.raises(HTTPError) as info:  # SPARQLWrapper passes a 403 through as urllib's error
        client.query()
    assert info.value.code == 403
    assert "read-only" in json.loads(info.value.read())["detail"]


def test_rdflib_sparqlstore(server):
    graph = Graph(store=SPARQLStore(server.url + "/sparql"))
    titles = {
        str(row.t)
        for row in graph.query(
            f"SELECT ?t WHERE {{ ?s a <{VOCABULARY}ldr#Exemplar> ; <http://purl.org/dc/terms/title> ?t }}"
        )
    }
    assert "LocalGov Drupal" in titles and len(titles) >= 12
    assert (
        URIRef(f"{BASE}/id/standards/uprn"),
        DCTERMS.publisher,
        URIRef(f"{BASE}/id/organisations/geoplace"),
    ) in graph


def curl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-s", "-S", *args], capture_output=True, timeout=60)


def test_curl_follows_303_and_negotiates(server):
    for accept, check in [
        ("text/turtle", lambda b: Graph().parse(data=b, format="turtle")),
        ("application/n-triples", lambda b: list(ox.parse(b, ox.RdfFormat.N_TRIPLES))),
        ("application/rdf+xml", lambda b: list(ox.parse(b, ox.RdfFormat.RDF_XML))),
        ("application/ld+json", lambda b: json.loads(b)["title"]),
        ("text/html", lambda b: b.index(b"<h1 ")),
    ]:
        result = curl(
            "-L",
            "-H",
            f"Accept: {accept}",
            "-w",
            "%{http_code} %{content_type}",
            f"{server.url}/id/standards/uprn",
        )
        out = result.stdout
        code_type = out[out.rfind(b"200 ") :].decode()
        assert code_type.startswith("200 " + accept), code_type
        assert check(out[: out.rfind(b"200 ")])


def test_curl_gets_the_service_description_and_a_gzipped_dump(server, tmp_path):
    sd = curl("-H", "Accept: text/turtle", f"{server.url}/sparql")
    graph = Graph().parse(data=sd.stdout, format="turtle")
    assert (
        URIRef(f"{BASE}/sparql"),
        URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"),
        URIRef(f"{BASE}/sparql"),
    ) in graph
    target = tmp_path / "dump.nq.gz"
    result = curl("-f", "-o", str(target), f"{server.url}/dumps/registry.nq.gz")
    assert result.returncode == 0
    quads = list(ox.parse(gzip.decompress(target.read_bytes()), ox.RdfFormat.N_QUADS))
    assert len(quads) > 2000
    assert any(q.graph_name == ox.NamedNode(f"{BASE}/doc/standards/uprn") for q in quads)
