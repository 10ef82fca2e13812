"""The starter data: real, sourced, complete enough, and conforming to the shapes."""
from __future__ import annotations

import csv
from collections import Counter

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from registry import loader
from registry.records import split_records
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
    rows = {r["gss-code"]: r for r in csv.DictReader(path.open(encoding="utf-8")) if r["current-authority"] == "True"}
    graph, _ = starter(model)
    ldr = model.base.ldr
    councils = list(graph.subjects(RDF.type, ldr.LocalAuthority))
    assert len(councils) >= 25
    for council in councils:
        gss = str(graph.value(council, ldr.gssCode))
        assert gss in rows, f"{council}: {gss} is not a current council's GSS code"
        row = rows[gss]
        assert str(graph.value(council, DCTERMS.title)) == row["official-name"]
        assert str(graph.value(council, ldr.councilType)).endswith("/" + row["local-authority-type"])
        region = str(graph.value(council, ldr.region)).rsplit("/", 1)[1]
        assert region == row["region"].lower().replace(" ", "-"), (council, region, row["region"])
