"""Labels in the languages a deployment asks for (LDR_LANGUAGES): a Welsh registry shows the
vocabulary's Welsh labels where it has them, and English where it has not."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SH, SKOS

from registry.runtime.settings import SettingsError, load_settings
from registry.store.embedded import EmbeddedStore
from registry.vocab.model import load_model, preferred
from tests.conftest import BASE, app_over, close_app

LIVE = URIRef("https://w3id.org/local-digital-registry/def/phase/live")
SCHEMES = "https://w3id.org/local-digital-registry/def/schemes"
PHASE_SHAPE = URIRef("https://w3id.org/local-digital-registry/def/shapes#exemplarPhase")
EXEMPLARS = URIRef(f"{BASE}/id/exemplars")


def test_the_first_wanted_language_wins_then_no_tag_then_any():
    values = [Literal("Live", lang="en"), Literal("Byw", lang="cy"), Literal("live")]
    assert str(preferred(values, ("cy", "en"))) == "Byw"
    assert str(preferred(values, ("en",))) == "Live"
    assert str(preferred(values, ("fr",))) == "live"  # no tag before another language
    assert str(preferred([Literal("Live", lang="en-GB")], ("en",))) == "Live"
    assert str(preferred([Literal("B", lang="de"), Literal("A", lang="fr")], ("cy",))) == "A"
    assert preferred([], ("en",)) is None


def test_languages_setting_is_read_and_checked(tmp_path):
    assert load_settings(environ={})["LDR_LANGUAGES"] == ("en",)
    assert load_settings(environ={"LDR_LANGUAGES": "CY, en"})["LDR_LANGUAGES"] == ("cy", "en")
    config = tmp_path / "ldr.toml"
    config.write_text('languages = ["cy", "en"]\n', encoding="utf-8")
    assert load_settings(environ={"LDR_CONFIG": str(config)})["LDR_LANGUAGES"] == ("cy", "en")
    with pytest.raises(SettingsError, match="LDR_LANGUAGES"):
        load_settings(environ={"LDR_LANGUAGES": "Welsh please"})


@pytest.fixture
def welsh_store(tmp_path, starter_store_dir):
    """The starter store, its copy of the vocabulary given a few Welsh labels (as a Welsh
    deployment's ontology files would give them), and the vocabulary as a Welsh registry reads it."""
    path = tmp_path / "store"
    shutil.copytree(starter_store_dir, path)
    store = EmbeddedStore(path)
    # where `ldr init` puts the vocabulary: the default graph, and the graph of its file
    triple = f'<{LIVE}> <{SKOS.prefLabel}> "Byw"@cy'
    store.update(f"INSERT DATA {{ {triple} . GRAPH <{SCHEMES}> {{ {triple} }} }}")
    store.close()
    model = load_model(BASE, ("cy", "en"))
    model.ontology.add((LIVE, SKOS.prefLabel, Literal("Byw", lang="cy")))
    model.ontology.add((EXEMPLARS, RDFS.label, Literal("Enghreifftiau", lang="cy")))
    model.shapes.add((PHASE_SHAPE, SH.name, Literal("Cyfnod", lang="cy")))
    model.memo.clear()
    return path


def test_a_welsh_registry_shows_welsh_labels_and_english_where_none(welsh_store):
    app = app_over(welsh_store, LDR_LANGUAGES="cy,en")
    try:
        client = app.test_client()
        home = client.get("/").get_data(as_text=True)
        assert 'href="/exemplars">Enghreifftiau<' in home
        assert 'href="/platforms">Platforms<' in home  # no Welsh label: English
        listing = client.get("/exemplars?phase=live").get_data(as_text=True)
        assert "Byw" in listing and "Cheshire Care Record" in listing
        found = client.get("/search?q=cheshire+care").get_data(as_text=True)
        assert "Enghreifftiau (" in found  # the register filter
        assert "Enghreifftiau · Stable" in found  # each result's register and status
        page = client.get(
            "/doc/exemplars/cheshire-care-record", headers={"Accept": "text/html"}
        ).get_data(as_text=True)
        assert "Cyfnod" in page and "Byw" in page
        assert "Service area" in page  # no Welsh name for this field: English
        phases = dict(map(tuple, client.get("/reports/exemplars-by-phase.json").json["rows"]))
        assert phases.get("Byw", 0) >= 1 and "Live" not in phases
        vocabulary = client.get("/def/", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "Byw" in vocabulary and "Cyfnod" in vocabulary
    finally:
        close_app(app)


def test_the_same_store_in_english_shows_english_labels(welsh_store):
    """Served in Welsh first, then in English: the index's facet labels follow the languages."""
    welsh = app_over(welsh_store, LDR_LANGUAGES="cy,en")
    assert "Byw" in welsh.test_client().get("/exemplars").get_data(as_text=True)
    close_app(welsh)
    app = app_over(welsh_store)
    try:
        client = app.test_client()
        assert 'href="/exemplars">Exemplars<' in client.get("/").get_data(as_text=True)
        page = client.get(
            "/doc/exemplars/cheshire-care-record", headers={"Accept": "text/html"}
        ).get_data(as_text=True)
        assert "Live" in page and "Byw" not in page and "Cyfnod" not in page
        listing = client.get("/exemplars?phase=live").get_data(as_text=True)
        assert "Byw" not in listing
    finally:
        close_app(app)
