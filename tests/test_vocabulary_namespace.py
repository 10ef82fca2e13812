"""One vocabulary namespace for every deployment (docs/vocabulary.md), and moving a store made
when each deployment named the vocabulary under its own LDR_BASE."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_isomorphic

from registry.bulk import loader
from registry.store import EmbeddedStore
from registry.vocab.model import load_model
from tests.conftest import BASE, ROOT, app_over, close_app, make_app, store_settings
from tests.ports import free_port

LDR = str(Path(sys.executable).parent / "ldr")
#: written as an analyst copies it from docs/vocabulary.md, not taken from the code
PUBLISHED = "https://w3id.org/local-digital-registry/def/"
QUERY = f"""PREFIX ldr: <{PUBLISHED}ldr#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?title WHERE {{ ?s a ldr:Platform ; ldr:phase <{PUBLISHED}phase/live> ; dcterms:title ?title }} ORDER BY ?title"""
OTHER_BASE = "https://registry.example.org"


@pytest.fixture(scope="module")
def other_registry(tmp_path_factory, settings):
    """A second registry, initialised under another LDR_BASE."""
    path = tmp_path_factory.mktemp("other") / "store"
    store = EmbeddedStore(path, create=True)
    assert loader.init_store(store, load_model(OTHER_BASE), settings["LDR_MAX_INPUT_BYTES"]).written
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "namespace")
    yield app.test_client()
    close_app(app)


def test_the_documented_namespace_is_the_one_the_registry_uses():
    text = (ROOT / "docs" / "vocabulary.md").read_text()
    assert f"`{PUBLISHED}`" in text and f"`{PUBLISHED}ldr#`" in text
    assert load_model(BASE).base.ldr == URIRef(PUBLISHED + "ldr#")


def test_a_query_written_for_one_registry_runs_unchanged_on_another(starter_store, other_registry):
    here = [str(row["title"]) for row in starter_store.select(QUERY)]
    there = [str(row["title"]) for row in other_registry.select(QUERY)]
    assert here == there and "GOV.UK Pay" in here
    # the records stay under each registry's own base
    assert {
        str(r["s"]).rsplit("/id/", 1)[0]
        for r in other_registry.select(f"SELECT ?s WHERE {{ ?s a <{PUBLISHED}ldr#Platform> }}")
    } == {OTHER_BASE}


def test_the_shapes_are_the_same_in_every_registry(starter_store, other_registry):
    """A shape written against one registry's vocabulary applies to another's data."""
    shapes = URIRef(PUBLISHED + "shapes")
    here = starter_store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{shapes}> {{ ?s ?p ?o }} }}"
    )
    there = other_registry.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{shapes}> {{ ?s ?p ?o }} }}"
    )
    assert len(here) > 500 and to_isomorphic(here) == to_isomorphic(there)


def test_the_vocabulary_pages_here_show_the_one_namespace(client):
    page = client.get("/def/", headers={"Accept": "text/html"}).data.decode()
    assert f"<code>{PUBLISHED}</code>" in page and f"<code>{PUBLISHED}ldr#Exemplar</code>" in page
    turtle = client.get("/def/phase/alpha.ttl").data.decode()
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(PUBLISHED + "phase/alpha"), None, None) in graph


def test_pages_link_the_vocabulary_to_its_pages_here(client):
    """A record's page links a phase to this registry's /def/ page about it, not to w3id.org."""
    page = client.get("/doc/platforms/govuk-pay", headers={"Accept": "text/html"}).data.decode()
    assert 'href="/def/phase/live"' in page
    turtle = client.get("/doc/platforms/govuk-pay.ttl").data.decode()
    assert f"{PUBLISHED}phase/live" in turtle or f"<{PUBLISHED}phase/> " in turtle


# --- a store made before the change -----------------------------------------------------


def _ldr(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LDR, *args],
        capture_output=True,
        text=True,
        timeout=540,
        env={**os.environ, "LDR_BASE": BASE, **(env or {})},
    )


