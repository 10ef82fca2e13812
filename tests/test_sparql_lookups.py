"""Lookups (one triple pattern) are answered by the web process itself, without the hop to a
query worker: the same answers, still within the row limit, and answered while every worker
is busy with heavy queries."""

from __future__ import annotations

import json
import shutil
import threading
from urllib.parse import quote

import pytest

from registry.query import pool as sparql
from registry.query.pool import QueryPool, streamed_lookup
from registry.store import EmbeddedStore
from tests.conftest import BASE, close_app, make_app
from tests.waiting import wait_for

UPRN = f"<{BASE}/id/standards/uprn>"


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?p ?o WHERE {{ {UPRN} ?p ?o }}",
        f"PREFIX dcterms: <http://purl.org/dc/terms/>\nSELECT ?t WHERE {{ {UPRN} dcterms:title ?t . }} LIMIT 5",
        "SELECT * { ?s a <http://x/T> }",
        f"ASK {{ {UPRN} ?p ?o }}",
        'select ?s where { ?s <http://purl.org/dc/terms/title> "Unique Property Reference Number"@en }',
    ],
)
def test_one_pattern_queries_are_lookups(query):
    assert streamed_lookup(query)


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT DISTINCT ?p WHERE {{ {UPRN} ?p ?o }}",  # could read every triple to find a few
        "SELECT ?s WHERE { ?s ?s <http://x/o> }",  # a repeated variable: the same
        "SELECT ?s ?d WHERE { ?s <http://purl.org/dc/terms/description> ?d }",  # anyone's long texts
        "SELECT * WHERE { ?s ?p ?o }",
        f"SELECT ?o WHERE {{ {UPRN} ?p ?o }} OFFSET 100000",  # skips rows it still has to read
        f"SELECT ?o WHERE {{ {UPRN} ?p ?o }} ORDER BY ?o",
        f"SELECT ?o WHERE {{ {UPRN} ?p ?o FILTER(REGEX(?o, 'x')) }}",
        f"SELECT ?o WHERE {{ {UPRN} <http://x/p>* ?o }}",  # a path
        f"SELECT ?o WHERE {{ {UPRN} ?p ?o . ?o ?q ?r }}",  # a join
        f"SELECT ?o WHERE {{ GRAPH ?g {{ {UPRN} ?p ?o }} }}",
        f"SELECT ?o FROM <http://x/g> WHERE {{ {UPRN} ?p ?o }}",
        f"SELECT ?o WHERE {{ {UPRN} ?p ?o }} # a comment",
        'SELECT ?s WHERE { ?s ?p "\\u0022" }',  # escapes: left to a worker's checks
        f"SELECT ?o WHERE {{ SERVICE <http://127.0.0.1:9/> {{ {UPRN} ?p ?o }} }}",
        f"INSERT DATA {{ {UPRN} <http://x/p> 1 }}",
    ],
)
def test_anything_else_is_not(query):
    assert streamed_lookup(query) is None


