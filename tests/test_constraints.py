"""Every constraint in shapes/ is shown to fire: for each one, a starter record is broken in
exactly that way and validation must report the shape's own message, at the right node and
property, with the shape's severity. The cases are derived from the shapes, so a constraint
added later is tested too — or fails test_every_constraint_kind_has_a_breaker."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS, XSD

from registry.bulk import loader
from registry.rdf.namespaces import REG, VOCABULARY
from registry.records.split import split_records
from registry.records.validation import validate_graph
from registry.vocab.model import load_model
from tests.conftest import BASE

MODEL = load_model(BASE)
LDR = MODEL.base.ldr
PROF = URIRef("http://www.w3.org/ns/dx/prof/")
HANDLED = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.node,
    SH.sparql,
    LDR.registeredClass,
    LDR.scheme,
}
IGNORED = {
    SH.path,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.severity,
    SH.message,
    RDF.type,
    URIRef("http://datashapes.org/dash#singleLine"),  # a form hint, not a constraint
    LDR.valueClass,
}  # the class forms give nested values; not checked


def starter_graph() -> Graph:
    graph, errors = loader.read_files(loader.starter_files(), MODEL, 1 << 26)
    assert not errors
    return graph


STARTER = starter_graph()


@dataclass
class Case:
    node_shape: URIRef
    prop_shape: URIRef
    constraint: URIRef
    value: object

    @property
    def id(self) -> str:
        local = lambda u: str(u).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return f"{local(self.node_shape)}-{local(self.prop_shape)}-{local(self.constraint)}"


def node_shapes():
    """(node shape, the class whose instances it checks, or the path that leads to it)."""
    yield from MODEL.shapes.subjects(RDF.type, SH.NodeShape)


def cases() -> list[Case]:
    found = []
    for ns in node_shapes():
        for ps in MODEL.shapes.objects(ns, SH.property):
            for p, o in MODEL.shapes.predicate_objects(ps):
                if p in IGNORED:
                    continue
                found.append(Case(ns, ps, p, o))
    return sorted(found, key=lambda c: c.id)


CASES = cases()
COUNTER = itertools.count(1)


def test_every_constraint_kind_has_a_breaker():
    unknown = {c.constraint for c in CASES} - HANDLED
    assert not unknown, f"constraints with no breaking case in this test: {unknown}"


TEST_ONLY_RECORDS = """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix reg: <http://purl.org/linked-data/registry#> .
@prefix ldr: <{vocabulary}ldr#> .
<id/products/test-product> a ldr:Product ;
    dcterms:title "A test product"@en ;
    dcterms:description "A product invented for this test: the starter data has no products yet."@en ;
    ldr:supplier <id/organisations/graphnet-health> ;
    dcterms:conformsTo <id/standards/fhir-uk-core> ;
    ldr:claim [ a ldr:ConformanceClaim ; ldr:claimedStandard <id/standards/fhir-uk-core> ; dcat:version "R4" ;
                ldr:evidence <https://example.org/report> ; dcterms:date "2026-10-01"^^<http://www.w3.org/2001/XMLSchema#date> ] ;
    ldr:serviceArea <{vocabulary}service-area/health-and-care-integration> ;
    dcat:landingPage <https://example.org/product> ;
    dcterms:source <https://example.org/product> ;
    reg:status reg:statusSubmitted .
<id/guides/test-guide> a ldr:Guide ;
    dcterms:title "A test guide"@en ;
    dcterms:description "A guide invented for this test: the starter data has no guides yet."@en ;
    ldr:guideType <{vocabulary}guide-type/how-to> ;
    ldr:about <id/exemplars/localgov-drupal> ;
    dcterms:creator <id/organisations/brighton-and-hove-city-council> ;
    dcat:landingPage <https://example.org/guide> ;
    dcterms:source <https://example.org/guide> ;
    reg:status reg:statusSubmitted .
<id/sources/test-source> a ldr:HarvestSource ;
    dcterms:title "A test harvest source"@en ;
    dcterms:description "A harvest source invented for this test: the starter data has none."@en ;
    ldr:harvestKind <{vocabulary}harvest-kind/publiccode> ;
    dcat:accessURL <https://example.org/publiccode.yml> ;
    ldr:schedule <{vocabulary}harvest-schedule/weekly> ;
    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;
    dcterms:publisher <id/organisations/brighton-and-hove-city-council> ;
    ldr:withdrawAfter 3 ;
    dcterms:source <https://example.org/publiccode.yml> ;
    reg:status reg:statusSubmitted .
<id/software/test-software> a ldr:Software ;
    dcterms:title "A test piece of software"@en ;
    dcterms:description "Software invented for this test: the starter data has no software yet."@en ;
    dcterms:publisher <id/organisations/brighton-and-hove-city-council> ;
    <http://www.w3.org/ns/adms#status> <{vocabulary}software-status/stable> ;
    ldr:maintenanceType <{vocabulary}maintenance-type/internal> ;
    <https://schema.org/softwareVersion> "1.2.0" ;
    ldr:usedBy <id/organisations/london-borough-of-croydon> ;
    dcat:contactPoint [ <http://www.w3.org/2006/vcard/ns#fn> "Digital team" ;
                        <http://www.w3.org/2006/vcard/ns#hasEmail> <mailto:digital@example.org> ] ;
    <https://schema.org/codeRepository> <https://example.org/repo> ;
    dcterms:license <http://spdx.org/licenses/MIT> ;
    dcat:landingPage <https://example.org/software> ;
    <https://schema.org/softwareRequirements> "PostgreSQL" ;
    dcterms:conformsTo <id/standards/fhir-uk-core> ;
    dcterms:source <https://example.org/software> ;
    reg:status reg:statusSubmitted .
<id/apis/test-api> a dcat:DataService ;
    dcterms:title "A test API"@en ;
    dcterms:description "An API invented for this test: the starter data has no APIs yet."@en ;
    dcat:endpointURL <https://api.example.org/> ;
    dcat:endpointDescription <https://example.org/api-docs> ;
    dcterms:publisher <id/organisations/brighton-and-hove-city-council> ;
    dcat:contactPoint [ <http://www.w3.org/2006/vcard/ns#fn> "API team" ;
                        <http://www.w3.org/2006/vcard/ns#hasEmail> <mailto:api@example.org> ] ;
    dcterms:license <https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/> ;
    dcterms:conformsTo <id/standards/fhir-uk-core> ;
    dcterms:source <https://example.org/api-docs> ;
    reg:status reg:statusSubmitted .
"""
STARTER.parse(
    data=TEST_ONLY_RECORDS.replace("{vocabulary}", VOCABULARY),
    format="turtle",
    publicID=MODEL.base.parse_base,
)


def focus_for(node_shape: URIRef) -> tuple[Graph, URIRef | BNode]:
    """A valid starter record (a copy) and the node in it that the node shape checks."""
    targets = list(MODEL.shapes.objects(node_shape, SH.targetClass))
    if targets:
        # Prefer the richest record of the most specific target class.
        candidates = []
        for cls in targets:
            for sub in MODEL.subclasses(cls):
                candidates += list(STARTER.subjects(RDF.type, sub))
        subject = max(
            sorted(set(candidates)), key=lambda s: len(list(STARTER.predicate_objects(s)))
        )
        return record_copy(subject), subject
    # A nested shape: find a record whose property shape points at it with sh:node.
    for ps in MODEL.shapes.subjects(SH.node, node_shape):
        path = MODEL.shapes.value(ps, SH.path)
        for s, o in STARTER.subject_objects(path):
            if isinstance(o, BNode):
                return record_copy(s), o
        # No starter record has one (validation resources): add one to a standard.
        standard = URIRef(f"{BASE}/id/standards/open-referral-uk")
        graph = record_copy(standard)
        node = BNode()
        graph.add((standard, path, node))
        graph.add((node, URIRef(str(PROF) + "hasRole"), URIRef(str(PROF) + "role/Validation")))
        graph.add(
            (node, URIRef(str(PROF) + "hasArtifact"), URIRef("https://example.org/schema.json"))
        )
        return graph, node
    raise AssertionError(f"no starter record to test {node_shape}")


STARTER_RECORDS, _ = split_records(STARTER, MODEL)


def record_copy(subject) -> Graph:
    copy = Graph()
    copy += STARTER_RECORDS[str(subject)]
    return copy


def other_value(ps: URIRef, current, graph: Graph):
    """A second value that is itself valid for the property (to break maxCount only)."""
    shapes = MODEL.shapes
    scheme = shapes.value(ps, LDR.scheme)
    if scheme is not None:
        concepts = sorted(MODEL.ontology.subjects(SKOS.inScheme, scheme))
        pattern = shapes.value(ps, SH.pattern)
        concepts = [
            c for c in concepts if c != current and (pattern is None or str(pattern) in str(c))
        ]
        return concepts[0]
    registered = shapes.value(ps, LDR.registeredClass)
    if registered is not None:
        kinds = MODEL.subclasses(registered)
        for s in sorted(set(STARTER.subjects(RDF.type, None)), key=str):
            if (
                isinstance(s, URIRef)
                and s != current
                and (registered == REG.RegisterItem or set(STARTER.objects(s, RDF.type)) & kinds)
            ):
                return s
    datatype = shapes.value(ps, SH.datatype)
    n = next(COUNTER)
    if datatype == XSD.date:
        return Literal(f"2001-02-{n % 28 + 1:02d}", datatype=XSD.date)
    if datatype == XSD.boolean:
        return Literal(not bool(current.toPython()) if isinstance(current, Literal) else True)
    if datatype == XSD.decimal:
        return Literal(str(n), datatype=XSD.decimal)
    if isinstance(current, URIRef):
        return URIRef(f"https://example.org/another-value-{n}")
    if isinstance(current, BNode):
        copy = BNode()
        for p, o in graph.predicate_objects(current):
            graph.add((copy, p, o))
        return copy
    if isinstance(current, Literal) and current.language:
        return Literal(f"{current} (another {n})", lang=current.language)
    return Literal(
        f"{current} (another {n})" if current is not None else f"another value long enough {n}"
    )


def break_record(case: Case, graph: Graph, focus) -> None:
    ps, kind, value = case.prop_shape, case.constraint, case.value
    path = MODEL.shapes.value(ps, SH.path)
    values = list(graph.objects(focus, path))

    def replace(new):
        for v in values:
            graph.remove((focus, path, v))
        graph.add((focus, path, new))

    if kind == SH.minCount:
        keep = values[: int(value) - 1]
        for v in values[len(keep) :]:
            graph.remove((focus, path, v))
        if int(value) > 1 and not keep:
            graph.add((focus, path, other_value(ps, None, graph)))
    elif kind == SH.maxCount:
        current = values[0] if values else None
        if current is None:
            current = other_value(ps, None, graph)
            graph.add((focus, path, current))
        for _ in range(int(value)):
            extra = other_value(ps, current, graph)
            graph.add((focus, path, extra))
            current = extra
    elif (
        kind == SH.sparql
    ):  # s:givenOrNotPublished: neither a value nor "not published by its sources"
        for v in values:
            graph.remove((focus, path, v))
        graph.remove((focus, LDR.notPublished, path))
    elif kind == SH.datatype:
        replace(Literal("not a valid value", lang="en") if value != XSD.string else Literal(42))
    elif kind == SH.nodeKind:
        replace(
            Literal("plain text, not a web address")
            if value == SH.IRI
            else URIRef("https://example.org/x")
        )
    elif kind == SH.pattern:
        if path == LDR.gssCode:
            replace(Literal("X123"))
        elif path == URIRef("http://www.w3.org/ns/dcat#accessURL"):
            replace(URIRef("ftp://example.org/publiccode.yml"))
        elif path == URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"):
            replace(URIRef("https://example.org/not-an-email-address"))
        else:  # a concept of the right scheme whose notation does not match the pattern
            scheme = MODEL.shapes.value(ps, LDR.scheme)
            wrong = [
                c
                for c in sorted(MODEL.ontology.subjects(SKOS.inScheme, scheme))
                if str(value) not in str(c)
            ]
            replace(wrong[0])
    elif kind == SH.minLength:
        replace(Literal("ab", lang="en"))
    elif kind == SH.maxLength:
        replace(Literal("x" * (int(value) + 1), lang="en"))
    elif kind == SH.minInclusive:
        replace(Literal(str(int(value) - 5), datatype=XSD.decimal))
    elif kind == SH.maxInclusive:
        replace(Literal(int(value) + 5, datatype=XSD.integer))
    elif kind == SH.node:
        broken = BNode()
        graph.add((broken, DCTERMS.description, Literal("a nested value missing what it needs")))
        replace(broken)
    elif kind == LDR.registeredClass:
        # A registered record of another kind (a concept scheme is no record): must be refused.
        replace(
            URIRef(f"{VOCABULARY}phase")
            if value == REG.RegisterItem
            else URIRef(f"{BASE}/id/platforms/govuk-pay")
            if value != LDR.Platform
            else URIRef(f"{BASE}/id/standards/uprn")
        )
    elif kind == LDR.scheme:
        other_scheme = (
            URIRef(f"{VOCABULARY}guide-type")
            if value != URIRef(f"{VOCABULARY}guide-type")
            else URIRef(f"{VOCABULARY}phase")
        )
        replace(sorted(MODEL.ontology.subjects(SKOS.inScheme, other_scheme))[0])
    else:  # pragma: no cover - guarded by test_every_constraint_kind_has_a_breaker
        raise AssertionError(kind)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_breaking_a_constraint_reports_its_message(case: Case, starter_store):
    graph, focus = focus_for(case.node_shape)
    break_record(case, graph, focus)
    _, report = validate_graph(graph, MODEL, starter_store)
    message = str(MODEL.shapes.value(case.prop_shape, SH.message))
    severity = str(MODEL.shapes.value(case.prop_shape, SH.severity)).rsplit("#", 1)[-1]
    path = str(MODEL.shapes.value(case.prop_shape, SH.path))
    matching = [
        r
        for r in report.results
        if r.message == message and r.focus == str(focus) and r.path == path
    ]
    if (
        case.constraint == SH.node
    ):  # reported on the record, and the nested problems on the nested node
        matching = [r for r in report.results if r.message == message and r.path == path]
    assert matching, f"expected {message!r}; got:\n{report.render(detail=50)}"
    assert {r.severity for r in matching} == {severity}
    if severity == "Violation":
        assert not report.conforms


SPARQL_CASES = {
    # first words of the message -> how to break a record of the node shape
    "A superseded record must name": (
        "standards",
        lambda g, s: g.set(
            (
                s,
                URIRef("http://purl.org/linked-data/registry#status"),
                URIRef("http://purl.org/linked-data/registry#statusSuperseded"),
            )
        ),
    ),
    "A record cannot be replaced by itself": (
        "platforms",
        lambda g, s: g.add((s, DCTERMS.isReplacedBy, s)),
    ),
    "A standard said to be open must state its licence": (
        "standards",
        lambda g, s: g.remove((s, DCTERMS.license, None)),
    ),
    "An agreement must end after it starts": (
        "agreements",
        lambda g, s: (
            g.set(
                (
                    s,
                    URIRef("https://schema.org/startDate"),
                    Literal("2020-01-01", datatype=XSD.date),
                )
            ),
            g.set(
                (s, URIRef("https://schema.org/endDate"), Literal("2019-12-31", datatype=XSD.date))
            ),
        ),
    ),
    "An agreement must be reviewed before it ends": (
        "agreements",
        lambda g, s: (
            g.set(
                (s, URIRef("https://schema.org/endDate"), Literal("2030-01-01", datatype=XSD.date))
            ),
            g.set((s, LDR.reviewDate, Literal("2031-01-01", datatype=XSD.date))),
        ),
    ),
    "An agreement that shares special category data": (
        "agreements",
        lambda g, s: g.remove((s, LDR.article9Condition, None)),
    ),
    "Each conformance claim should link to its evidence": (
        "products",
        lambda g, s: g.remove((g.value(s, LDR.claim), LDR.evidence, None)),
    ),
    "Every data controller must also be named as a party": (
        "agreements",
        lambda g, s: g.remove(
            (
                s,
                LDR.party,
                sorted(g.objects(s, URIRef("https://w3id.org/dpv#hasDataController")))[0],
            )
        ),
    ),
    "'Not published by its sources' must name a property": (
        "platforms",
        lambda g, s: g.add((s, LDR.notPublished, Literal("the web page"))),
    ),
    "The record gives": (
        "platforms",
        lambda g, s: g.add((s, LDR.notPublished, URIRef("http://www.w3.org/ns/dcat#landingPage"))),
    ),
}
RECORD_FOR = {
    "standards": "open-referral-uk",
    "platforms": "govuk-pay",
    "agreements": "leeds-care-record",
    "products": "test-product",
}


def sparql_messages() -> list[str]:
    # s:givenOrNotPublished has no message of its own: its property shapes' messages are tested above.
    return sorted(
        str(m)
        for c in MODEL.shapes.objects(None, SH.sparql)
        for m in MODEL.shapes.objects(c, SH.message)
    )


def test_every_sparql_constraint_has_a_case():
    for message in sparql_messages():
        assert any(message.startswith(k) for k in SPARQL_CASES), f"no breaking case for: {message}"


@pytest.mark.parametrize("start", sorted(SPARQL_CASES))
def test_breaking_a_cross_record_rule_reports_its_message(start, starter_store):
    register, mutate = SPARQL_CASES[start]
    subject = URIRef(f"{BASE}/id/{register}/{RECORD_FOR[register]}")
    graph = record_copy(subject)
    mutate(graph, subject)
    _, report = validate_graph(graph, MODEL, starter_store)
    found = [r for r in report.results if r.message.startswith(start)]
    assert found, report.render(detail=50)
    assert found[0].record == str(subject)
    if found[0].severity == "Violation":
        assert not report.conforms


def test_validation_reusing_pyshacl_s_work_reports_what_pyshacl_alone_does(
    starter_store, monkeypatch
):
    """registry/records/shacl_reuse.py keeps pyshacl's shapes, prefixes and parsed queries between
    validations and leaves out its advanced features: every broken record above must get the
    same report as from pyshacl building everything afresh, advanced features on."""
    import contextlib

    import pyshacl
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    from registry.records import shacl_reuse, validation

    assert shacl_reuse.IN_EFFECT == [
        "prepared queries",
        "shapes graph",
        "prefixes",
        "parameters",
    ], "a pyshacl upgrade moved what registry/records/shacl_reuse.py adjusts: see its docstring"
    graphs = []
    for case in CASES:
        graph, focus = focus_for(case.node_shape)
        break_record(case, graph, focus)
        graphs.append(graph)
    for _start, (register, mutate) in sorted(SPARQL_CASES.items()):
        subject = URIRef(f"{BASE}/id/{register}/{RECORD_FOR[register]}")
        graph = record_copy(subject)
        mutate(graph, subject)
        graphs.append(graph)

    def reports() -> list[list[str]]:
        return [
            sorted(map(repr, validate_graph(g, MODEL, starter_store)[1].results)) for g in graphs
        ]

    # with the reuse: no ShapesGraph is built during a validation
    monkeypatch.setattr(
        shacl_reuse,
        "_new_shapes_graph",
        lambda *a, **k: pytest.fail("pyshacl built its shapes again"),
    )
    reused = reports()
    monkeypatch.undo()
    monkeypatch.setattr(validation, "reusing", lambda shapes: contextlib.nullcontext())
    monkeypatch.setattr(
        validation,
        "shacl_validate",
        lambda *a, **k: pyshacl.validate(*a, **{**k, "advanced": True}),
    )
    monkeypatch.setattr(SPARQLQueryHelper, "collect_prefixes", shacl_reuse._collect_prefixes)
    monkeypatch.setattr(
        pyshacl.shape,
        "CONSTRAINT_PARAMS",
        (list(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP),
    )
    assert reused == reports()
    assert sum(len(r) for r in reused) > len(graphs)  # the cases did break something