def _as_before(dump: bytes) -> bytes:
    """The dump as the code before the change wrote it: the vocabulary under LDR_BASE."""
    return dump.replace(f"<{PUBLISHED}".encode(), f"<{BASE}/def/".encode())


def _dataset(store) -> Dataset:
    return Dataset().parse(data=store.dump("nquads"), format="nquads")


def _same(a: Dataset, b: Dataset) -> bool:
    names = lambda d: {str(g.identifier) for g in d.graphs() if len(g)}
    return names(a) == names(b) and all(
        to_isomorphic(a.graph(URIRef(n))) == to_isomorphic(b.graph(URIRef(n))) for n in names(a)
    )


@pytest.fixture
def old_store(tmp_path, starter_store):
    """A store as the previous code left it, loaded through the store API."""
    dump = tmp_path / "old.nq.gz"
    dump.write_bytes(gzip.compress(_as_before(starter_store.dump("nquads"))))
    path = tmp_path / "old"
    store = EmbeddedStore(path, create=True)
    store.bulk_load(dump)
    assert store.ask(f"ASK {{ GRAPH <{BASE}/def/ldr> {{ ?s ?p ?o }} }}")
    store.close()
    return path


def test_init_and_serve_on_an_old_store_say_how_to_move_it_and_the_move_works(
    old_store, starter_store
):
    owner: dict = {}
    env = store_settings(old_store, owner)
    try:
        for command in (["init"], ["serve", "--port", str(free_port())]):
            refused = _ldr(*command, "--store", str(old_store), env=env)
            assert refused.returncode == 2, (command, refused.stdout, refused.stderr)
            assert f"ldr migrate-vocabulary --store {old_store}" in refused.stderr
            assert (
                f"{BASE}/def/" in refused.stderr
                and PUBLISHED in refused.stderr
                and "Traceback" not in refused.stderr
            )

        moved = _ldr("migrate-vocabulary", "--store", str(old_store), env=env)
        assert moved.returncode == 0, moved.stderr
        assert "Moved" in moved.stdout and "indexed" in moved.stdout

        again = _ldr(
            "migrate-vocabulary", "--store", str(old_store), env=env
        )  # running it twice is harmless
        assert again.returncode == 0 and "Nothing to move" in again.stdout, again.stderr
        if "test.oxigraph" in owner:
            owner.pop("test.oxigraph").stop()
        assert _ldr("init", "--store", str(old_store)).returncode == 0  # and init is content again
    finally:
        if "test.oxigraph" in owner:
            owner["test.oxigraph"].stop()

    moved_store = EmbeddedStore(old_store)
    try:
        assert _same(_dataset(moved_store), _dataset(starter_store))
        assert not moved_store.ask(
            f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?p), '{BASE}/def/')) }}"
        )
    finally:
        moved_store.close()


def test_the_rebuilt_index_finds_records_by_their_moved_concepts(old_store):
    owner: dict = {}
    env = store_settings(old_store, owner)
    try:
        assert _ldr("migrate-vocabulary", "--store", str(old_store), env=env).returncode == 0
    finally:
        if "test.oxigraph" in owner:
            owner["test.oxigraph"].stop()
    app = app_over(old_store)
    try:
        listed = app.test_client().get("/platforms.json?phase=live")
        assert listed.status_code == 200, listed.data
        assert "GOV.UK Pay" in listed.data.decode()
    finally:
        close_app(app)


def test_the_vocabulary_page_lists_registration_statuses_in_the_order_a_record_goes_through_them(
    client,
):
    page = client.get("/def/", headers={"Accept": "text/html"}).data.decode()
    order = ["Submitted", "Experimental", "Stable", "Superseded", "Retired", "Invalid"]
    places = [page.index(f'id="concept-status{status}"') for status in order]
    assert places == sorted(places)
