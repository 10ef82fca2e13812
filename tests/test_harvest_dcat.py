"""The DCAT and ADMS-AP mapping (registry/harvest/kinds/dcat.py): SEMIC's DCAT-AP 3.0.1 examples,
ADMS's and ADMS-AP's samples and Joinup's test files, read as a harvest would read them, and
small catalogues written here for what those files do not show."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from registry.harvest.kinds import Context, Mapped
from registry.harvest.kinds import dcat as mapping
from registry.rdf.namespaces import ADMS, LDR, REG, SCHEMA, VCARD, vocabulary_iri
from registry.records.validation import validate_graph
from tests.conftest import BASE, SHARED

DCAT_AP = SHARED / "ext" / "dcat-ap" / "examples"
ADMS_AP = SHARED / "ext" / "adms-ap"
RDF_SUFFIXES = {".ttl", ".jsonld", ".rdf", ".nt"}
EXAMPLES = sorted(p for p in DCAT_AP.iterdir() if p.suffix in RDF_SUFFIXES)
ADMS_SAMPLES = sorted(p for p in ADMS_AP.rglob("*") if p.suffix in RDF_SUFFIXES)
LIFE_COUNT = DCAT_AP / "example-bee-population-dataset-series-life-count.ttl"
COMBINED = DCAT_AP / "example-bee-population-dataset-series-combined.ttl"
FRUIT = ADMS_AP / "SEMICeu__ADMS" / "releases" / "2.00" / "html" / "examples"

OWNER = URIRef(f"{BASE}/id/organisations/leeds-city-council")
SOURCE = URIRef(f"{BASE}/id/sources/leeds-catalogue")
ADDRESS = "https://data.leeds.gov.uk/catalogue.ttl"


@pytest.fixture(scope="module")
def organisations(starter_store) -> dict[str, str]:
    """Every registered organisation by lower-case title or alternative name, as the harvest
    gives them to a mapping."""
    rows = starter_store.select_text(
        """PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?org ?name WHERE {
          ?org a/rdfs:subClassOf* org:Organization .
          { ?org dcterms:title ?name } UNION { ?org skos:altLabel ?name } }"""
    )
    found = {row["name"].lower(): row["org"] for row in rows}
    assert found["leeds city council"] == str(OWNER)
    return found


@pytest.fixture(scope="module")
def context(model, organisations) -> Context:
    return Context(
        model=model,
        source=SOURCE,
        address=ADDRESS,
        owner=OWNER,
        organisations=organisations,
    )


def source_record() -> Graph:
    """The harvest source the records name (ldr:harvestedFrom), as it is registered."""
    g = Graph()
    g.add((SOURCE, RDF.type, LDR.HarvestSource))
    g.add((SOURCE, DCTERMS.title, Literal("Leeds City Council's catalogue", lang="en")))
    g.add((SOURCE, DCTERMS.description, Literal("The council's APIs and assets.", lang="en")))
    g.add((SOURCE, DCTERMS.source, URIRef(ADDRESS)))
    g.add((SOURCE, REG.status, REG.statusStable))
    g.add((SOURCE, LDR.harvestKind, URIRef(vocabulary_iri("harvest-kind/dcat"))))
    g.add((SOURCE, DCAT.accessURL, URIRef(ADDRESS)))
    g.add((SOURCE, LDR.schedule, URIRef(vocabulary_iri("harvest-schedule/manual"))))
    g.add(
        (
            SOURCE,
            DCTERMS.license,
            URIRef("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
        )
    )
    g.add((SOURCE, DCTERMS.publisher, OWNER))
    return g


def assert_conforms(mapped: Mapped, model, store) -> None:
    """The records, as the sync would submit them (status submitted), pass the registry's own
    validation against the starter store, beside the source they name."""
    assert mapped.records
    graph = source_record()
    for iri, record in mapped.records.items():
        assert (URIRef(iri), REG.status, None) not in record, "the sync sets the status"
        graph += record
        graph.add((URIRef(iri), REG.status, REG.statusSubmitted))
    _, report = validate_graph(graph, model, store)
    assert report.conforms, report.render(detail=50)
    assert not [r for r in report.results if r.record in mapped.records], report.render(50)


def messages(mapped: Mapped, severity: str | None = None) -> list[str]:
    return [p.message for p in mapped.problems if severity in (None, p.severity)]


# --- the published examples ---------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES + ADMS_SAMPLES, ids=lambda p: str(p.relative_to(SHARED)))
def test_every_published_example_is_read_and_anything_unused_is_explained(path: Path, context):
    mapped = mapping.read(path.read_bytes(), context)
    for problem in mapped.problems:
        assert problem.severity in ("error", "warning")
        assert len(problem.message) > 40 and problem.message.endswith((".", ")"))
    # a file that gives nothing says why, so the source's maintainer is never left guessing
    if not mapped.records:
        assert mapped.problems, path


def test_the_examples_give_the_one_api_they_describe_and_it_conforms(context, model, starter_store):
    records: dict[str, Graph] = {}
    for path in EXAMPLES:
        records.update(mapping.read(path.read_bytes(), context).records)
    api = f"{BASE}/id/apis/example-api-ea-api-platform"
    assert set(records) == {api}
    record, s = records[api], URIRef(api)
    assert record.value(s, DCAT.endpointURL) == URIRef("https://ea.gov.gr/api/v2/biodiversity")
    assert record.value(s, DCTERMS.title) == Literal(
        "API platform for biodiversity data", lang="en"
    )
    assert record.value(s, DCTERMS.publisher) == OWNER  # the example names no publisher
    assert (s, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef(ADDRESS)) in record
    assert (s, DCTERMS.identifier, Literal("example-api:EA-API-Platform")) in record
    assert record.value(s, LDR.harvestedFrom) == SOURCE
    assert_conforms(Mapped(records=records), model, starter_store)


def test_the_datasets_an_example_describes_are_counted_once(context):
    mapped = mapping.read(LIFE_COUNT.read_bytes(), context)
    skipped = [m for m in messages(mapped, "warning") if "skipped" in m]
    assert skipped == [
        "The catalogue describes 1 dataset (dcat:Dataset), which was skipped: the registry has "
        "no register of datasets or catalogues (it harvests APIs, software and standards). "
        "Nothing needs fixing for this; an ADMS-AP solution described as a dcat:Dataset is "
        "harvested when its dcterms:type says what kind of asset it is."
    ]


def test_malformed_turtle_is_a_problem_that_says_where(context):
    # SEMIC's example writes example-dist:BeePopulation2023/csv, which Turtle does not allow
    mapped = mapping.read(COMBINED.read_bytes(), context)
    assert not mapped.records
    [problem] = mapped.problems
    assert problem.severity == "error"
    assert "at line 32, column 31" in problem.message
    assert "not valid Turtle" in problem.message


def test_a_remote_json_ld_context_is_refused_and_never_fetched(context, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the mapping tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    data = (DCAT_AP / "example-bee-population.jsonld").read_bytes()
    assert b'"@context": "https://semiceu.github.io/' in data
    mapped = mapping.read(data, context)
    assert not mapped.records
    [problem] = mapped.problems
    assert problem.severity == "error"
    assert "names a remote @context, and the registry never fetches remote documents" in (
        problem.message
    )


def test_an_adms_code_list_becomes_a_standard_published_by_the_owner(context, model, starter_store):
    mapped = mapping.read((FRUIT / "example-fruitasset.ttl").read_bytes(), context)
    iri = f"{BASE}/id/standards/www-example-org-rdf-fruit-02"
    assert list(mapped.records) == [iri]
    record = mapped.records[iri]
    assert record.value(URIRef(iri), RDF.type) == DCTERMS.Standard
    assert record.value(URIRef(iri), DCTERMS.publisher) == OWNER
    [warning] = mapped.problems
    assert warning.severity == "warning" and warning.field == "dcterms:publisher"
    assert "<http://www.example.org/rdf#org> has no name" in warning.message
    assert_conforms(mapped, model, starter_store)
    # the same asset in JSON-LD, with its context in the file, gives the same record
    again = mapping.read((FRUIT / "example-fruitasset.jsonld").read_bytes(), context)
    assert isomorphic(again.records[iri], record)


def test_joinup_solutions_without_a_known_asset_type_are_skipped_as_datasets(context):
    path = ADMS_AP / "ec-europa__joinup-dev" / "tests" / "fixtures" / "files" / "valid_adms.rdf"
    mapped = mapping.read(path.read_bytes(), context)
    assert not mapped.records
    assert any("describes 5 datasets (dcat:Dataset)" in m for m in messages(mapped, "warning"))


# --- a catalogue of the kinds the examples lack ---------------------------------------------------

CATALOGUE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix admssw: <http://purl.org/adms/sw/> .
@prefix doap: <http://usefulinc.com/ns/doap#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <https://data.leeds.gov.uk/id/> .

ex:catalogue a dcat:Catalog ;
    dct:title "Leeds open data"@en ;
    dcat:service ex:bins-api, ex:no-endpoint ;
    dcat:dataset ex:bins, ex:roads .

ex:bins a dcat:Dataset ; dct:title "Bin collection days"@en .
ex:roads a dcat:Dataset ; dct:title "Roadworks"@en .

ex:bins-api a dcat:DataService ;
    dct:title "Ημέρες συλλογής"@el, "Bin collection API"@en, "Bin collections"@en-GB ;
    dct:description "Περιγραφή στα ελληνικά για το API."@el,
        "Tells residents which bins are collected on which day."@en ;
    dcat:endpointURL <https://api.leeds.gov.uk/bins/v1> ;
    dcat:endpointDescription "https://api.leeds.gov.uk/bins/v1/openapi.json" ;
    dct:license <http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/> ;
    dct:publisher ex:leeds ;
    dcat:keyword "bins" ;
    dcat:contactPoint ex:bins-team, [ a vcard:Kind ; vcard:hasEmail "not an address" ] .

ex:leeds a foaf:Organization ; foaf:name "Leeds  City Council" .

ex:bins-team a vcard:Kind ;
    vcard:fn "Waste team" ;
    vcard:hasEmail "waste@leeds.gov.uk" .

ex:no-endpoint a dcat:DataService ;
    dct:title "Planning API"@en .

ex:parking-api a dcat:DataService ;
    dct:title "Parking API"@en ;
    dcat:endpointURL <https://api.leeds.gov.uk/parking> ;
    dct:publisher [ a foaf:Agent ; skos:prefLabel "Parking Partnership of Nowhere" ] .

ex:street-manager a adms:Asset, admssw:SoftwareProject ;
    dct:title "Street works manager"@en ;
    dct:description "Plans and records works on the highway, for councils' highways teams."@en ;
    doap:repository [ a doap:GitRepository ; doap:location <https://github.com/leeds/streets> ] ;
    adms:status <http://purl.org/adms/status/Completed> ;
    owl:versionInfo "2.4.1" ;
    dct:publisher ex:leeds ;
    dcat:contactPoint [ vcard:fn "Highways digital" ;
                        vcard:hasEmail <mailto:highways@leeds.gov.uk> ] ;
    dcat:distribution [ dct:license <http://spdx.org/licenses/MIT> ] .

ex:bin-schema a adms:Asset ;
    dct:type <http://purl.org/adms/assettype/Schema> ;
    dct:title "Bin collection schema"@en ;
    dct:description "The JSON Schema of bin collection days that the API publishes."@en ;
    dct:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcat:version "1.0" ;
    dcat:distribution [ dcat:downloadURL <https://data.leeds.gov.uk/schemas/bins.json> ] .

ex:road-codes a adms:Asset ;
    dct:type <http://purl.org/adms/assettype/CodeList> ;
    dct:title "Road codes"@en ;
    dct:description "Codes."@en .

ex:mystery a adms:Asset ;
    dct:title "Something reusable"@en ;
    dct:description "An asset that does not say what kind of asset it is."@en .
"""


