"""Writes are atomic and durable: SIGKILL the server in the middle of a stream of writes,
start it again, and every acknowledged write is there — and no version is half-written."""

from __future__ import annotations

import signal
import threading
import urllib.error
import urllib.request

from rdflib.compare import isomorphic

from registry.records.versions import current_versions, history, version_graph
from registry.store import EmbeddedStore
from registry.vocab.model import load_model
from tests.conftest import BASE
from tests.server import Server
from tests.test_cli import run
from tests.test_registration import exemplar


def test_sigkill_during_writes_loses_no_acknowledged_write(store_dir):
    created = run(
        "token", "create", "--org", "leeds-city-council", "--role", "publisher", store=store_dir
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    server = Server(store_dir)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set() and n < 500:
            ref = f"durable-{n}"
            body = exemplar(
                ref=ref, title=f"Durability test {n}", topic=f"write number {n}"
            ).encode()
            request = urllib.request.Request(
                f"{server.url}/exemplars",
                data=body,
                method="POST",
                headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 201:
                        acknowledged.append(f"{BASE}/id/exemplars/{ref}")
            except (urllib.error.URLError, ConnectionError, OSError):
                return  # the server is gone
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    while len(acknowledged) < 15 and thread.is_alive():
        thread.join(0.05)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    stop.set()
    thread.join(20)
    assert len(acknowledged) >= 15

    # Start again on the same store: everything acknowledged is there, served and queryable.
    again = Server(store_dir, owner=server.owner)  # the same store (or SPARQL server) again
    try:
        for iri in acknowledged:
            path = iri[len(BASE) :].replace("/id/", "/doc/")
            with urllib.request.urlopen(f"{again.url}{path}.ttl", timeout=10) as response:
                assert response.status == 200
    finally:
        again.stop()

    # No half-written version: every record's current description is exactly its latest
    # version, and every version has its provenance.
    model = load_model(BASE)
    store = EmbeddedStore(store_dir)
    try:
        items = [
            str(r["s"])
            for r in store.select(
                f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} FILTER(STRSTARTS(STR(?s), '{BASE}/id/exemplars/durable-')) "
                "FILTER(STR(?s) = REPLACE(STR(?g), '/doc/', '/id/')) }"
            )
        ]
        assert set(acknowledged) <= set(items)
        versions = current_versions(store, model, items)
        for iri in items:
            assert versions.get(iri) == 1, f"{iri} has a current description but no version record"
            current = store.construct(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri.replace('/id/', '/doc/')}> {{ ?s ?p ?o }} }}"
            )
            assert isomorphic(current, version_graph(store, model, iri, 1))
            assert len(history(store, model, iri)) == 1
        stray = store.select(
            "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/exemplars/durable-') "
            "&& CONTAINS(STR(?g), '/version/')) "
            "FILTER NOT EXISTS { GRAPH ?h { ?v <http://purl.org/dc/terms/isVersionOf> ?x } FILTER(STR(?v) = STR(?g)) } }"
        )
        assert not stray, f"versions without provenance: {stray[:3]}"
        in_default = {
            str(r["s"])
            for r in store.select(
                f"SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), '{BASE}/id/exemplars/durable-')) }}"
            )
        }
        assert in_default == set(items)
    finally:
        store.close()
