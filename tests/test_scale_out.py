"""Several web processes on one SPARQL server: the store decides If-Match, the web tier keeps no
state two instances could disagree on, and a store that goes away gives 503 and comes back.

Real parts only: the `oxigraph` package's server, and two `ldr serve --workers 2` instances
(granian, two worker processes each) on their own ports."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import Graph, URIRef

from registry.accounts.users import Accounts
from registry.records import versions
from registry.records.versions import Agent
from registry.store.layout import claims_graph
from tests.conftest import BASE
from tests.oxigraph_server import OxigraphServer
from tests.server import Server
from tests.test_registration import exemplar


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of a real HTTP request; errors are answers too."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def instance(server: OxigraphServer, local_dir) -> Server:
    """`ldr serve --workers 2` on its own port, with the store on `server` and its own
    local directory for the index and dumps."""
    return Server(local_dir, owner={"test.oxigraph": server}, args=("--workers", "2"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, starter_store_dir):
    """One oxigraph server over a copy of the starter store; two registry instances on it. Each
    instance has its own local directory (index, dumps): they share nothing but the store and
    the accounts file."""
    root = tmp_path_factory.mktemp("cluster")
    shutil.copytree(starter_store_dir, root / "store")
    server = OxigraphServer(root / "store")
    accounts_db = root / "accounts.sqlite"
    accounts = Accounts(accounts_db)
    token = accounts.create_token(
        "amy", f"{BASE}/id/organisations/leeds-city-council", "publisher"
    )[1]
    accounts.close()
    os.environ["LDR_ACCOUNTS_DB"] = str(accounts_db)
    try:
        a, b = instance(server, root / "a" / "store"), instance(server, root / "b" / "store")
    finally:
        del os.environ["LDR_ACCOUNTS_DB"]
    yield {"server": server, "a": a, "b": b, "token": token, "root": root}
    a.stop(stop_store=False)
    b.stop(stop_store=False)
    server.stop()


def submit(instance: Server, token: str, ref: str, title: str, etag: str | None = None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    body = exemplar(ref=ref, title=title).encode()
    if etag is None:
        return request(instance.url + "/exemplars", "POST", body, headers)
    return request(
        f"{instance.url}/doc/exemplars/{ref}", "PUT", body, {**headers, "If-Match": etag}
    )


def test_a_write_through_one_instance_is_seen_at_once_by_the_other(cluster):
    a, b = cluster["a"], cluster["b"]
    before = {
        path: request(b.url + path)[2]
        for path in (
            "/exemplars.json",
            "/search.json?q=damp",
            "/reports/exemplars-by-service-area.json",
        )
    }
    status, _, body = submit(
        a, cluster["token"], "damp-and-mould-reporting", "Damp and mould reporting"
    )
    assert status == 201, body
    for instance in (a, b):  # each worker of each instance, whichever answers
        for _ in range(4):
            listing = json.loads(request(instance.url + "/exemplars.json")[2])
            assert "Damp and mould reporting" in {i["title"] for i in listing["items"]}
            assert listing["total"] == json.loads(before["/exemplars.json"])["total"] + 1
            found = json.loads(request(instance.url + "/search.json?q=damp")[2])
            assert any(i["title"] == "Damp and mould reporting" for i in found["items"])
            facets = json.loads(request(instance.url + "/exemplars.json?status=submitted")[2])
            assert facets["total"] >= 1
            status, headers, _ = request(
                instance.url + "/doc/exemplars/damp-and-mould-reporting.ttl"
            )
            assert status == 200 and headers["ETag"].startswith('"v1-')
            report = request(instance.url + "/reports/exemplars-by-service-area.json")[2]
            assert report != before["/reports/exemplars-by-service-area.json"]
            answer = json.loads(
                request(
                    instance.url
                    + "/sparql?query="
                    + urllib.request.quote(
                        f"ASK {{ <{BASE}/id/exemplars/damp-and-mould-reporting> ?p ?o }}"
                    ),
                    headers={"Accept": "application/sparql-results+json"},
                )[2]
            )
            assert answer["boolean"] is True
    dumps = [request(i.url + "/dumps/registry.nq.gz")[1]["ETag"] for i in (a, b)]
    assert dumps[0] == dumps[1]


def test_if_match_is_decided_by_the_store_across_instances(cluster):
    a, b, token = cluster["a"], cluster["b"], cluster["token"]
    assert submit(a, token, "if-match-race", "Race one")[0] == 201
    etag = request(b.url + "/doc/exemplars/if-match-race.ttl")[1]["ETag"]
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda pair: submit(pair[0], token, "if-match-race", pair[1], etag),
                [(a, "Race two from A"), (b, "Race two from B")],
            )
        )
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200, 412], answers
    versions_seen = json.loads(request(a.url + "/doc/exemplars/if-match-race/versions")[2])[
        "versions"
    ]
    assert [v["version"] for v in versions_seen] == [1, 2]


ROUNDS = 4


def _write_next_versions(url: str, iri: str, writer: int, barrier, answers) -> None:
    """One writer process of the test below: its own connection and its own lock. In each round
    every writer, having read version n, writes version n + 1 at the same moment."""
    from registry.store.remote import RemoteStore
    from registry.vocab.model import load_model

    store, model = RemoteStore(url + "/query", url + "/update"), load_model(BASE)
    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")
    for read in range(1, ROUNDS + 1):
        title = f"Writer {writer} after version {read}"
        description = Graph().parse(
            data=exemplar(ref=iri.rsplit("/", 1)[1], title=title), format="turtle"
        )
        barrier.wait()
        try:
            versions.commit(
                store,
                model,
                {iri: description},
                publisher,
                note=title,
                activity="Revision",
                expected={iri: read},
            )
            answers.put((read, title, "written"))
        except versions.VersionConflict:
            answers.put((read, title, "conflict"))
        except Exception as exc:  # noqa: BLE001 - reported to the test
            answers.put((read, title, f"{type(exc).__name__}: {exc}"))
        barrier.wait()  # the next round starts when every writer has finished this one


def test_writers_in_many_processes_never_both_take_the_same_version(cluster, model):
    """Six processes, each with its own connection to the server and its own per-process lock,
    write the next version of one record at the same moment, all having read the current one;
    four rounds. The oxigraph server gives each update "repeatable read", so the store's own
    check is not enough there (without the claims this failed one run in three with a single
    round): in each round exactly one may succeed, and the record must end with exactly the
    last winner's description and versions 1 to 5."""
    from registry.store.remote import RemoteStore

    url = cluster["server"].url
    store = RemoteStore(url + "/query", url + "/update")
    iri = f"{BASE}/id/exemplars/many-writers"
    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")
    first = Graph().parse(data=exemplar(ref="many-writers", title="Many writers"), format="turtle")
    versions.commit(store, model, {iri: first}, publisher, note="one", activity="Submission")
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(6), context.Queue()
    writers = [
        context.Process(target=_write_next_versions, args=(url, iri, n, barrier, answers))
        for n in range(6)
    ]
    for writer in writers:
        writer.start()
    outcomes = [answers.get(timeout=120) for _ in range(6 * ROUNDS)]
    for writer in writers:
        writer.join(10)
    for read in range(1, ROUNDS + 1):
        this_round = sorted(outcome for n, _, outcome in outcomes if n == read)
        assert this_round == ["conflict"] * 5 + ["written"], (read, outcomes)
    last = next(title for n, title, outcome in outcomes if n == ROUNDS and outcome == "written")
    assert versions.current_versions(store, model, [iri]) == {iri: ROUNDS + 1}
    titles = {
        str(row["t"])
        for row in store.select(
            f"SELECT ?t WHERE {{ <{iri}> <http://purl.org/dc/terms/title> ?t }}"
        )
    }
    assert titles == {last}
    numbers = store.select(
        f"SELECT ?n WHERE {{ GRAPH ?h {{ ?v <http://purl.org/dc/terms/isVersionOf> <{iri}> ; "
        f"<{model.base.ldr}versionNumber> ?n }} }}"
    )
    assert sorted(int(row["n"]) for row in numbers) == list(range(1, ROUNDS + 2))