def catalogue_records(context) -> Mapped:
    return mapping.read(CATALOGUE.encode(), context)


def item(register: str, path: str) -> URIRef:
    return URIRef(f"{BASE}/id/{register}/data-leeds-gov-uk-id-{path}")


def test_a_catalogue_gives_its_apis_software_and_standards_and_they_conform(
    context, model, starter_store
):
    mapped = catalogue_records(context)
    assert set(mapped.records) == {
        str(item("apis", "bins-api")),
        str(item("apis", "parking-api")),
        str(item("software", "street-manager")),
        str(item("standards", "bin-schema")),
    }
    assert_conforms(mapped, model, starter_store)


def test_an_api_keeps_one_language_its_provider_and_its_contact(context, organisations):
    s = item("apis", "bins-api")
    record = catalogue_records(context).records[str(s)]
    # English wanted (en and en-GB alike, the first by its text), and the description in the
    # title's language
    assert list(record.objects(s, DCTERMS.title)) == [Literal("Bin collection API", lang="en")]
    assert list(record.objects(s, DCTERMS.description)) == [
        Literal("Tells residents which bins are collected on which day.", lang="en")
    ]
    # matched by foaf:name (spaces and letter case aside) with the registered organisation
    assert record.value(s, DCTERMS.publisher) == URIRef(organisations["leeds city council"])
    assert record.value(s, DCAT.endpointDescription) == URIRef(
        "https://api.leeds.gov.uk/bins/v1/openapi.json"
    )
    [card] = record.objects(s, DCAT.contactPoint)
    assert record.value(card, VCARD.fn) == Literal("Waste team")
    assert record.value(card, VCARD.hasEmail) == URIRef("mailto:waste@leeds.gov.uk")
    assert (s, DCAT.keyword, None) not in record


