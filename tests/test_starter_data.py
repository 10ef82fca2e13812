"""The starter data: real, sourced, complete enough, and conforming to the shapes."""

from __future__ import annotations

import csv
from collections import Counter

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.bulk import loader
from registry.rdf.namespaces import VOCABULARY
from registry.records.split import split_records
from tests.conftest import BASE, require_councils_csv


def starter(model):
    graph, errors = loader.read_files(loader.starter_files(), model, 1 << 26)
    assert not errors
    records, problems = split_records(graph, model)
    assert not problems
    return graph, records


def test_all_starter_data_conforms_with_no_violations(model):
    outcome = loader.load_files(loader.starter_files(), model, None, 1 << 26, dry_run=True)
    assert outcome.report.conforms, outcome.report.render(detail=50)
    assert not outcome.report.violations


def test_enough_records_of_each_kind(model):
    _, records = starter(model)
    per_register = Counter(model.base.split_item(iri)[0] for iri in records)
    assert per_register["standards"] >= 25
    assert per_register["platforms"] >= 10
    assert per_register["exemplars"] >= 12
    assert per_register["agreements"] >= 3
    assert per_register["organisations"] >= 30


def test_every_record_carries_a_web_source(model):
    graph, records = starter(model)
    for iri in records:
        sources = list(graph.objects(URIRef(iri), DCTERMS.source))
        assert sources, f"{iri} has no dcterms:source"
        assert all(str(s).startswith("https://") for s in sources), (iri, sources)


def test_the_public_care_record_agreements_are_there(model):
    _, records = starter(model)
    for ref in ("cheshire-care-record", "leeds-care-record", "greater-manchester-care-record"):
        assert f"{BASE}/id/agreements/{ref}" in records


def test_councils_have_the_real_gss_code_type_and_region(model):
    """Each hand-written council agrees with the mySociety/ONS data it was checked against."""
    path = require_councils_csv()
    rows = {
        r["gss-code"]: r
        for r in csv.DictReader(path.open(encoding="utf-8"))
        if r["current-authority"] == "True"
    }
    graph, _ = starter(model)
    ldr = model.base.ldr
    councils = list(graph.subjects(RDF.type, ldr.LocalAuthority))
    assert len(councils) >= 25
    for council in councils:
        gss = str(graph.value(council, ldr.gssCode))
        assert gss in rows, f"{council}: {gss} is not a current council's GSS code"
        row = rows[gss]
        assert str(graph.value(council, DCTERMS.title)) == row["official-name"]
        assert str(graph.value(council, ldr.councilType)).endswith(
            "/" + row["local-authority-type"]
        )
        region = str(graph.value(council, ldr.region)).rsplit("/", 1)[1]
        assert region == row["region"].lower().replace(" ", "-"), (council, region, row["region"])


def test_starter_data_validates_with_no_warnings(model):
    """`ldr init` of a fresh registry reports nothing that looks like a fault: each recommended
    fact is either given or stated as not published by the record's sources."""
    outcome = loader.load_files(loader.starter_files(), model, None, 1 << 26, dry_run=True)
    assert not outcome.report.results, outcome.report.render(detail=100)


NEW_EXEMPLAR = """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix reg: <http://purl.org/linked-data/registry#> .
@prefix ldr: <{vocabulary}ldr#> .
<id/exemplars/new-test-exemplar> a ldr:Exemplar ;
    dcterms:title "A new exemplar a publisher submits"@en ;
    dcterms:description "An exemplar written for this test, with no outcome given."@en ;
    ldr:problem "Councils need to know what a publisher is warned about."@en ;
    ldr:leadOrganisation <id/organisations/leeds-city-council> ;
    ldr:serviceArea <{vocabulary}service-area/housing> ;
    ldr:phase <{vocabulary}phase/alpha> ;
    dcat:landingPage <https://example.org/exemplar> ;
    dcterms:source <https://example.org/exemplar> ;
    reg:status reg:statusSubmitted .
"""
OUTCOME_WARNING = (
    "An exemplar should say what it achieved or what benefits it brought (ldr:outcome), "
    "so others can judge it."
)


def validate_new_exemplar(model, starter_store, extra: str = ""):
    from rdflib import Graph

    from registry.records.validation import validate_graph

    graph = Graph()
    graph.parse(
        data=(NEW_EXEMPLAR + extra).replace("{vocabulary}", VOCABULARY),
        format="turtle",
        publicID=model.base.parse_base,
    )
    _, report = validate_graph(graph, model, starter_store)
    return report


def test_a_new_record_without_a_recommended_fact_is_still_warned(model, starter_store):
    report = validate_new_exemplar(model, starter_store)
    assert report.conforms
    warned = [r for r in report.results if r.message == OUTCOME_WARNING]
    assert warned and warned[0].severity == "Warning", report.render(detail=50)
    assert warned[0].field == "Outcomes and benefits"


def test_saying_the_sources_do_not_publish_a_fact_satisfies_the_recommendation(
    model, starter_store
):
    report = validate_new_exemplar(
        model, starter_store, "<id/exemplars/new-test-exemplar> ldr:notPublished ldr:outcome ."
    )
    assert report.conforms
    assert not report.results, report.render(detail=50)


def test_a_fact_cannot_be_both_given_and_not_published(model, starter_store):
    report = validate_new_exemplar(
        model, starter_store, "<id/exemplars/new-test-exemplar> ldr:notPublished ldr:phase ."
    )
    assert not report.conforms
    assert any("also says its sources do not publish it" in r.message for r in report.violations), (
        report.render()
    )