def test_a_claim_is_waited_for_while_alive_and_cleared_once_its_writer_is_long_gone(
    cluster, model, monkeypatch
):
    """A writer that died holding a claim must not lock its record for ever; one that is still
    writing must be waited for, and a writer that cannot get the record in time changes nothing."""
    import datetime

    from registry.store.base import StoreError
    from registry.store.remote import RemoteStore

    url = cluster["server"].url
    store = RemoteStore(url + "/query", url + "/update")
    iri, graph, ldr = f"{BASE}/id/exemplars/claimed", claims_graph(model), model.base.ldr
    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")

    def claim(name: str, age: float) -> None:
        at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=age)).isoformat()
        store.update(
            f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:test:{name}> <{ldr}claims> <{iri}> ; "
            f'<http://purl.org/dc/terms/created> "{at}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}'
        )

    claim("dead", versions.CLAIM_EXPIRES + 60)
    description = Graph().parse(data=exemplar(ref="claimed", title="Claimed"), format="turtle")
    versions.commit(store, model, {iri: description}, publisher, note="one", activity="Submission")
    assert versions.current_versions(store, model, [iri]) == {iri: 1}
    assert not store.ask(f"ASK {{ GRAPH <{graph}> {{ <urn:test:dead> ?p ?o }} }}")
    claim("alive", 0)
    monkeypatch.setattr(versions, "CLAIM_WAIT", 0.5)
    later = Graph().parse(data=exemplar(ref="claimed", title="Claimed again"), format="turtle")
    with pytest.raises(StoreError) as refused:
        versions.commit(
            store,
            model,
            {iri: later},
            publisher,
            note="two",
            activity="Revision",
            expected={iri: 1},
        )
    assert refused.value.status == 503 and "nothing was changed" in str(refused.value)
    assert versions.current_versions(store, model, [iri]) == {iri: 1}
    assert store.select(
        f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?c <{ldr}claims> <{iri}> }} }}"
    ) == [
        {"c": URIRef("urn:test:alive")}
    ]  # only the live claim: the refused writer withdrew its own
    store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ <urn:test:alive> ?p ?o }} }}")


