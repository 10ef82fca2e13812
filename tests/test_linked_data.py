"""Dereferenceable IRIs: content negotiation, suffixes, caching headers, errors — and every
format parsed again by a second, independent parser (pyoxigraph, pyld)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from tests.conftest import BASE, app_over, close_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
UPRN = URIRef(f"{BASE}/id/standards/uprn")


@pytest.fixture(scope="module")
def client(starter_store_dir, tmp_path_factory):
    import shutil

    path = tmp_path_factory.mktemp("ld") / "store"
    shutil.copytree(starter_store_dir, path)
    app = app_over(path)
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize(
    "accept,media",
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        (BROWSER, "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle"),
        ("text/*;q=0.5, application/n-triples", "application/n-triples"),
        ("application/*", "application/ld+json"),
        ("text/turtle;q=0, */*;q=0.1", "text/html"),
    ],
)
def test_accept_with_q_values_and_wildcards(client, accept, media):
    response = client.get("/doc/standards/uprn", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media


@pytest.mark.parametrize(
    "suffix,media",
    [
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
        (".html", "text/html"),
    ],
)
def test_suffix_chooses_the_format_whatever_accept_says(client, suffix, media):
    response = client.get(f"/doc/standards/uprn{suffix}", headers={"Accept": "image/png"})
    assert response.status_code == 200 and response.mimetype == media


def test_vary_link_etag_and_cache_control(client):
    turtle = client.get("/doc/standards/uprn", headers={"Accept": "text/turtle"})
    html = client.get("/doc/standards/uprn", headers={"Accept": "text/html"})
    assert turtle.headers["Vary"] == "Accept"
    links = turtle.headers["Link"]
    for suffix, media in [
        (".html", "text/html"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
    ]:
        assert f'</doc/standards/uprn{suffix}>; rel="alternate"; type="{media}"' in links
    assert "text/turtle" not in links
    assert (
        turtle.headers["ETag"]
        and html.headers["ETag"]
        and turtle.headers["ETag"] != html.headers["ETag"]
    )
    assert "max-age=60" in turtle.headers["Cache-Control"]
    again = client.get(
        "/doc/standards/uprn",
        headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["ETag"]},
    )
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == turtle.headers["ETag"]
    other = client.get(
        "/doc/standards/uprn",
        headers={"Accept": "text/html", "If-None-Match": turtle.headers["ETag"]},
    )
    assert other.status_code == 200


def test_id_answers_303_to_doc(client):
    response = client.get("/id/platforms/govuk-pay")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/doc/platforms/govuk-pay"
    )


def test_unknown_reference_is_html_for_browsers_and_problem_json_for_clients(client):
    page = client.get("/doc/standards/nothing-here", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert b"nothing-here" in page.data and b"/standards" in page.data
    data = client.get("/doc/standards/nothing-here", headers={"Accept": "application/json"})
    assert data.status_code == 404 and data.mimetype == "application/problem+json"
    assert "nothing-here" in data.json["detail"]


def test_406_lists_the_available_formats(client):
    response = client.get("/doc/standards/uprn", headers={"Accept": "image/png"})
    assert response.status_code == 406
    for media in (
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
        "text/html",
    ):
        assert media in response.json["detail"]


def test_description_includes_labels_and_types_of_linked_things(client):
    graph = Graph().parse(
        data=client.get("/doc/exemplars/open-community-directory.ttl").data, format="turtle"
    )
    oruk = URIRef(f"{BASE}/id/standards/open-referral-uk")
    assert str(graph.value(oruk, DCTERMS.title)) == "Open Referral UK"
    assert (
        oruk,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        DCTERMS.Standard,
    ) in graph


@pytest.mark.parametrize(
    "suffix,fmt",
    [
        (".ttl", ox.RdfFormat.TURTLE),
        (".nt", ox.RdfFormat.N_TRIPLES),
        (".rdf", ox.RdfFormat.RDF_XML),
    ],
)
def test_outputs_parse_in_pyoxigraph_to_the_same_triples(client, suffix, fmt):
    reference = Graph().parse(
        data=client.get("/doc/agreements/leeds-care-record.nt").data, format="nt"
    )
    data = client.get(f"/doc/agreements/leeds-care-record{suffix}").data
    from registry.rdf.rdfio import to_rdflib

    graph = Graph()
    for quad in ox.parse(data, fmt):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    assert isomorphic(graph, reference)


def test_json_ld_embeds_the_published_context_and_uses_plain_keys(client):
    doc = client.get("/doc/exemplars/localgov-drupal.jsonld").json
    assert doc["@context"] == client.get("/def/context.jsonld").json["@context"]
    assert doc["title"] == "LocalGov Drupal"
    assert doc["leadOrganisation"][0]["title"] in (
        "Brighton and Hove City Council",
        "London Borough of Croydon",
    )
    assert isinstance(doc["funding"], list) and doc["funding"][0]["type"] == "FundingAward"


def test_json_ld_means_the_same_as_turtle_when_read_by_pyld(client):
    def loader(url, options=None):
        raise AssertionError(f"pyld tried to fetch {url}")

    doc = client.get("/doc/agreements/greater-manchester-care-record.jsonld").json
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    from_pyld = Graph().parse(data=nquads, format="nquads")
    turtle = Graph().parse(
        data=client.get("/doc/agreements/greater-manchester-care-record.ttl").data, format="turtle"
    )
    assert isomorphic(Graph() + from_pyld, turtle)


def test_html_page_uses_labels_from_the_shapes_and_links_locally(client):
    page = client.get("/doc/exemplars/bops.html").data.decode()
    assert '<h1 class="govuk-heading-l">Back-office Planning System (BOPS)</h1>' in page
    assert "Lead organisation" in page and "Problem it solves" in page
    assert 'href="/doc/organisations/london-borough-of-southwark"' not in page
    assert 'href="/id/organisations/london-borough-of-southwark"' in page
    assert '<script type="application/ld+json">' in page
    for suffix in (".ttl", ".jsonld", ".rdf", ".nt"):
        assert f'href="/doc/exemplars/bops{suffix}"' in page