def test_what_cannot_be_used_is_said_entry_by_entry(context):
    mapped = catalogue_records(context)
    by_entry = {(p.entry, p.severity): p for p in mapped.problems}
    ex = "https://data.leeds.gov.uk/id/"
    missing = by_entry[(ex + "no-endpoint", "error")].message
    assert "left out" in missing and "dcat:endpointURL" in missing
    nowhere = by_entry[(ex + "parking-api", "warning")]
    assert nowhere.field == "dcterms:publisher"
    assert "'Parking Partnership of Nowhere' is not an organisation registered here" in (
        nowhere.message
    )
    [bad_email] = [p for p in mapped.problems if p.entry == ex + "bins-api"]
    assert bad_email.severity == "warning" and bad_email.field == "dcat:contactPoint"
    assert "'not an address' is not an email address, so the contact point" in bad_email.message
    short = by_entry[(ex + "road-codes", "error")].message
    assert "a description (dcterms:description) of at least 20 characters" in short
    assert "dcterms:type from ADMS's asset types" in by_entry[(ex + "mystery", "error")].message
    [skipped] = [m for m in messages(mapped, "warning") if "skipped" in m]
    assert "2 datasets (dcat:Dataset) and 1 catalogue (dcat:Catalog), which were skipped" in (
        skipped
    )
    # the entry the parking API names no registered publisher: the source's owner publishes it
    parking = mapped.records[str(item("apis", "parking-api"))]
    assert parking.value(item("apis", "parking-api"), DCTERMS.publisher) == OWNER


