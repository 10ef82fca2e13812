"""The public endpoint is safe: read-only, never reaches the network, stops long queries and
keeps answering others, and says when it cuts results short."""

from __future__ import annotations

import os
import threading
import time
from urllib.parse import quote

import pytest

from registry.query.guard import MAX_CHECKED_CHARS, is_update, uses_service
from tests.conftest import BASE, close_app, make_app
from tests.listener import Listener

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PATHS = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://x/p>|!<http://x/p>)* ?b . "
    "?c (<http://x/p>|!<http://x/p>)* ?d }"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(
        tmp_path_factory,
        starter_store_dir,
        "safety",
        LDR_QUERY_TIMEOUT=2.0,
        LDR_QUERY_WORKERS=2,
        LDR_QUERY_MAX_ROWS=25,
    )
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def get(client, query, **headers):
    return client.get("/sparql?query=" + quote(query), headers=headers)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://x/s> <http://x/p> 1 }",
        "PREFIX ex: <http://x/>\nDELETE WHERE { ?s ?p ?o }",
        "# a comment first\nLOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "drop graph <http://x/g>",
        "\\u0049NSERT DATA { <http://x/s> <http://x/p> 1 }",
    ],
)
def test_updates_are_refused_in_every_way_they_can_be_sent(client, update):
    assert is_update(update)
    for response in (
        get(client, update),
        client.get("/sparql?update=" + quote(update)),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
    ):
        assert response.status_code == 403, response.data
        assert "read-only" in response.json["detail"]
    assert get(client, "ASK { <http://x/s> ?p ?o }").json["boolean"] is False


def test_queries_that_merely_mention_keywords_are_not_refused(client):
    query = 'SELECT ?service ?insert WHERE { BIND("SERVICE" AS ?service) BIND(<http://x/INSERT> AS ?insert) }'
    assert not uses_service(query) and not is_update(query)
    assert get(client, query).status_code == 200


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
    ],
)
def test_no_query_makes_a_request_leave_the_machine(client, template):
    listener = Listener()
    try:
        response = get(client, template.format(port=listener.port))
        assert response.status_code in (200, 403), response.data
        if response.status_code == 403:
            assert "never sends requests to other servers" in response.json["detail"]
    finally:
        listener.close()
    assert listener.connections == 0


@pytest.mark.parametrize(
    "query", [CARTESIAN, PATHS], ids=["cartesian-product", "unbounded-property-paths"]
)
def test_a_pathological_query_is_stopped_at_the_limit_and_its_process_killed(app, client, query):
    service = app.extensions["ldr.registry"].queries
    started = time.monotonic()
    if service.remote:
        # On a SPARQL server the registry stops waiting at its limit; stopping the query there is
        # the server's own timeout's job (docs/deployment.md). No worker process is involved.
        response = get(client, query)
        assert response.status_code == 503 and "time limit of 2 s" in response.json["detail"]
        assert (
            time.monotonic() - started < 60
        )  # the registry stopped waiting: not the server's own minutes
        return
    pool = service()
    before = {w.process.pid for w in pool._all}
    response = get(client, query)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "time limit of 2 s" in response.json["detail"]
    after = {w.process.pid for w in pool._all}
    killed = before - after
    assert len(killed) == 1, "the worker that ran the query was not replaced"
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone: its CPU and memory are free
    assert get(client, "ASK { ?s ?p ?o }").json["boolean"] is True


def test_the_guard_parses_a_query_under_the_time_limit_in_a_worker_not_in_the_web_process(
    app, client
):
    """A query that could hold SERVICE is parsed before it runs, and rdflib's parser takes
    seconds over this one (8,000 characters; 6 s here). The parse is a worker's job, stopped at
    the time limit like a slow query: the web process's request thread spends none of it."""
    query = (
        "# no service here\nSELECT * { ?s ?p ?o FILTER("
        + "+".join("(1)" for _ in range(1980))
        + ") }"
    )
    assert len(query) <= MAX_CHECKED_CHARS  # parsed, not refused unread
    cpu = time.thread_time()
    response = client.post("/sparql", data={"query": query})
    spent = time.thread_time() - cpu
    assert response.status_code == 503 and "time limit of 2 s" in response.json["detail"], (
        response.data[:300]
    )
    assert spent < 1.0, f"the request thread spent {spent:.1f} s of CPU on the query"
    assert get(client, "ASK { ?s ?p ?o }").json["boolean"] is True  # the worker was replaced
    assert get(client, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }").status_code == 403


