"""Stored queries, the query page, the vocabulary at /def/, the catalogue and the dumps."""

from __future__ import annotations

import gzip
import re

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.rdf.namespaces import REGISTERS, VOCABULARY
from tests.conftest import BASE, SHARED, close_app, make_app

DCAT_AP = SHARED / "ext" / "dcat-ap" / "html-shacl"
DCAT_AP_CORE = DCAT_AP / "shapes.ttl"
DCAT_AP_RANGES = DCAT_AP / "range.ttl"  # the class of every value: media types, pages, licences
OGL = URIRef("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "publishing")
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_stored_queries_an_analyst_needs_are_listed(client):
    names = {q["name"] for q in client.get("/queries.json").json["queries"]}
    assert {
        "standards-by-adoption-status",
        "exemplars-by-region-and-council-type",
        "platforms-and-their-users",
        "agreements-due-for-review",
    } <= names


@pytest.mark.parametrize(
    "suffix,media",
    [
        (".json", "application/sparql-results+json"),
        (".csv", "text/csv"),
        (".tsv", "text/tab-separated-values"),
        (".xml", "application/sparql-results+xml"),
        (".html", "text/html"),
    ],
)
def test_a_stored_query_answers_in_every_format(client, suffix, media):
    response = client.get(f"/queries/standards-by-adoption-status{suffix}?status=mandated")
    assert response.status_code == 200 and response.mimetype == media
    assert "Unique Property Reference Number" in response.data.decode()
    assert "Open Referral UK" not in response.data.decode()  # endorsed and adopted, not mandated


def test_parameters_are_bound_not_pasted(client):
    london = client.get("/queries/exemplars-by-region-and-council-type.json?region=london").json
    regions = {b["regionLabel"]["value"] for b in london["results"]["bindings"]}
    assert regions == {"London"}
    hostile = client.get(
        "/queries/exemplars-by-region-and-council-type.json?region=london> } UNION { ?s ?p ?o"
    )
    assert hostile.status_code == 400 and "is not one of" in hostile.json["detail"]
    unknown = client.get("/queries/exemplars-by-region-and-council-type.json?colour=red")
    assert unknown.status_code == 400 and "colour" in unknown.json["detail"]


def test_agreements_without_a_review_date_are_flagged(client):
    rows = client.get("/queries/agreements-due-for-review.json").json["results"]["bindings"]
    assert len(rows) == 3 and all(r["problem"]["value"] == "no review date given" for r in rows)


def test_the_query_page_serves_yasgui_locally(client):
    page = client.get("/query").data.decode()
    assert (
        'src="/vendor/yasgui/yasgui.min.js"' in page
        and 'href="/vendor/yasgui/yasgui.min.css"' in page
    )
    assert not re.search(r'(src|href)="(https?:)?//', page), (
        "the query page must load nothing from elsewhere"
    )
    script = client.get("/vendor/yasgui/yasgui.min.js")
    assert script.status_code == 200 and len(script.data) > 100_000
    assert client.get("/vendor/yasgui/yasgui.min.css").status_code == 200
    assert client.get("/vendor/yasgui/../../package.json").status_code == 404


def test_the_vocabulary_page_documents_terms_rules_and_examples(client):
    page = client.get("/def/", headers={"Accept": "text/html"}).data.decode()
    assert 'id="Exemplar"' in page and 'id="leadOrganisation"' in page
    assert "An exemplar must name its lead organisation" in page  # the shape rule
    assert 'href="/id/exemplars/' in page  # an example from the data
    assert "Council types" in page and "Metropolitan district council" in page


@pytest.mark.parametrize(
    "path,subject",
    [
        ("/def/ldr.ttl", "/def/ldr#Exemplar"),
        ("/def/shapes.ttl", "/def/shapes#Exemplar"),
        ("/def/region.ttl", "/def/region/london"),
        ("/def/council-type/UA.ttl", "/def/council-type/UA"),
    ],
)
def test_vocabulary_documents_dereference(client, path, subject):
    """Each /def/ page of this registry describes the term of the one vocabulary it is named after."""
    graph = Graph().parse(data=client.get(path).data, format="turtle")
    assert (URIRef(VOCABULARY + subject.removeprefix("/def/")), None, None) in graph


def test_the_catalogue_describes_every_register_and_conforms_to_dcat_ap(client):
    graph = Graph().parse(data=client.get("/catalogue.ttl").data, format="turtle")
    catalogue = URIRef(f"{BASE}/catalogue")
    datasets = set(graph.objects(catalogue, URIRef("http://www.w3.org/ns/dcat#dataset")))
    assert len(datasets) == len(REGISTERS)  # one dataset per register
    standards = URIRef(f"{BASE}/id/standards")
    entities = graph.value(standards, URIRef("http://rdfs.org/ns/void#entities")).toPython()
    assert entities >= 25
    if not (DCAT_AP_CORE.exists() and DCAT_AP_RANGES.exists()):
        pytest.skip(f"DCAT-AP shapes are not at {DCAT_AP}")
    shapes = Graph().parse(DCAT_AP_CORE).parse(DCAT_AP_RANGES)
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes)
    assert conforms, text
    broken = Graph() + graph
    broken.remove((catalogue, DCTERMS.title, None))
    assert not pyshacl.validate(broken, shacl_graph=shapes)[0], (
        "the DCAT-AP check must be able to fail"
    )