def test_software_and_standards_take_their_fields_from_adms(context):
    mapped = catalogue_records(context)
    sw = item("software", "street-manager")
    software = mapped.records[str(sw)]
    assert software.value(sw, RDF.type) == LDR.Software
    assert software.value(sw, SCHEMA.codeRepository) == URIRef("https://github.com/leeds/streets")
    # the licence ADMS gives on the distribution
    assert software.value(sw, DCTERMS.license) == URIRef("http://spdx.org/licenses/MIT")
    assert software.value(sw, SCHEMA.softwareVersion) == Literal("2.4.1")
    # ADMS's Completed is the registry's Stable (skos:closeMatch in ontology/schemes.ttl)
    assert software.value(sw, ADMS.status) == URIRef(vocabulary_iri("software-status/stable"))
    std = item("standards", "bin-schema")
    standard = mapped.records[str(std)]
    assert standard.value(std, mapping.DCAT.version) == Literal("1.0")
    assert standard.value(std, LDR.specification) == URIRef(
        "https://data.leeds.gov.uk/schemas/bins.json"
    )


def test_software_without_a_repository_or_licence_is_left_out_naming_both(context):
    data = b"""@prefix dct: <http://purl.org/dc/terms/> .
    <https://example.org/app> a <http://www.w3.org/ns/adms#Asset> ;
        dct:type <https://example.org/types/OpenSourceSoftware> ;
        dct:title "A council app"@en ;
        dct:description "An app a council built and offers to others."@en ."""
    mapped = mapping.read(data, context)
    assert not mapped.records
    [problem] = mapped.problems
    assert problem.severity == "error"
    assert "This is software, but it lacks what the software register requires" in problem.message
    assert "schema:codeRepository" in problem.message and "dcterms:license" in problem.message


