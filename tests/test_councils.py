"""`ldr import-councils` on the real mySociety/ONS file."""

from __future__ import annotations

import csv
from collections import Counter

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from registry.importers.councils import import_councils, slug
from registry.rdf.rdfio import InputError
from tests.conftest import BASE, require_councils_csv
from tests.test_cli import run

TYPE_COUNTS = {
    "NMD": 164,
    "UA": 63,
    "MD": 36,
    "SCO": 32,
    "LBO": 32,
    "WPA": 22,
    "CTY": 21,
    "COMB": 14,
    "NID": 11,
    "SRA": 1,
    "CC": 1,
}


def councils_in(store, model):
    graph = store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s a <{model.base.ldr}LocalAuthority> ; ?p ?o }} }}"
    )
    return graph


def test_every_current_council_is_imported_with_type_and_region(model, store, settings):
    path = require_councils_csv()
    result = import_councils(path, model, store, settings["LDR_MAX_INPUT_BYTES"])
    assert result.outcome.written, result.outcome.report.render()
    assert result.councils == sum(TYPE_COUNTS.values()) == 397
    graph = councils_in(store, model)
    ldr = model.base.ldr
    types = Counter(
        str(graph.value(s, ldr.councilType)).rsplit("/", 1)[1]
        for s in graph.subjects(RDF.type, ldr.LocalAuthority)
    )
    assert types == TYPE_COUNTS
    rows = [
        r for r in csv.DictReader(path.open(encoding="utf-8")) if r["current-authority"] == "True"
    ]
    by_nation = Counter(r["nation"] for r in rows)
    regions = Counter(
        str(graph.value(s, ldr.region)).rsplit("/", 1)[1]
        for s in graph.subjects(RDF.type, ldr.LocalAuthority)
    )
    assert regions["scotland"] == by_nation["Scotland"] == 32
    assert regions["wales"] == by_nation["Wales"] == 22
    assert regions["northern-ireland"] == by_nation["Northern Ireland"] == 11
    for row in rows:
        council = URIRef(f"{BASE}/id/organisations/{slug(row['official-name'])}")
        assert str(graph.value(council, ldr.gssCode)) == row["gss-code"]


def test_known_region_errors_are_corrected_and_reported(model, store, settings):
    result = import_councils(require_councils_csv(), model, store, settings["LDR_MAX_INPUT_BYTES"])
    assert len(result.corrections) == 2
    assert any(
        "Derbyshire County Council (E10000007)" in c and "'East Midlands'" in c
        for c in result.corrections
    )
    assert any(
        "Lincolnshire County Council (E10000019)" in c and "'East Midlands'" in c
        for c in result.corrections
    )
    graph = councils_in(store, model)
    derbyshire = URIRef(f"{BASE}/id/organisations/derbyshire-county-council")
    assert str(graph.value(derbyshire, model.base.ldr.region)).endswith("/east-midlands")


def test_import_keeps_what_starter_data_says_and_is_repeatable(model, store, settings):
    path = require_councils_csv()
    leeds = URIRef(f"{BASE}/id/organisations/leeds-city-council")
    for _ in range(2):
        result = import_councils(path, model, store, settings["LDR_MAX_INPUT_BYTES"])
        assert result.outcome.written
    graph = councils_in(store, model)
    assert graph.value(leeds, FOAF.homepage) == URIRef("https://www.leeds.gov.uk/")
    assert len(list(graph.objects(leeds, model.base.ldr.region))) == 1
    assert len(list(graph.objects(leeds, DCTERMS.title))) == 1
    wycombe = URIRef(f"{BASE}/id/organisations/wycombe-district-council")
    assert (wycombe, None, None) not in graph  # former councils are left out


def test_a_file_with_an_impossible_row_is_refused_whole(model, store, settings, tmp_path):
    rows = require_councils_csv().read_text(encoding="utf-8").splitlines()
    broken = [rows[0]] + [rows[1].replace("N09000002", "N0900000X", 1)] + rows[2:]
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(broken), encoding="utf-8")
    before = len(councils_in(store, model))
    result = import_councils(path, model, store, settings["LDR_MAX_INPUT_BYTES"])
    assert not result.outcome.written
    assert any(
        e.line == 2 and "GSS code 'N0900000X'" in e.message for e in result.outcome.input_errors
    )
    assert len(councils_in(store, model)) == before


def test_a_file_that_is_not_the_councils_csv_is_refused_by_column(model, store, settings, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,code\nLeeds,E08000035\n", encoding="utf-8")
    try:
        import_councils(path, model, store, settings["LDR_MAX_INPUT_BYTES"])
    except InputError as exc:
        assert "gss-code" in exc.message and exc.line == 1
    else:
        raise AssertionError("a CSV without the columns was accepted")


def test_cli_reports_corrections_and_counts(store_dir):
    result = run("import-councils", str(require_councils_csv()), store=store_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Imported 397 current councils from 470 rows." in result.stdout
    assert result.stdout.count("corrected: ") == 2