def test_a_stale_write_is_refused_by_the_store_itself(store, model):
    """The check is in the update: a write prepared against version 1, sent after another
    process wrote version 2, changes nothing (the per-process lock plays no part)."""
    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")
    iri = f"{BASE}/id/exemplars/stale-check"
    first = Graph().parse(data=exemplar(ref="stale-check", title="Stale check"), format="turtle")
    versions.commit(store, model, {iri: first}, publisher, note="one", activity="Submission")
    current = versions.current_versions(store, model, [iri])
    late = Graph().parse(
        data=exemplar(ref="stale-check", title="Prepared too late"), format="turtle"
    )
    _, stale_update, proof = versions._conditional_update(
        model, {iri: late}, current, publisher, "late", "Revision", None
    )
    winner = Graph().parse(data=exemplar(ref="stale-check", title="Written first"), format="turtle")
    versions.commit(store, model, {iri: winner}, publisher, note="two", activity="Revision")
    store.update(stale_update)
    assert not store.ask(proof)
    assert versions.current_versions(store, model, [iri]) == {iri: 2}
    assert not store.ask('ASK { ?s ?p "Prepared too late"@en }')
    assert not store.ask(f"ASK {{ GRAPH ?g {{ ?c a <{model.base.ldr}PendingChange> }} }}")


def test_when_the_store_stops_reads_get_503_writes_nothing_and_it_recovers(cluster):
    a, server, token = cluster["a"], cluster["server"], cluster["token"]
    port, location = server.port, cluster["root"] / "store"
    server.stop()
    try:
        status, headers, body = request(a.url + "/doc/standards/uprn.ttl")
        assert status == 503 and headers.get("Retry-After"), body
        assert "not answering" in json.loads(body)["detail"]
        assert request(a.url + "/exemplars.json")[0] == 503
        query = request(
            a.url + "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"}
        )
        assert query[0] == 503 and query[1].get("Retry-After")
        status, _, body = submit(a, token, "while-down", "Written while the store was down")
        assert status == 503, body
    finally:
        server.restart(location, port)
    deadline = time.monotonic() + 60  # a bound for the event, generous for a loaded machine
    while request(a.url + "/doc/standards/uprn.ttl")[0] != 200:
        assert time.monotonic() < deadline, "the registry did not recover when the store came back"
        time.sleep(0.2)
    assert request(a.url + "/doc/exemplars/while-down.ttl")[0] == 404
    assert submit(a, token, "after-restart", "Written after the store came back")[0] == 201
