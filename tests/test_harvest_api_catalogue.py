"""The UK API catalogue's mappings (registry/harvest/kinds/api_catalogue.py) on the real
catalogue and federated lists in ../shared, and on broken copies of them: what a steward sees
after a harvest run (which APIs became records, with what, and every problem in words)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

from registry.harvest.kinds import Context
from registry.harvest.kinds.api_catalogue import READERS, read_catalogue, read_list
from registry.rdf.namespaces import LDR, REG, VCARD, vocabulary_iri
from registry.records.validation import validate_graph
from tests.conftest import BASE, SHARED

FOLDER = SHARED / "data" / "api-catalogue"
CATALOGUE = FOLDER / "catalogue.csv"
ADDRESS = "https://raw.githubusercontent.com/co-cddo/api-catalogue/main/data/catalogue.csv"
SOURCE = URIRef(f"{BASE}/id/sources/uk-api-catalogue")
GDS = f"{BASE}/id/organisations/government-digital-service"
ORDNANCE_SURVEY = f"{BASE}/id/organisations/ordnance-survey"
HEADER = (
    "dateAdded,dateUpdated,url,name,description,documentation,license,maintainer,areaServed,"
    "startDate,endDate,provider"
)


def first(graph: Graph, predicate: URIRef):
    """The object of the first statement with this predicate in a record, or None."""
    return next(graph.objects(None, predicate), None)


def item(reference: str) -> str:
    return f"{BASE}/id/apis/{reference}"


@pytest.fixture(scope="module")
def organisations(starter_store):
    """The organisations registered in the starter store, as a harvest run is given them."""
    rows = starter_store.select(
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX org: <http://www.w3.org/ns/org#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?o ?name WHERE { ?o a/rdfs:subClassOf* org:Organization ; "
        "dcterms:title|dcterms:alternative|skos:altLabel ?name }"
    )
    return {str(row["name"]).lower(): str(row["o"]) for row in rows}


def shared_file(name: str) -> bytes:
    return (FOLDER / name).read_bytes()


def context(model, organisations, *, related=shared_file, address=ADDRESS, owner=GDS):
    return Context(
        model=model,
        source=SOURCE,
        address=address,
        owner=URIRef(owner),
        organisations=organisations,
        related=related,
    )


def kinds(mapped) -> Counter:
    return Counter((p.severity, p.field) for p in mapped.problems)


def source_record(address: str, owner: str) -> Graph:
    """The harvest source the records link to, as a steward registers it."""
    g = Graph()
    g.add((SOURCE, RDF.type, LDR.HarvestSource))
    g.add((SOURCE, DCTERMS.title, Literal("UK API catalogue", lang="en")))
    g.add((SOURCE, DCTERMS.description, Literal("The public sector's APIs, from CDDO.", lang="en")))
    g.add((SOURCE, DCTERMS.source, URIRef(address)))
    g.add((SOURCE, REG.status, REG.statusStable))
    g.add((SOURCE, LDR.harvestKind, URIRef(vocabulary_iri("harvest-kind/api-catalogue"))))
    g.add((SOURCE, DCAT.accessURL, URIRef(address)))
    g.add((SOURCE, LDR.schedule, URIRef(vocabulary_iri("harvest-schedule/weekly"))))
    ogl = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    g.add((SOURCE, DCTERMS.license, URIRef(ogl)))
    g.add((SOURCE, DCTERMS.publisher, URIRef(owner)))
    return g


def validate(mapped, model, store, address=ADDRESS, owner=GDS):
    """The records as the sync submits them (with a status), beside their source."""
    graph = source_record(address, owner)
    for iri, record in mapped.records.items():
        graph += record
        graph.add((URIRef(iri), REG.status, REG.statusSubmitted))
    return validate_graph(graph, model, store)[1]


@pytest.fixture(scope="module")
def catalogue(model, organisations):
    started = time.perf_counter()
    mapped = read_catalogue(CATALOGUE.read_bytes(), context(model, organisations))
    return mapped, time.perf_counter() - started


# --- the real catalogue -------------------------------------------------------------------------


def test_the_whole_catalogue_is_read_quickly_with_every_problem_counted(catalogue):
    """231 APIs on 1,781 lines (descriptions hold line breaks): 11 have no url and 2 give a URI
    template as their url (errors). No two rows give the same address and name (HMRC's 30 at
    one address are 30 APIs). Counted by hand from the file: 231 - 11 - 2 = 218 records."""
    mapped, seconds = catalogue
    assert len(mapped.records) == 218
    assert kinds(mapped) == Counter(
        {
            ("error", "url"): 13,
            ("warning", "provider"): 28,  # one for each of the 28 providers not registered
            ("warning", "maintainer"): 8,
            ("warning", "license"): 6,
            ("warning", ""): 1,  # dateAdded and dateUpdated, which the metadata does not declare
        }
    )
    # measured: 0.1 s for the whole file on the development machine
    assert seconds < 3


def test_every_record_conforms_to_the_shapes(catalogue, model, starter_store):
    mapped, _ = catalogue
    report = validate(mapped, model, starter_store)
    assert report.conforms, report.render()
    assert not report.warnings, report.render()


def test_a_record_carries_each_field_the_catalogue_gives(catalogue):
    mapped, _ = catalogue
    s = URIRef(item("api-notifications-service-gov-uk-gov-uk-notify"))
    notify = mapped.records[str(s)]
    assert notify.value(s, RDF.type) == DCAT.DataService
    assert notify.value(s, DCTERMS.title) == Literal("GOV.UK Notify", lang="en")
    description = str(notify.value(s, DCTERMS.description))
    assert description.startswith("GOV.UK Notify allows government departments to send emails")
    assert "users.\n\nThe API contains:\n\n- the public-facing" in description
    assert "\\n" not in description
    assert notify.value(s, DCAT.endpointURL) == URIRef("https://api.notifications.service.gov.uk/")
    assert notify.value(s, DCAT.endpointDescription) == URIRef(
        "https://www.notifications.service.gov.uk/documentation"
    )
    assert notify.value(s, DCTERMS.issued) == Literal("2020-01-08", datatype=XSD.date)
    assert notify.value(s, DCTERMS.modified) == Literal("2020-08-24", datatype=XSD.date)
    assert notify.value(s, DCTERMS.publisher) == URIRef(GDS)
    assert notify.value(s, DCTERMS.source) == URIRef(ADDRESS)
    assert notify.value(s, PROV.wasDerivedFrom) == URIRef(ADDRESS)
    assert notify.value(s, LDR.harvestedFrom) == SOURCE
    assert notify.value(s, REG.status) is None  # the sync sets it
    # no licence and no maintainer in the row: none in the record, and nothing reported
    assert notify.value(s, DCTERMS.license) is None
    assert notify.value(s, DCAT.contactPoint) is None


def test_contact_points_and_licences(catalogue):
    mapped, _ = catalogue
    s = URIRef(item("api-os-uk-search-places-v1-os-places-api"))
    places = mapped.records[str(s)]
    contact = places.value(s, DCAT.contactPoint)
    # "Ordnance Survey - <osdatahubenquiries@os.uk>"
    assert places.value(contact, VCARD.fn) == Literal("Ordnance Survey")
    assert places.value(contact, VCARD.hasEmail) == URIRef("mailto:osdatahubenquiries@os.uk")
    assert places.value(s, DCTERMS.license) == URIRef(
        "https://osdatahub.os.uk/legal/termsConditions"
    )
    assert places.value(s, DCTERMS.publisher) == URIRef(ORDNANCE_SURVEY)
    # a bare address: an email and no name
    s = URIRef(item("www-trade-tariff-service-gov-uk-uk-api-gov-uk-trade-tariff-api"))
    tariff = mapped.records[str(s)]
    contact = tariff.value(s, DCAT.contactPoint)
    assert tariff.value(contact, VCARD.fn) is None
    assert tariff.value(contact, VCARD.hasEmail) == URIRef(
        "mailto:hmrc-trade-tariff-support-g@digital.hmrc.gov.uk"
    )
    ogl = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert tariff.value(s, DCTERMS.license) == URIRef(ogl)
    # "Open Government Licence" names no version: six of Historic England's APIs, none kept
    licences = [p for p in mapped.problems if p.field == "license"]
    said = [p for p in licences if "‘Open Government Licence’" in p.message]
    assert len(said) == 1 and "This is so for 6 APIs" in said[0].message
    # kept: Ordnance Survey's 8 (its terms' page) and 6 giving the OGL v3.0's address
    licensed = [g for g in mapped.records.values() if first(g, DCTERMS.license)]
    assert len(licensed) == 14
    # NHS Digital's 93 APIs give a web page as their maintainer: said once, with the count
    (nhs,) = [
        p for p in mapped.problems if "digital.nhs.uk/developer/help-and-support" in p.message
    ]
    assert nhs.severity == "warning" and "web page, not an email address" in nhs.message
    assert "This is so for 93 APIs" in nhs.message
    # words after the address are said, and the address is kept
    kadoe = mapped.records[
        item("driver-vehicle-licensing-api-gov-uk-kadoe-v1-vehicle-keeper-kadoe-api")
    ]
    (email,) = kadoe.objects(None, VCARD.hasEmail)
    assert email == URIRef("mailto:dvlaapiaccess@dvla.gov.uk")
    assert any("KADOE API technical query" in p.message for p in mapped.problems)


def test_only_registered_providers_become_publishers_each_other_reported_once(catalogue):
    """The starter data registers four of the catalogue's 33 providers: GDS, Ordnance Survey,
    the LGA and Buckinghamshire Council (the one council whose API is matched; West Berkshire
    and Southampton are not registered there)."""
    mapped, _ = catalogue
    publishers = Counter(
        str(o) for g in mapped.records.values() for o in g.objects(None, DCTERMS.publisher)
    )
    assert publishers == {
        GDS: 7,
        ORDNANCE_SURVEY: 8,
        f"{BASE}/id/organisations/local-government-association": 1,
        f"{BASE}/id/organisations/buckinghamshire-council": 1,
    }
    providers = [p for p in mapped.problems if p.field == "provider"]
    assert len(providers) == 28
    (nhs,) = [p for p in providers if "‘nhs-digital’" in p.message]
    assert "its 93 APIs are kept without a provider" in nhs.message
    assert "‘NHS Digital’ or ‘ND’ in organisation.csv" in nhs.message
    (hmrc,) = [p for p in providers if "‘hm-revenue-customs’" in p.message]
    assert "its 31 APIs are kept without a provider" in hmrc.message  # 30 at one address
    (berkshire,) = [p for p in providers if "west-berkshire-council" in p.message]
    assert "its API is kept" in berkshire.message


def test_apis_at_one_address_are_each_a_record_of_their_own(catalogue):
    """HMRC gives 30 APIs the address https://api.service.hmrc.gov.uk: each is a record, named
    by its address and its name, and none is a duplicate of another."""
    mapped, _ = catalogue
    hmrc = URIRef("https://api.service.hmrc.gov.uk")
    at_hmrc = {i: g for i, g in mapped.records.items() if first(g, DCAT.endpointURL) == hmrc}
    assert len(at_hmrc) == 30
    titles = {str(first(g, DCTERMS.title)) for g in at_hmrc.values()}
    assert len(titles) == 30 and {"Agent Authorisation", "Business Rates"} <= titles
    rates = at_hmrc[item("api-service-hmrc-gov-uk-business-rates")]
    assert first(rates, DCTERMS.title) == Literal("Business Rates", lang="en")
    assert str(first(rates, DCTERMS.description)).startswith(
        "This API provides endpoints related to Business Rates."
    )
    assert item("api-service-hmrc-gov-uk-agent-authorisation") in at_hmrc
    assert not [p for p in mapped.problems if p.field == "url" and p.severity == "warning"]


def test_rows_without_a_usable_address_are_left_out_one_by_one(catalogue):
    mapped, _ = catalogue
    errors = {p.entry: p.message for p in mapped.problems if p.severity == "error"}
    assert "Get into Teaching API" in errors
    assert errors["Get into Teaching API"].startswith(
        "The API ‘Get into Teaching API’ at line 34 has no url, so it is left out."
    )
    template = (
        "https://businessgateway.landregistry.gov.uk/bg2/api/v2/titles/{title_number}"
        "/official-copies/availability"
    )
    assert "template's {placeholder}" in errors[template]
    titles = {str(t) for g in mapped.records.values() for t in g.objects(None, DCTERMS.title)}
    assert "Get into Teaching API" not in titles
    assert "GOV.UK Pay" in titles  # the rows around them are kept


def test_the_same_file_gives_the_same_records(catalogue, model, organisations):
    mapped, _ = catalogue
    again = read_catalogue(CATALOGUE.read_bytes(), context(model, organisations))
    assert sorted(again.records) == sorted(mapped.records)
    assert all(isomorphic(again.records[i], mapped.records[i]) for i in mapped.records)
    assert again.problems == mapped.problems


def test_without_the_files_beside_it_the_csv_alone_is_mapped_and_that_is_said_once(
    model, organisations
):
    mapped = read_catalogue(CATALOGUE.read_bytes(), context(model, organisations, related=None))
    assert len(mapped.records) == 218
    (said,) = [p for p in mapped.problems if p.field == ""]
    assert "without catalogue.csv-metadata.json and organisation.csv" in said.message
    assert not [p for p in mapped.problems if p.field == "provider"]
    assert not any(first(g, DCTERMS.publisher) for g in mapped.records.values())


def test_files_beside_it_that_cannot_be_fetched_are_said_and_the_csv_still_read(
    model, organisations
):
    def refused(name: str) -> bytes:
        raise OSError(f"{name}: 404 Not Found")

    mapped = read_catalogue(CATALOGUE.read_bytes(), context(model, organisations, related=refused))
    assert len(mapped.records) == 218
    said = [p.message for p in mapped.problems if p.field == ""]
    assert len(said) == 2
    assert said[0].startswith("catalogue.csv-metadata.json could not be fetched beside the CSV")
    assert "404 Not Found" in said[0]
    assert said[1].startswith("organisation.csv could not be fetched beside the CSV")


def test_the_metadata_says_which_header_is_which_column(model, organisations):
    """Columns are found by the titles catalogue.csv-metadata.json gives them; a column it
    declares that the CSV lacks is said, and the rows are still read."""
    metadata = json.loads(shared_file("catalogue.csv-metadata.json"))
    for column in metadata["tableSchema"]["columns"]:
        if column["name"] == "url":
            column["titles"] = ["API address"]
    files = {
        "catalogue.csv-metadata.json": json.dumps(metadata).encode(),
        "organisation.csv": shared_file("organisation.csv"),
    }
    csv_text = (
        "name,API address,description,provider\n"
        "Bank Holidays,https://www.gov.uk/bank-holidays.json,When bank holidays are,"
        "government-digital-service\n"
    )
    mapped = read_catalogue(
        csv_text.encode(), context(model, organisations, related=files.__getitem__)
    )
    (record,) = mapped.records.values()
    assert first(record, DCAT.endpointURL) == URIRef("https://www.gov.uk/bank-holidays.json")
    assert first(record, DCTERMS.publisher) == URIRef(GDS)
    (missing,) = [p.message for p in mapped.problems]
    assert missing.startswith("The CSV has no column dateAdded, dateUpdated, documentation,")
    assert "which catalogue.csv-metadata.json declares" in missing


def test_a_retired_api_is_left_out_with_a_warning(model, organisations):
    rows = [
        "2020-01-08,2020-08-24,https://old.example.gov.uk/,Old API,Gone,,,,,,2023-03-31,scc",
        "2020-01-08,2020-08-24,https://new.example.gov.uk/,New API,Going,,,,,,2031-03-31,scc",
        "2020-01-08,2020-08-24,https://odd.example.gov.uk/,Odd API,Odd,,,,,,31/03/2023,scc",
    ]
    data = "\n".join([HEADER, *rows]).encode()
    mapped = read_catalogue(
        data, context(model, organisations, related=None), today=date(2025, 1, 1)
    )
    assert sorted(mapped.records) == [
        item("new-example-gov-uk-new-api"),
        item("odd-example-gov-uk-odd-api"),
    ]
    retired, odd = [p for p in mapped.problems if p.field == "endDate"]
    assert retired.severity == "warning" and retired.entry == "https://old.example.gov.uk/"
    assert "was retired on 2023-03-31 (its endDate), so it is left out" in retired.message
    assert "‘31/03/2023’, is not a date written YYYY-MM-DD" in odd.message


# --- broken CSV ---------------------------------------------------------------------------------


def broken(model, organisations, data: bytes):
    return read_catalogue(data, context(model, organisations, related=None))


def test_an_unclosed_quote_gives_one_error_and_no_records(model, organisations):
    text = CATALOGUE.read_text(encoding="utf-8")
    quoted = '"The Bank Holidays API provides'
    assert quoted in text
    data = text.replace(quoted, '"The Bank Holidays API" provides', 1).encode()
    mapped = broken(model, organisations, data)
    assert mapped.records == {}
    (error,) = [p for p in mapped.problems if p.severity == "error"]
    assert error.entry == "" and error.message.startswith("The CSV cannot be read past line 3")
    assert "close every quoted value" in error.message


def test_a_row_with_too_many_values_is_left_out_alone(model, organisations):
    rows = [
        "2020-01-08,2020-08-24,https://a.example.gov.uk/,API A,One, two,,,,,,,scc",
        "2020-01-08,2020-08-24,https://b.example.gov.uk/,API B,Fine,,,,,,,scc",
    ]
    mapped = broken(model, organisations, "\n".join([HEADER, *rows]).encode())
    assert list(mapped.records) == [item("b-example-gov-uk-api-b")]
    (error,) = [p for p in mapped.problems if p.severity == "error"]
    assert error.entry == "line 2"
    assert "has 13 values where the header has 12 columns" in error.message


def test_a_csv_without_a_url_column_gives_no_records(model, organisations):
    data = b"name,description\nBank Holidays,When bank holidays are\n"
    mapped = broken(model, organisations, data)
    assert mapped.records == {}
    (error,) = [p for p in mapped.problems if p.severity == "error"]
    assert error.message.startswith("The CSV has no url column, so no API could be read from it.")


def test_bytes_that_are_not_utf8_are_an_error_naming_where(model, organisations):
    data = CATALOGUE.read_bytes().replace(b"Bank Holidays", b"Bank Holid\xe4ys", 1)
    mapped = broken(model, organisations, data)
    assert mapped.records == {}
    (error,) = [p for p in mapped.problems if p.severity == "error"]
    assert error.message.startswith("The CSV is not UTF-8 text: the byte 0xE4 at line 3")


def test_an_empty_file_and_a_header_alone(model, organisations):
    (error,) = broken(model, organisations, b"").problems[1:]
    assert error.message.startswith("The CSV is empty")
    alone = broken(model, organisations, HEADER.encode() + b"\n")
    assert alone.records == {} and [p.severity for p in alone.problems] == ["warning"]


def test_bad_values_in_a_row_are_errors_for_that_row_or_warnings_for_that_field(
    model, organisations
):
    rows = [
        "2020-01-08,2020-08-24,ftp://files.example.gov.uk/,FTP API,Files,,,,,,,scc",
        "2020-01-08,2020-08-24,https://a.example.gov.uk/,AB,Too short a name,,,,,,,scc",
        "2020-01-08,2020-08-24,https://b.example.gov.uk/,B\u202eAPI,Spoofed name,,,,,,,scc",
        "2020-13-45,yesterday,https://c.example.gov.uk/,API C,Bad bits,not a page,,"
        "a@x.gov.uk b@x.gov.uk,,,,",
        "2020-01-08,2020-08-24,https://d.example.gov.uk/,API D,Fine,,,,,,,no-such-provider",
    ]
    mapped = read_catalogue("\n".join([HEADER, *rows]).encode(), context(model, organisations))
    assert sorted(mapped.records) == [
        item("c-example-gov-uk-api-c"),
        item("d-example-gov-uk-api-d"),
    ]
    errors = [p for p in mapped.problems if p.severity == "error"]
    assert [p.field for p in errors] == ["url", "name", "name"]
    assert "which does not start https:// or http://" in errors[0].message
    assert "is 2 characters long" in errors[1].message
    assert "bidirectional-text control" in errors[2].message
    warned = {p.field: p.message for p in mapped.problems if p.severity == "warning"}
    assert "‘2020-13-45’, is not a date" in warned["dateAdded"]
    assert "‘yesterday’, is not a date" in warned["dateUpdated"]
    assert "‘not a page’, is not a web address" in warned["documentation"]
    assert "more than one email address: only the first, a@x.gov.uk" in warned["maintainer"]
    providers = [p.message for p in mapped.problems if p.field == "provider"]
    assert len(providers) == 2
    assert providers[0].startswith("‘API C’ names no provider, so it is kept without one.")
    c = mapped.records[item("c-example-gov-uk-api-c")]
    assert first(c, DCTERMS.issued) is None and first(c, DCAT.endpointDescription) is None
    assert set(c.objects(None, VCARD.hasEmail)) == {URIRef("mailto:a@x.gov.uk")}
    assert providers[1:] == [
        "The provider ‘no-such-provider’ is not an id in organisation.csv, so its API is kept "
        "without a provider. Add the organisation to organisation.csv, or give the id it has "
        "there."
    ]


def test_only_rows_with_the_same_address_and_name_are_one_record(model, organisations):
    """The same address and name twice is one API listed twice: one record, one warning.
    Another name at that address is another API, and its own record."""
    rows = [
        "2020-01-08,2020-08-24,https://a.example.gov.uk/v1,API A,One,,,,,,,scc",
        "2020-01-08,2020-08-24,https://a.example.gov.uk/v1,API B,Other,,,,,,,scc",
        "2020-01-08,2020-08-24,https://a.example.gov.uk/v1,API A,Again,,,,,,,scc",
        "2020-01-08,2020-08-24,https://a.example.gov.uk/v1,API A,Thrice,,,,,,,scc",
    ]
    mapped = broken(model, organisations, "\n".join([HEADER, *rows]).encode())
    assert sorted(mapped.records) == [
        item("a-example-gov-uk-v1-api-a"),
        item("a-example-gov-uk-v1-api-b"),
    ]
    kept = mapped.records[item("a-example-gov-uk-v1-api-a")]
    assert first(kept, DCTERMS.description) == Literal("One", lang="en")  # the first row's
    (same,) = [p for p in mapped.problems if p.field == "url"]
    assert same.severity == "warning" and same.entry == "https://a.example.gov.uk/v1"
    assert same.message.startswith(
        "3 rows give the address https://a.example.gov.uk/v1 and the name ‘API A’. The "
        "registry keeps one API for each address and name: the first (line 2), and leaves out "
        "line 4, line 5."
    )


def test_two_spellings_of_one_address_and_name_are_one_record(model, organisations):
    rows = [
        "2020-01-08,2020-08-24,https://a.example.gov.uk/v1,API A,One,,,,,,,scc",
        "2020-01-08,2020-08-24,http://a.example.gov.uk/v1/,api a,Two,,,,,,,scc",
    ]
    mapped = broken(model, organisations, "\n".join([HEADER, *rows]).encode())
    assert list(mapped.records) == [item("a-example-gov-uk-v1-api-a")]
    (same,) = [p for p in mapped.problems if p.field == "url"]
    assert "2 rows give addresses and names that are the same record here" in same.message
    assert "(http://a.example.gov.uk/v1/ ‘api a’; https://a.example.gov.uk/v1 ‘API A’)" in (
        same.message
    )


# --- an organisation's v1alpha list -------------------------------------------------------------


LIST_ADDRESS = "https://raw.githubusercontent.com/co-cddo/api-catalogue-data-source/main/fsa/apis"
FSA = f"{BASE}/id/organisations/food-standards-agency"


def list_context(model, organisations, owner=GDS):
    return context(model, organisations, related=None, address=LIST_ADDRESS, owner=owner)


def test_the_food_standards_agencys_list(model, organisations, starter_store):
    data = (FOLDER / "federated" / "food-standards-agency.apis.json").read_bytes()
    mapped = read_list(data, list_context(model, organisations))
    assert sorted(mapped.records) == [
        item("api-ratings-food-gov-uk-food-hygiene-ratings-scheme-fhrs"),
        item("data-food-gov-uk-food-alerts-food-alerts"),
    ]
    s = URIRef(item("data-food-gov-uk-food-alerts-food-alerts"))
    alerts = mapped.records[str(s)]
    assert alerts.value(s, DCTERMS.title) == Literal("Food Alerts", lang="en")
    assert str(alerts.value(s, DCTERMS.description)).startswith("The FSA Food Alerts API")
    assert alerts.value(s, DCAT.endpointDescription) == URIRef(
        "https://data.food.gov.uk/food-alerts/ui/reference"
    )
    assert set(alerts.objects(None, VCARD.hasEmail)) == {URIRef("mailto:data@food.gov.uk")}
    assert alerts.value(s, DCTERMS.source) == URIRef(LIST_ADDRESS)
    # the Food Standards Agency is not in the starter data: said once for both APIs
    assert alerts.value(s, DCTERMS.publisher) is None
    (said,) = mapped.problems
    assert (
        said.severity == "warning" and "‘Food Standards Agency’ is not registered" in said.message
    )
    assert "its 2 APIs are kept without a provider" in said.message
    report = validate(mapped, model, starter_store, LIST_ADDRESS)
    assert report.conforms and not report.warnings, report.render()


def test_a_registered_organisation_in_a_list_is_its_apis_publisher(model, organisations):
    data = (FOLDER / "federated" / "food-standards-agency.apis.json").read_bytes()
    known = {**organisations, "food standards agency": FSA}
    mapped = read_list(data, list_context(model, known))
    assert mapped.problems == []
    assert {str(first(g, DCTERMS.publisher)) for g in mapped.records.values()} == {FSA}


def test_the_dwp_list_gives_38_apis_at_one_address(model, organisations, starter_store):
    """All 38 of DWP's entries give https://api.engineering.dwp.gov.uk, each with its own name:
    38 records, and only the warning that DWP is not registered here."""
    data = (FOLDER / "federated" / "dwp.apis.json").read_bytes()
    mapped = read_list(data, list_context(model, organisations))
    assert len(mapped.records) == 38
    assert {first(g, DCAT.endpointURL) for g in mapped.records.values()} == {
        URIRef("https://api.engineering.dwp.gov.uk")
    }
    assert len({first(g, DCTERMS.title) for g in mapped.records.values()}) == 38
    s = URIRef(item("api-engineering-dwp-gov-uk-address-lookup"))
    assert mapped.records[str(s)].value(s, DCTERMS.title) == Literal("Address Lookup", lang="en")
    (said,) = mapped.problems
    assert said.field == "provider" and said.severity == "warning"
    assert "‘Department for Work and Pensions’ is not registered" in said.message
    assert "its 38 APIs are kept without a provider" in said.message
    report = validate(mapped, model, starter_store, LIST_ADDRESS)
    assert report.conforms and not report.warnings, report.render()


def api_list(*entries, version="api.gov.uk/v1alpha") -> bytes:
    return json.dumps({"api-version": version, "apis": list(entries)}).encode()


def entry(**data) -> dict:
    return {"api-version": "api.gov.uk/v1alpha", "data": data}


GOOD = entry(name="Good API", url="https://good.example.gov.uk/", description="Good things.")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"{not json", "The list of APIs is not JSON at line 1, column 2"),
        (b"[]", "The list of APIs is not a JSON object"),
        (api_list(GOOD, version="api.gov.uk/v2"), "has ‘api.gov.uk/v2’ where api.gov.uk/v1alpha"),
        (b'{"apis": []}', "has no api-version where api.gov.uk/v1alpha was expected"),
        (b'{"api-version": "api.gov.uk/v1alpha", "apis": {}}', "no list of entries in 'apis'"),
        (b"\xff\xfe{}", "The list of APIs is not UTF-8 text: the byte 0xFF at line 1, column 1"),
        (b'{"a":' * 200 + b"1" + b"}" * 200, "nests deeper than"),
    ],
)
def test_a_list_that_cannot_be_read_is_one_error(model, organisations, data, message):
    mapped = read_list(data, list_context(model, organisations))
    assert mapped.records == {}
    (error,) = mapped.problems
    assert error.severity == "error" and error.entry == ""
    assert message in error.message


def test_bad_entries_are_left_out_and_the_good_ones_kept(model, organisations):
    data = api_list(
        GOOD,
        "just text",
        {"api-version": "api.gov.uk/v1alpha", "data": ["no", "object"]},
        {"api-version": "api.gov.uk/v0", "data": {"name": "Old", "url": "https://o.gov.uk/"}},
        entry(url="https://nameless.example.gov.uk/"),
        entry(name="No address"),
        entry(name="Numbered", url=42),
        entry(
            name="Odd fields",
            url="https://odd.example.gov.uk/",
            description=["not", "text"],
            contact="see our website",
            organisation="Leeds City Council",
        ),
        entry(name="Owned", url="https://owned.example.gov.uk/", description="By the owner."),
    )
    mapped = read_list(data, list_context(model, organisations))
    assert sorted(mapped.records) == [
        item("good-example-gov-uk-good-api"),
        item("odd-example-gov-uk-odd-fields"),
        item("owned-example-gov-uk-owned"),
    ]
    errors = [(p.entry, p.field) for p in mapped.problems if p.severity == "error"]
    assert errors == [
        ("apis[1]", "data"),
        ("apis[2]", "data"),
        ("apis[3]", "api-version"),
        ("https://nameless.example.gov.uk/", "name"),
        ("No address", "url"),
        ("Numbered", "url"),
    ]
    warned = [(p.field, p.message) for p in mapped.problems if p.severity == "warning"]
    assert (
        "description",
        "The description of ‘Odd fields’ is not text, so it is not kept. Write it as a string.",
    ) in warned
    assert any(f == "contact" and "‘see our website’ is text, not an email" in m for f, m in warned)
    odd = mapped.records[item("odd-example-gov-uk-odd-fields")]
    leeds = f"{BASE}/id/organisations/leeds-city-council"
    assert first(odd, DCTERMS.publisher) == URIRef(leeds)
    # an entry naming no organisation belongs to the organisation that keeps the list
    owned = mapped.records[item("owned-example-gov-uk-owned")]
    assert first(owned, DCTERMS.publisher) == URIRef(GDS)


def test_both_kinds_are_named_by_their_notation():
    assert READERS == {"api-catalogue": read_catalogue, "api-list": read_list}


# --- whatever the bytes -------------------------------------------------------------------------

ROWS = CATALOGUE.read_bytes()[:6000]
FSA_LIST = (FOLDER / "federated" / "food-standards-agency.apis.json").read_bytes()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, len(ROWS)), junk=st.binary(max_size=12), text=st.text(max_size=40))
def test_damaged_files_never_raise(model, organisations, cut, junk, text):
    """Bytes cut, replaced or typed into the real files: problems, never an exception, and
    every problem says something."""
    for data in (ROWS[:cut] + junk + ROWS[cut:], ROWS[:cut] + text.encode() + ROWS[cut + 5 :]):
        mapped = read_catalogue(data, context(model, organisations))
        assert all(p.message and p.severity in {"error", "warning"} for p in mapped.problems)
    at = cut % len(FSA_LIST)
    for data in (FSA_LIST[:at] + junk + FSA_LIST[at:], FSA_LIST[:at] + text.encode()):
        mapped = read_list(data, list_context(model, organisations))
        assert all(p.message and p.severity in {"error", "warning"} for p in mapped.problems)
