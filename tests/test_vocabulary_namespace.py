"""One vocabulary namespace for every deployment (docs/vocabulary.md)."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic

from registry import loader
from registry.model import load_model
from registry.store import EmbeddedStore
from tests.conftest import BASE, ROOT, close_app, make_app

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
    assert {str(r["s"]).rsplit("/id/", 1)[0] for r in other_registry.select(
        f"SELECT ?s WHERE {{ ?s a <{PUBLISHED}ldr#Platform> }}")} == {OTHER_BASE}


def test_the_shapes_are_the_same_in_every_registry(starter_store, other_registry):
    """A shape written against one registry's vocabulary applies to another's data."""
    shapes = URIRef(PUBLISHED + "shapes")
    here = starter_store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{shapes}> {{ ?s ?p ?o }} }}")
    there = other_registry.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{shapes}> {{ ?s ?p ?o }} }}")
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