def test_other_requests_are_answered_while_a_heavy_query_runs(tmp_path_factory, starter_store_dir):
    """Its own app with a longer limit than the module's 2 s: the light requests race the heavy
    query's limit, and a loaded machine must not lose that race."""
    from tests.waiting import wait_for

    app = make_app(
        tmp_path_factory, starter_store_dir, "heavy", LDR_QUERY_TIMEOUT=8.0, LDR_QUERY_WORKERS=2
    )
    heavy_done = threading.Event()

    def heavy():
        app.test_client().get("/sparql?query=" + quote(CARTESIAN))
        heavy_done.set()

    thread = threading.Thread(target=heavy)
    thread.start()
    try:
        service = app.extensions["ldr.registry"].queries
        if not service.remote:  # the heavy query holds a worker before the light ones are sent
            wait_for(
                lambda: service()._idle.qsize() < 2,
                within=60,
                what="the heavy query reaching a worker",
            )
        client = app.test_client()
        for _ in range(5):
            response = client.get(
                "/sparql?query=" + quote(f"ASK {{ <{BASE}/id/standards/uprn> ?p ?o }}")
            )
            assert response.status_code == 200 and response.json["boolean"] is True
            assert client.get("/doc/standards/uprn").status_code == 200
        assert not heavy_done.is_set(), (
            "the light requests should have finished while the heavy one still ran"
        )
    finally:
        thread.join(60)
        close_app(app)
    assert heavy_done.is_set()