def test_the_catalogue_states_the_licence_of_the_data_and_of_every_distribution(client):
    graph = Graph().parse(data=client.get("/catalogue.ttl").data, format="turtle")
    assert (URIRef(f"{BASE}/catalogue"), DCTERMS.license, OGL) in graph
    assert str(graph.value(OGL, DCTERMS.title)) == "Open Government Licence v3.0"
    distributions = set(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Distribution")))
    # each register through SPARQL, and the two dumps
    assert len(distributions) == len(REGISTERS) + 2
    assert {d for d in distributions if (d, DCTERMS.license, OGL) in graph} == distributions
    page = client.get("/catalogue.html").data.decode()
    assert "Open Government Licence v3.0" in page


@pytest.mark.parametrize("path", ["/catalogue.html", "/doc/exemplars.html"])
def test_the_catalogue_page_reads_in_words(client, path):
    page = client.get(path).data.decode()
    headings = [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>', page, re.S)
    ]
    assert headings, page[:1000]
    internal = [
        h for h in headings if re.search(r"[a-z][A-Z]|^[a-z]|:", h)
    ]  # dataDump, dataset, void:…
    assert not internal, headings
    values = " ".join(re.findall(r'<dd class="govuk-summary-list__value">(.*?)</dd>', page, re.S))
    shown = re.sub(r"<[^>]+>", " ", values)
    assert "#publisher" not in shown  # the owner by name, not its address
    if path == "/catalogue.html":
        assert {"Data dumps", "Datasets", "SPARQL endpoint", "Vocabulary", "Publisher"} <= set(
            headings
        ), headings
        assert re.search(
            r'<dt class="govuk-summary-list__key">Publisher</dt>\s*<dd[^>]*>'
            r'<a class="govuk-link" href="/catalogue#publisher">Local Digital Registry</a>',
            page,
        )


def test_another_licence_can_be_stated_and_a_wrong_one_is_refused(
    tmp_path_factory, starter_store_dir
):
    cc_by = "https://creativecommons.org/licenses/by/4.0/"
    other = make_app(
        tmp_path_factory,
        starter_store_dir,
        "licence",
        LDR_DATA_LICENCE=cc_by,
        LDR_DATA_LICENCE_TITLE="Creative Commons Attribution 4.0 International",
    )
    try:
        graph = Graph().parse(data=other.test_client().get("/catalogue.ttl").data, format="turtle")
        assert graph.value(URIRef(f"{BASE}/catalogue"), DCTERMS.license) == URIRef(cc_by)
    finally:
        close_app(other)
    from registry.runtime.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="LDR_DATA_LICENCE must be the http"):
        load_settings({}, environ={"LDR_DATA_LICENCE": "OGL v3"})


def test_registers_dereference(client):
    assert client.get("/id/agreements").status_code == 303
    graph = Graph().parse(data=client.get("/doc/agreements.ttl").data, format="turtle")
    assert (
        str(graph.value(URIRef(f"{BASE}/id/agreements"), DCTERMS.title))
        == "Data-sharing agreements"
    )