@pytest.fixture
def pools(tmp_path, starter_store_dir):
    """A pool that answers lookups itself, and one that sends every query to a worker."""
    shutil.copytree(starter_store_dir, tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    here = QueryPool(store.checkpoint, size=1, max_rows=50, engine=store.engine)
    workers = QueryPool(store.checkpoint, size=1, max_rows=50)
    yield here, workers
    here.close()
    workers.close()
    store.close()


@pytest.mark.parametrize(
    "result_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_a_lookup_answered_here_says_what_a_worker_says(pools, result_type):
    here, workers = pools
    for query, expected, truncated in [
        (f"SELECT ?p ?o WHERE {{ {UPRN} ?p ?o }}", "Unique Property Reference Number", False),
        (f"SELECT ?p ?o WHERE {{ {UPRN} ?p ?o }} LIMIT 3", "http", False),
        (f"ASK {{ {UPRN} ?p ?o }}", "true", False),
        ("ASK { <http://x/nothing> ?p ?o }", "false", False),
        ("SELECT ?s ?p WHERE { ?s ?p ?o }", "/id/", True),
    ]:
        ours = here.run(query, result_type=result_type, rdf_type="text/turtle", base_iri=BASE + "/")
        theirs = workers.run(
            query, result_type=result_type, rdf_type="text/turtle", base_iri=BASE + "/"
        )
        assert (ours.media_type, ours.truncated) == (theirs.media_type, theirs.truncated)
        if result_type.endswith(
            "json"
        ):  # here the engine may write them: the same results, in its own spacing
            assert json.loads(ours.body) == json.loads(theirs.body), query
        else:
            assert ours.body == theirs.body, query
        assert expected in ours.body.decode() and ours.truncated is truncated, query
    with pytest.raises(sparql.QueryError) as raised:
        here.run(
            "SELECT ?o WHERE { nope:x ?p ?o }", result_type=result_type, rdf_type="text/turtle"
        )
    assert raised.value.kind == "syntax" and "1:" in raised.value.message  # says where


def test_a_lookup_with_more_rows_than_are_answered_here_gets_them_from_a_worker(pools, monkeypatch):
    here, _ = pools
    monkeypatch.setattr(sparql, "ROWS_ANSWERED_HERE", 10)
    standards = "SELECT ?s WHERE { ?s a <http://purl.org/dc/terms/Standard> }"
    expected = (
        len(
            here.run(standards, result_type="text/csv", rdf_type="text/turtle")
            .body.decode()
            .split()
        )
        - 1
    )
    assert (
        10 < expected < 50
    )  # the starter data's standards: more than are answered here, fewer than the limit
    for result_type in ("application/sparql-results+json", "text/csv"):
        many = here.run(standards, result_type=result_type, rdf_type="text/turtle")
        assert many.body.decode().count("/id/standards/") == expected and not many.truncated
    few = here.run(
        f"SELECT ?p WHERE {{ {UPRN} ?p ?o }} LIMIT 4",
        result_type="text/csv",
        rdf_type="text/turtle",
    )
    assert len(few.body.decode().strip().splitlines()) == 1 + 4 and not few.truncated


def test_lookups_are_answered_while_every_worker_is_busy(tmp_path_factory, starter_store_dir):
    app = make_app(
        tmp_path_factory, starter_store_dir, "lookups", LDR_QUERY_TIMEOUT=8.0, LDR_QUERY_WORKERS=1
    )
    heavy_done = threading.Event()

    def heavy():
        app.test_client().get(
            "/sparql?query="
            + quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        )
        heavy_done.set()

    try:
        client = app.test_client()
        assert (
            client.get("/sparql?query=" + quote("ASK { ?s a ?t ; ?p ?o }")).status_code == 200
        )  # workers started
        thread = threading.Thread(target=heavy)
        thread.start()
        service = app.extensions["ldr.registry"].queries
        if not service.remote:  # the only worker has taken the heavy query (not: 0.3 s have passed)
            wait_for(
                lambda: service()._idle.qsize() == 0,
                within=60,
                what="the heavy query reaching the worker",
            )
        response = client.get(
            "/sparql?query="
            + quote(f"SELECT ?o WHERE {{ {UPRN} <http://purl.org/dc/terms/title> ?o }}"),
            headers={"Accept": "text/csv"},
        )
        assert (
            response.status_code == 200
            and "Unique Property Reference Number" in response.data.decode()
        )
        # answered while the heavy query still held the worker (its 8 s limit), however long it took
        assert not heavy_done.is_set()
        thread.join(30)
        assert heavy_done.is_set()
    finally:
        close_app(app)


@pytest.mark.parametrize("values", [3, 5])
def test_rows_are_counted_right_whatever_the_text_in_them(tmp_path, monkeypatch, values):
    """A lookup with more rows than are answered here goes to a worker; the rows are counted in
    the JSON the engine wrote (capped at one more), so text that looks like JSON must not be
    counted as rows: five rows counted as four would be answered here, and one lost."""
    monkeypatch.setattr(sparql, "ROWS_ANSWERED_HERE", 3)
    store = EmbeddedStore(tmp_path / "store", create=True)
    texts = ['one},{"two', '"},{"', "{}", 'four},{"o":{"type":"uri"}}', "five"]
    store.update(
        "INSERT DATA { "
        + " ".join(f"<http://x/a> <http://x/p> {json.dumps(t)} ." for t in texts[:values])
        + " }"
    )
    pool = QueryPool(store.checkpoint, size=1, max_rows=50, engine=store.engine)
    try:
        for query in [
            "SELECT ?o WHERE { <http://x/a> <http://x/p> ?o }",
            "SELECT * WHERE { <http://x/a> ?p ?o }",
        ]:
            answer = pool.run(
                query, result_type="application/sparql-results+json", rdf_type="text/turtle"
            )
            found = sorted(b["o"]["value"] for b in json.loads(answer.body)["results"]["bindings"])
            assert found == sorted(texts[:values]) and not answer.truncated
    finally:
        pool.close()
        store.close()