def test_the_result_cap_is_reported_not_silent(client):
    response = get(client, "SELECT ?s WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert len(response.json["results"]["bindings"]) == 25
    assert response.headers["LDR-Result-Limit"] == "25"
    assert response.headers["LDR-Results-Truncated"].startswith("true")
    graph = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", Accept="application/n-triples")
    assert len(graph.data.decode().strip().splitlines()) == 25
    assert graph.headers["LDR-Results-Truncated"].startswith("true")
    small = get(client, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert "LDR-Results-Truncated" not in small.headers


def test_only_the_outer_query_s_own_limit_lets_the_engine_write_the_whole_answer(client):
    """A SELECT whose own LIMIT is within the cap is written by the engine in one go (faster);
    a LIMIT anywhere else — in a subquery, in a string, beyond the cap — must not let an answer
    past the cap."""
    exact = get(client, "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 25")
    assert (
        len(exact.json["results"]["bindings"]) == 25
        and "LDR-Results-Truncated" not in exact.headers
    )
    for query in [
        "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 1000",
        "SELECT ?s ?p2 WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } ?x ?p2 ?o2 }",
        'SELECT ?s WHERE { ?s ?p ?o FILTER(?o != "} LIMIT 5") }',
        "SELECT ?s WHERE { ?s ?p ?o }  # LIMIT 5",
    ]:
        response = get(client, query)
        assert response.status_code == 200, query
        assert len(response.json["results"]["bindings"]) == 25, query
        assert response.headers["LDR-Results-Truncated"].startswith("true"), query


@pytest.mark.parametrize(
    "accept,media",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_results_in_every_format(client, accept, media):
    response = get(
        client,
        f"SELECT ?title WHERE {{ <{BASE}/id/standards/uprn> <http://purl.org/dc/terms/title> ?title }}",
        Accept=accept,
    )
    assert response.status_code == 200 and response.mimetype == media
    assert "Unique Property Reference Number" in response.data.decode()


def test_a_syntax_error_is_a_400_that_says_where(client):
    response = get(client, "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert "not valid SPARQL 1.1" in response.json["detail"] and "1:" in response.json["detail"]


def test_406_lists_formats(client):
    response = get(client, "ASK {}", Accept="image/png")
    assert response.status_code == 406
    assert "text/csv" in response.json["detail"]


def test_json_results_say_what_the_engine_itself_would(tmp_path):
    """The query workers write SPARQL JSON results themselves (faster than building objects);
    for every kind of term — IRI, blank node, plain, language-tagged and typed literal, an
    unbound variable, text needing escapes — they must say exactly what pyoxigraph's own
    serialiser says."""
    import json as json_module

    import pyoxigraph as ox

    from registry.query import worker as query_worker

    store = ox.Store(str(tmp_path / "store"))
    store.update("""INSERT DATA {
        <http://example.org/a> <http://example.org/p> "plain \\"quoted\\" \\\\ back\\nline\\ttab é ☃" ,
            "hello"@en-GB , 42 , "2026-11-26"^^<http://www.w3.org/2001/XMLSchema#date> , _:b , <http://example.org/b> }""")
    query = "SELECT ?s ?o ?none WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?o <http://example.org/q> ?none } }"
    job = {
        "query": query,
        "default_graphs": [],
        "named_graphs": [],
        "max_rows": 100,
        "rdf_format": "text/turtle",
        "base_iri": None,
        "substitutions": {},
        "result_type": "application/sparql-results+json",
    }
    ours = json_module.loads(query_worker.answer_for(query_worker.execute(store, job), job)["body"])
    theirs = json_module.loads(store.query(query).serialize(format=ox.QueryResultsFormat.JSON))
    key = lambda binding: json_module.dumps(
        binding, sort_keys=True
    )  # blank node labels aside, same order
    assert len(ours["results"]["bindings"]) == 6
    assert ours["head"] == theirs["head"]
    assert sorted(map(key, ours["results"]["bindings"])) == sorted(
        map(key, theirs["results"]["bindings"])
    )


SORTED_CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
TWO_PATTERNS = "ASK { ?s a ?type ; ?p ?o }"  # not a one-pattern lookup: a worker answers it


@pytest.mark.parametrize("allocator", ["auto", "system"])
def test_a_query_past_the_memory_limit_is_stopped_with_a_clear_answer_whatever_the_allocator(
    tmp_path_factory, starter_store_dir, allocator
):
    from registry.runtime.allocator import allocator_library

    if allocator == "auto":  # `make test` installs Debian's libmimalloc2.0
        assert allocator_library("auto"), (
            "no allocator library found: sudo apt-get install libmimalloc2.0"
        )
    app = make_app(
        tmp_path_factory,
        starter_store_dir,
        "memory",
        LDR_QUERY_TIMEOUT=30.0,
        LDR_QUERY_WORKERS=1,
        LDR_QUERY_MEMORY_MB=1024,
        LDR_ALLOCATOR=allocator,
    )
    try:
        service = app.extensions["ldr.registry"].queries
        client = app.test_client()
        assert get(client, TWO_PATTERNS).json["boolean"] is True
        if service.remote:
            return  # a SPARQL server keeps its own memory limits (docs/deployment.md)
        (worker,) = service()._all
        with open(f"/proc/{worker.process.pid}/maps") as maps:
            loaded = maps.read()
        expected = allocator_library(allocator)
        if expected:
            assert os.path.basename(expected) in loaded
        else:
            assert "mimalloc" not in loaded and "jemalloc" not in loaded
        response = get(client, SORTED_CROSS_JOIN)
        assert response.status_code == 503 and response.mimetype == "application/problem+json"
        # stopped by memory, not by the time limit: the detail says which (not the clock, which a
        # loaded machine slows)
        assert (
            "memory limit of 1024 MiB" in response.json["detail"]
            or "needed more memory" in response.json["detail"]
        )
        assert "time limit" not in response.json["detail"]
        assert get(client, TWO_PATTERNS).json["boolean"] is True  # and the next query is answered
    finally:
        close_app(app)


def test_a_flood_of_heavy_queries_never_holds_up_pages(store_dir):
    """Each running or waiting query holds one of the server's request threads. Beyond the
    workers and LDR_QUERY_WAITING, a query is refused at once with 503 and Retry-After, and two
    threads stay free: a page is answered at once while the others run and wait (before: an
    item page took 9.6 s behind six heavy queries)."""
    import urllib.error
    import urllib.request

    from tests.server import Server
    from tests.waiting import wait_for

    server = Server(store_dir, LDR_QUERY_WORKERS="1", LDR_QUERY_WAITING="1", LDR_QUERY_TIMEOUT="6")
    answers: list = []

    def heavy():
        try:
            with urllib.request.urlopen(
                server.url + "/sparql?query=" + quote(CARTESIAN), timeout=60
            ) as response:
                answers.append((response.status, None, response.read()))
        except urllib.error.HTTPError as exc:
            answers.append((exc.code, exc.headers.get("Retry-After"), exc.read()))

    threads = [threading.Thread(target=heavy) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        # the four beyond the worker and the one waiting are refused at once; then one runs, one waits
        wait_for(
            lambda: len(answers) >= 4, within=60, what="four of the six heavy queries being refused"
        )
        with urllib.request.urlopen(server.url + "/doc/standards/uprn", timeout=60) as page:
            assert page.status == 200
        # answered while the running query still held the worker and the other waited for it
        # (they end at the 6 s limit, one after the other): not behind them, however slow the machine
        assert len(answers) == 4, answers
        lookup = (
            f"SELECT ?o WHERE {{ <{BASE}/id/standards/uprn> <http://purl.org/dc/terms/title> ?o }}"
        )
        with urllib.request.urlopen(
            server.url + "/sparql?query=" + quote(lookup), timeout=30
        ) as answer:
            assert b"Unique Property Reference Number" in answer.read()
        for thread in threads:
            thread.join(30)
    finally:
        server.stop()
    refused = answers[
        :4
    ]  # the four answered before the page, which came before the other two ended
    assert len(answers) == 6, answers  # one ran, one waited for it
    assert all(status == 503 and retry for status, retry, _ in refused), answers


def test_the_guard_s_verdicts_hold_when_queries_are_parsed_at_the_same_time():
    """pyparsing clears its shared cache as each parse starts: two parses at once failed each
    other, and valid queries were refused as unreadable. Eight threads parse at once."""
    from concurrent.futures import ThreadPoolExecutor

    from registry.query.guard import service_verdict

    queries = [
        f'SELECT ?service WHERE {{ BIND("service {n}" AS ?service) ?s ?p ?o FILTER(?o > {n}) }}'
        for n in range(64)
    ]
    with ThreadPoolExecutor(8) as threads:
        verdicts = list(threads.map(service_verdict, queries))
    assert verdicts == [("ok", "")] * 64


def test_a_query_s_time_limit_does_not_count_its_worker_starting(
    tmp_path, starter_store_dir, monkeypatch
):
    """A worker started in place of one stopped at the time limit builds the guard's parser
    before it takes a query. Under load that took longer than a short limit, and the next query
    was refused with 503 though it needed milliseconds (CI, with a 2 s limit). Here every worker
    takes 3 s to start (a site hook that waits); a query with a 2 s limit is still answered."""
    import shutil

    from registry.query.pool import QueryPool
    from registry.store.embedded import EmbeddedStore

    hook = tmp_path / "slow-start"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text("import time\ntime.sleep(3)\n")
    monkeypatch.setenv("PYTHONPATH", f"{hook}:{os.environ.get('PYTHONPATH', '')}".rstrip(":"))
    shutil.copytree(starter_store_dir, tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    pool = QueryPool(store.checkpoint, size=1, timeout=2)
    try:
        for query in (TWO_PATTERNS, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
            started = time.monotonic()
            try:
                outcome = pool.run(
                    query, result_type="application/sparql-results+json", rdf_type="text/turtle"
                )
            except Exception as refused:  # noqa: BLE001 - what the client would be told
                outcome = refused
            assert time.monotonic() - started >= 2.5  # the worker did take its time starting
            if query == TWO_PATTERNS:
                assert b'"boolean":true' in outcome.body.replace(b" ", b""), outcome
            else:
                assert getattr(outcome, "kind", None) == "service", (
                    outcome
                )  # refused for SERVICE, not for time
            (worker,) = pool._all
            pool._kill(worker)
            pool._idle.get()
            pool._idle.put(pool._start())  # the next worker starts as slowly
    finally:
        pool.close()
        store.close()
