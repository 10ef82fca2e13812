"""The registry's core on a real SPARQL server: the `oxigraph` package's server, started and
stopped here. The same functions as on the embedded store: init, validate, submit, revise,
change status, versions, describe and the search index."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from registry.bulk import loader
from registry.rdf.namespaces import VOCABULARY
from registry.records import registration, versions
from registry.records.versions import Agent
from registry.search.sqlite_fts import SqliteSearchIndex as SearchIndex
from registry.store import StoreError
from registry.store.remote import RemoteStore
from registry.views.item import describe_item
from tests.conftest import BASE
from tests.oxigraph_server import OxigraphServer, free_port
from tests.test_registration import exemplar


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote(server, model):
    store = RemoteStore(server.url + "/query", server.url + "/update")
    outcome = loader.init_store(store, model, 1 << 26)
    assert outcome.written, outcome.report.render()
    return store


def test_init_loads_the_starter_data_onto_the_server(remote, model):
    assert remote.ask(f"ASK {{ <{BASE}/id/standards/uprn> a <http://purl.org/dc/terms/Standard> }}")
    assert len(versions.registered_items(remote, model, "standards")) == 32


def test_submit_revise_status_and_history_on_the_server(remote, model):
    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")
    steward = Agent("sam", f"{BASE}/id/organisations/government-digital-service", "steward")
    graph = Graph().parse(data=exemplar(ref="remote-one", title="Remote one"), format="turtle")
    result = registration.submit(remote, model, graph, publisher, register="exemplars")
    iri = f"{BASE}/id/exemplars/remote-one"
    assert result.versions == {iri: 1}
    changed = Graph().parse(
        data=exemplar(ref="remote-one", title="Remote one, renamed"), format="turtle"
    )
    registration.revise(remote, model, iri, changed, publisher, expected_version=1)
    with pytest.raises(registration.RegistrationError) as stale:
        registration.revise(remote, model, iri, changed, publisher, expected_version=1)
    assert stale.value.kind == "precondition"
    registration.change_status(remote, model, iri, "stable", steward)
    entries = versions.history(remote, model, iri)
    assert [e["activity"] for e in entries] == ["Submission", "Revision", "StatusChange"]
    current = remote.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}/doc/exemplars/remote-one> {{ ?s ?p ?o }} }}"
    )
    assert isomorphic(current, versions.version_graph(remote, model, iri, 3))
    titles = [
        str(r["t"])
        for r in remote.select(f"SELECT ?t WHERE {{ <{iri}> <http://purl.org/dc/terms/title> ?t }}")
    ]
    assert titles == ["Remote one, renamed"]  # the default graph holds only the current version
    described = describe_item(remote, model, "exemplars", "remote-one")
    assert (
        str(described.value(URIRef(f"{BASE}/id/organisations/leeds-city-council"), DCTERMS.title))
        == "Leeds City Council"
    )


def test_the_search_index_builds_from_the_server(remote, model, tmp_path):
    index = SearchIndex(tmp_path / "index.sqlite")
    try:
        assert index.rebuild(remote, model) >= 122
        hits, total = index.listing(None, {}, query="care record")
        assert total >= 3
    finally:
        index.close()


def test_an_unreachable_server_is_a_clear_store_error(model):
    store = RemoteStore(
        f"http://127.0.0.1:{free_port()}/query", f"http://127.0.0.1:{free_port()}/update", timeout=2
    )
    with pytest.raises(StoreError, match="did not answer"):
        store.ask("ASK {}")


def test_export_through_the_graph_store_protocol_matches_the_sparql_export(
    remote, server, tmp_path
):
    """`ldr export` on a server: with LDR_SPARQL_GSP_URL the dataset comes in one GET, and it is
    the same dataset the SPARQL route gives."""
    from rdflib import Dataset
    from rdflib.compare import to_isomorphic

    from tests.test_cli import run

    out = tmp_path / "all.nq"
    exported = run("export", "--format", "nquads", "-o", str(out), env=server.settings())
    assert exported.returncode == 0, exported.stderr
    by_gsp = Dataset().parse(out, format="nquads")
    by_sparql = Dataset().parse(data=remote.dump("nquads"), format="nquads")
    assert len(by_gsp) == len(by_sparql) > 1000
    for name in (f"{BASE}/doc/standards/uprn", f"{VOCABULARY}shapes"):
        assert to_isomorphic(by_gsp.graph(URIRef(name))) == to_isomorphic(
            by_sparql.graph(URIRef(name))
        )


def test_exporting_a_server_leaves_the_default_registrys_listing_alone(
    remote, server, model, store_dir, tmp_path
):
    """A developer serves var/store and exports the registry on a SPARQL server: the export only
    reads, so the listing of the registry they serve is as it was (it once took the server's
    records, and lost its own until `ldr reindex`)."""
    from registry.store import EmbeddedStore
    from tests.test_cli import run

    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")
    served = EmbeddedStore(store_dir)
    try:  # the developer's own registry has a submission of its own, then the server gets one
        registration.submit(
            served,
            model,
            Graph().parse(data=exemplar(ref="served-one", title="Served one"), format="turtle"),
            publisher,
            register="exemplars",
        )
    finally:
        served.close()
    assert run("reindex", store=store_dir).returncode == 0
    registration.submit(
        remote,
        model,
        Graph().parse(data=exemplar(ref="remote-two", title="Remote two"), format="turtle"),
        publisher,
        register="exemplars",
    )
    index_file = store_dir.with_name(store_dir.name + ".index.sqlite")

    def listed() -> list[str]:
        index = SearchIndex(index_file)
        try:
            return sorted(hit.iri for hit in index.listing(None, {}, per_page=1000)[0])
        finally:
            index.close()

    before = listed()
    exported = run(
        "export",
        "--format",
        "nquads",
        "-o",
        str(tmp_path / "all.nq"),
        env={**server.settings(), "LDR_STORE_DIR": str(store_dir)},
    )
    assert exported.returncode == 0, exported.stderr
    after = listed()
    assert f"{BASE}/id/exemplars/remote-two" not in after
    assert after == before and f"{BASE}/id/exemplars/served-one" in before


def test_several_workers_need_a_server(tmp_path):
    from tests.test_cli import run

    refused = run("serve", "--workers", "2", store=tmp_path / "store")
    assert refused.returncode == 2 and "LDR_STORE=sparql" in refused.stderr