def test_the_same_catalogue_in_any_syntax_gives_the_same_records(context):
    turtle = catalogue_records(context)
    graph = Graph().parse(data=CATALOGUE, format="turtle")
    compact = json.loads(graph.serialize(format="json-ld"))
    for data in (
        graph.serialize(format="xml").encode(),
        json.dumps(compact).encode(),
        graph.serialize(format="nt").encode(),
    ):
        other = mapping.read(data, context)
        assert set(other.records) == set(turtle.records)
        for iri, record in turtle.records.items():
            assert isomorphic(other.records[iri], record), iri


def test_reading_again_gives_the_same_iris_and_isomorphic_records(context):
    for data in (CATALOGUE.encode(), LIFE_COUNT.read_bytes()):
        first, second = mapping.read(data, context), mapping.read(data, context)
        assert list(first.records) == list(second.records)
        for iri in first.records:
            assert isomorphic(first.records[iri], second.records[iri])
        assert first.problems == second.problems


def test_a_media_type_names_the_syntax_and_a_generic_one_is_sniffed(context):
    data = LIFE_COUNT.read_bytes()
    assert mapping.read(data, context, "text/turtle; charset=utf-8").records
    assert mapping.read(data, context, "text/plain").records  # servers say so of Turtle too
    told = mapping.read(data, context, "application/rdf+xml")
    assert not told.records and "not valid RDF/XML" in told.problems[0].message


def test_the_parser_s_limits_apply(context, monkeypatch):
    monkeypatch.setattr(mapping, "MAX_STATEMENTS", 5)
    mapped = mapping.read(CATALOGUE.encode(), context)
    assert not mapped.records
    assert "more than 5 statements" in mapped.problems[0].message
    monkeypatch.setattr(mapping, "MAX_BYTES", 100)
    mapped = mapping.read(CATALOGUE.encode(), context)
    assert "more than the limit of 100 bytes" in mapped.problems[0].message


def test_two_entries_that_would_share_an_iri_keep_the_first(context):
    data = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    <https://example.org/apis/Bins> a dcat:DataService ; dct:title "Bins API"@en ;
        dcat:endpointURL <https://example.org/bins> .
    <https://example.org/apis/bins> a dcat:DataService ; dct:title "Bins API, again"@en ;
        dcat:endpointURL <https://example.org/bins2> ."""
    mapped = mapping.read(data, context)
    assert list(mapped.records) == [f"{BASE}/id/apis/example-org-apis-bins"]
    [problem] = mapped.problems
    assert problem.entry == "https://example.org/apis/bins" and problem.severity == "error"
    assert "already is, so it was left out" in problem.message


def test_a_description_only_in_another_language_is_left_out_and_said(context):
    data = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    <https://example.org/apis/x> a dcat:DataService ; dct:title "Bee counts"@en ;
        dct:description "Μετρήσεις μελισσών ανά περιοχή και έτος."@el ;
        dcat:endpointURL <https://example.org/x> .""".encode()
    mapped = mapping.read(data, context)
    [record] = mapped.records.values()
    assert not list(record.objects(None, DCTERMS.description))
    [problem] = mapped.problems
    assert problem.severity == "warning" and "(el)" in problem.message


def test_a_title_the_registry_would_refuse_leaves_the_entry_out_and_a_text_licence_is_said(
    context,
):
    data = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    <https://example.org/apis/a> a dcat:DataService ; dct:title "Bins\u202eIPA"@en ;
        dcat:endpointURL <https://example.org/a> .
    <https://example.org/apis/b> a dcat:DataService ; dct:title "Roads API"@en ;
        dct:license "Open Government Licence" ; dcat:endpointURL <https://example.org/b> .
    """.encode()
    mapped = mapping.read(data, context)
    assert list(mapped.records) == [f"{BASE}/id/apis/example-org-apis-b"]
    title, licence = mapped.problems
    assert (title.entry, title.field, title.severity) == (
        "https://example.org/apis/a",
        "dcterms:title",
        "error",
    )
    assert "bidirectional-text control" in title.message and "left out" in title.message
    assert (licence.field, licence.severity) == ("dcterms:license", "warning")
    assert "not given as a web address" in licence.message