def test_dumps_are_complete_and_kept_current(app, client):
    first = client.get("/dumps/registry.nq.gz")
    assert first.status_code == 200
    quads = list(ox.parse(gzip.decompress(first.data), ox.RdfFormat.N_QUADS))
    assert any(q.subject == ox.NamedNode(f"{BASE}/id/standards/csvw") for q in quads)
    turtle_text = gzip.decompress(client.get("/dumps/registry.ttl.gz").data).decode()
    for prefix in (
        "dcterms: <http://purl.org/dc/terms/>",
        "skos: <http://www.w3.org/2004/02/skos/core#>",
        f"ldr: <{VOCABULARY}ldr#>",
    ):
        assert f"@prefix {prefix} ." in turtle_text, f"the Turtle dump lacks @prefix {prefix}"
    assert re.search(r"^\S+ a dcterms:Standard", turtle_text, re.M), (
        "the Turtle dump should use its prefixes"
    )
    turtle = Graph().parse(data=turtle_text, format="turtle")
    assert (URIRef(f"{BASE}/id/standards/csvw"), RDF.type, DCTERMS.Standard) in turtle
    assert (
        client.get(
            "/dumps/registry.nq.gz", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    # A change to the registry makes new dumps.
    from registry.records import versions

    store, model = app.extensions["ldr.registry"].store, app.extensions["ldr.registry"].model
    csvw = f"{BASE}/id/standards/csvw"
    record = versions.current_record(store, model, csvw)
    record.add((URIRef(csvw), DCTERMS.alternative, Literal("CSVW")))
    versions.commit(
        store, model, {csvw: record}, versions.COMMAND_LINE, note="Short name", activity="Revision"
    )
    app.extensions["ldr.registry"].queries.refresh()
    second = client.get("/dumps/registry.nq.gz")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert b"CSVW" in gzip.decompress(second.data)


def test_home_lists_every_register_with_its_size(client):
    page = client.get("/").data.decode()
    for register in (
        "organisations",
        "exemplars",
        "platforms",
        "standards",
        "agreements",
        "products",
        "guides",
    ):
        assert f'href="/{register}"' in page
    assert "Standards</a> (32)" in page


def test_a_register_page_lists_its_records_by_title(client):
    page = client.get("/platforms").data.decode()
    assert (
        page.index("Contracts Finder") < page.index("GOV.UK Notify") < page.index("OS Places API")
    )
    assert 'href="/id/platforms/govuk-notify"' in page
    assert client.get("/widgets").status_code == 404


def test_a_browser_asking_for_the_endpoint_gets_the_query_page(client):
    response = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/query")
    assert client.get("/sparql", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_which_standards_apply_to_a_service_area(client):
    everything = client.get("/queries/standards-that-apply.json").json["results"]["bindings"]
    planning = client.get("/queries/standards-that-apply.json?service_area=planning").json[
        "results"
    ]["bindings"]
    titles = {b["title"]["value"] for b in planning}
    assert "Brownfield land register data standard" in titles  # names planning
    assert "ISO 8601 date and time format" in titles  # applies to every service
    assert "Unique Property Reference Number (UPRN)" not in titles  # names another service area
    assert len(everything) > len(planning) > 0
    statuses = {b["statusLabel"]["value"] for b in everything}
    assert "Under review" not in statuses and "Mandated" in statuses
    assert all("statedAt" in b for b in everything)
    assert (
        client.get("/queries/standards-that-apply.csv?service_area=housing").mimetype == "text/csv"
    )


def test_which_standards_apply_to_a_kind_of_product(client):
    def titles(query):
        rows = client.get(f"/queries/standards-that-apply.json?{query}").json["results"]["bindings"]
        return {b["title"]["value"] for b in rows}

    directory = titles("product_kind=service-directory")
    assert "Open Referral UK" in directory  # meant for service directories
    assert "UTF-8 character encoding" in directory  # applies to every product
    assert "Open Contracting Data Standard (OCDS)" not in directory  # meant for procurement systems
    api = titles("product_kind=web-api")
    assert {"OAuth 2.0", "OpenAPI Specification 3"} <= api and "Open Referral UK" not in api
    both = titles("product_kind=planning-and-land-data&service_area=planning")
    assert "Brownfield land register data standard" in both and "HL7 FHIR UK Core" not in both
    page = client.get("/queries/standards-that-apply.html?product_kind=service-directory")
    assert page.status_code == 200 and b"Open Referral UK" in page.data
    csv = client.get("/queries/standards-that-apply.csv?product_kind=web-api")
    assert csv.mimetype == "text/csv" and "OpenAPI Specification 3" in csv.get_data(as_text=True)
    unknown = client.get("/queries/standards-that-apply.json?product_kind=spaceship")
    assert unknown.status_code == 400 and "product_kind" in unknown.get_data(as_text=True)
