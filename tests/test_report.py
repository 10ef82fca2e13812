"""Validation reports stay readable: grouped by record, counted, the first few in full."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.rdf.namespaces import VOCABULARY
from registry.records.validation import validate_graph
from tests.conftest import BASE


def test_a_record_with_a_thousand_violations_gives_a_readable_report(model, starter_store):
    graph = Graph()
    record = URIRef(f"{BASE}/id/exemplars/too-many-partners")
    graph.parse(
        data=f"""
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix reg: <http://purl.org/linked-data/registry#> .
        <{record}> a <{model.base.ldr}Exemplar> ;
            dcterms:title "An exemplar with a thousand wrong partners"@en ;
            dcterms:description "Every partner named here is not a registered organisation."@en ;
            <{model.base.ldr}problem> "Checking that a long report stays readable for officers."@en ;
            <{model.base.ldr}leadOrganisation> <{BASE}/id/organisations/leeds-city-council> ;
            <{model.base.ldr}serviceArea> <{VOCABULARY}service-area/planning> ;
            dcterms:source <https://example.org/> ;
            reg:status reg:statusSubmitted .
    """,
        format="turtle",
    )
    for n in range(1000):
        graph.add(
            (
                record,
                model.base.ldr.partnerOrganisation,
                URIRef(f"{BASE}/id/organisations/nobody-{n}"),
            )
        )
    _, report = validate_graph(graph, model, starter_store)
    assert len(report.violations) == 1000
    text = report.render(detail=5)
    lines = text.splitlines()
    assert lines[0].startswith("1000 errors")
    assert "1000 errors" in text and "too-many-partners" in text
    assert sum(line.strip().startswith("error:") for line in lines) == 5
    assert f"… and {len(report.results) - 5} more:" in text
    assert "995 × error: Each partner must be an organisation registered here" in text
    assert len(lines) < 20


def test_results_carry_focus_path_value_severity_and_message(model, starter_store):
    graph = Graph()
    record = URIRef(f"{BASE}/id/standards/no-publisher")
    graph.add((record, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), DCTERMS.Standard))
    graph.add((record, DCTERMS.title, Literal("A standard with an unknown publisher")))
    graph.add((record, DCTERMS.publisher, URIRef(f"{BASE}/id/organisations/unknown-body")))
    _, report = validate_graph(graph, model, starter_store)
    publisher = [r for r in report.results if r.path == str(DCTERMS.publisher)]
    assert publisher
    result = publisher[0]
    assert result.record == str(record) and result.focus == str(record)
    assert result.value == f"{BASE}/id/organisations/unknown-body"
    assert result.severity == "Violation"
    assert result.field == "Publisher"
    assert "registered here as an organisation" in result.message
