"""The W3C SPARQL 1.1 Protocol tests, read from their manifest and run against /sparql.

Our endpoint is read-only by design (DESIGN.md: the public endpoint never changes data).
So for the W3C tests that perform an update and expect success (update_dataset_*,
update_post_form, update_post_direct, update_base_uri), the runner instead requires the
error a read-only endpoint gives — 403 Forbidden, as application/problem+json whose detail
says the endpoint is read-only — and does not send those tests' follow-up queries, which
only check what the refused update would have written. Every other test is run as written:
its requests, its expected status class and its expected result format and value.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from registry.store import EmbeddedStore
from tests.conftest import SHARED, app_over, close_app

MANIFEST = SHARED / "ext" / "sparql-protocol" / "protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
READ_ONLY = {
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
}
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def load_manifest():
    if not MANIFEST.exists():
        return None, []
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = list(Collection(graph, graph.value(manifest, MF.entries)))
    return graph, entries


GRAPH, ENTRIES = load_manifest()


def local(test) -> str:
    return str(test).rsplit("#", 1)[-1]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """An endpoint over the manifest's data, each file in the named graph its label gives."""
    if GRAPH is None:
        pytest.skip(
            f"the W3C protocol tests are not at {MANIFEST} (../shared is not beside the project)"
        )
    path = tmp_path_factory.mktemp("protocol") / "store"
    store = EmbeddedStore(path, create=True)
    graphs = {}
    for data in GRAPH.objects(None, UT.graphData):
        file, label = GRAPH.value(data, UT.graph), str(GRAPH.value(data, RDFS.label))
        graphs[label] = Graph().parse(Path(unquote(str(file).replace("file://", ""))), format="nt")
    store.replace_graphs(graphs)
    store.close()
    app = app_over(path, LDR_QUERY_TIMEOUT=10.0)
    yield app.test_client()
    close_app(app)


def requests_of(test):
    action = GRAPH.value(test, MF.action)
    return list(Collection(GRAPH, GRAPH.value(action, HT.requests)))


def send(client, req):
    method = str(GRAPH.value(req, HT.methodName))
    path = str(GRAPH.value(req, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    header_list = GRAPH.value(req, HT.headers)
    for header in Collection(GRAPH, header_list) if header_list else []:
        headers[str(GRAPH.value(header, HT.fieldName))] = str(GRAPH.value(header, HT.fieldValue))
    body = GRAPH.value(req, HT.body)
    data = None
    if body is not None:
        chars = str(GRAPH.value(body, CNT.chars))
        encoding = str(GRAPH.value(body, CNT.characterEncoding) or "UTF-8")
        data = chars.encode("utf-16" if encoding.upper() == "UTF-16" else "utf-8")
    content_type = headers.pop("content-type", None)
    return client.open(path, method=method, data=data, headers=headers, content_type=content_type)


def check_response(response, expected):
    statuses = {str(s).rsplit("#", 1)[-1] for s in GRAPH.objects(expected, MF.expectedStatus)}
    assert f"StatusCode{response.status_code // 100}xx" in statuses, (
        response.status_code,
        response.data[:500],
    )
    fmt = GRAPH.value(expected, MF.expectedFormat)
    media = response.mimetype
    if fmt is not None and str(fmt) == "boolean":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml"), media
        value = (
            json.loads(response.data)["boolean"]
            if media.endswith("json")
            else b"<boolean>true</boolean>" in response.data
        )
        expected_value = GRAPH.value(expected, MF.expectedBoolean)
        if expected_value is not None:
            assert value == expected_value.toPython()
    elif fmt is not None and str(fmt) == "tabular":
        assert media in RESULT_TYPES, media
    elif fmt is not None and str(fmt) == "RDF":
        assert media in RDF_TYPES, media
        assert len(Graph().parse(data=response.data, format=RDF_TYPES[media])) >= 0


@pytest.mark.parametrize("test", ENTRIES, ids=[local(t) for t in ENTRIES])
def test_w3c_protocol(test, client):
    reqs = requests_of(test)
    if local(test) in READ_ONLY:
        response = send(client, reqs[0])
        assert response.status_code == 403, response.data
        assert response.mimetype == "application/problem+json"
        assert "read-only" in response.json["detail"]
        return
    for req in reqs:
        response = send(client, req)
        check_response(response, GRAPH.value(req, HT.resp))


def test_manifest_was_read():
    if GRAPH is None:
        pytest.skip(f"the W3C protocol tests are not at {MANIFEST}")
    assert len(ENTRIES) == 34
