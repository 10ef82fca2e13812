"""The ontology, concept schemes and shapes: load cleanly and say everything forms need."""

from __future__ import annotations

import logging
import warnings

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from registry.rdf.namespaces import REG, REGISTERS, VOCABULARY
from registry.vocab.model import ONTOLOGY_FILES, ROOT, SHAPES_FILES
from tests.conftest import BASE

FILES = ONTOLOGY_FILES + SHAPES_FILES


@pytest.mark.parametrize("relative", FILES)
def test_file_loads_in_rdflib_and_pyoxigraph_without_warnings(relative, caplog):
    data = (ROOT / relative).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.WARNING):
            graph = Graph().parse(data=data, format="turtle", publicID=BASE + "/")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    quads = list(ox.parse(data, ox.RdfFormat.TURTLE, base_iri=BASE + "/"))
    assert len(graph) == len(set(quads)) > 20


def test_every_own_term_has_label_definition_and_is_defined_by(model):
    ldr = str(model.base.ldr)
    terms = {
        s for s in model.ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(ldr)
    }
    assert len(terms) > 40
    for term in sorted(terms):
        assert model.ontology.value(term, RDFS.label), f"{term} has no rdfs:label"
        assert model.ontology.value(term, SKOS.definition), f"{term} has no skos:definition"
        assert model.ontology.value(term, RDFS.isDefinedBy) == URIRef(model.base.ontology_graph), (
            term
        )


def test_every_concept_is_labelled_and_in_a_scheme(model):
    concepts = set(model.ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 60
    for concept in concepts:
        assert model.ontology.value(concept, SKOS.prefLabel), concept
        scheme = model.ontology.value(concept, SKOS.inScheme)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in model.ontology, concept


def test_required_concept_schemes_exist(model):
    for name, codes in {
        "council-type": {"CTY", "UA", "NMD", "MD", "LBO", "CC", "COMB", "SRA", "SCO", "WPA", "NID"},
        "region": {"north-east", "london", "scotland", "wales", "northern-ireland"},
        "adoption-status": {
            "mandated",
            "adopted",
            "endorsed",
            "recommended",
            "under-review",
            "deprecated",
        },
        "phase": {"discovery", "alpha", "beta", "live", "retired"},
    }.items():
        scheme = URIRef(f"{VOCABULARY}{name}")
        notations = {
            str(model.ontology.value(c, SKOS.notation))
            for c in model.ontology.subjects(SKOS.inScheme, scheme)
        }
        assert codes <= notations, (name, codes - notations)
    statuses = set(
        model.ontology.subjects(SKOS.inScheme, URIRef(f"{VOCABULARY}registration-status"))
    )
    assert {
        REG.statusSubmitted,
        REG.statusExperimental,
        REG.statusStable,
        REG.statusSuperseded,
        REG.statusRetired,
        REG.statusInvalid,
        model.base.ldr.statusWithdrawn,  # what a harvest withdraws (registry/harvest)
    } == statuses


def test_registers_match_the_url_design(model):
    assert list(model.register_class) == list(REGISTERS)


def property_shapes(model):
    return sorted(set(model.shapes.subjects(RDF.type, SH.PropertyShape)))


def test_every_property_shape_says_what_forms_need(model):
    shapes = property_shapes(model)
    assert len(shapes) > 60
    for ps in shapes:
        for needed in (SH.name, SH.description, SH.order, SH.group, SH.message, SH.severity):
            assert model.shapes.value(ps, needed) is not None, f"{ps} has no {needed}"
        assert model.shapes.value(ps, SH.severity) in (SH.Violation, SH.Warning), ps


def test_messages_are_plain_english_not_constraint_names(model):
    for message in model.shapes.objects(None, SH.message):
        text = str(message)
        assert not any(word in text for word in ("minCount", "maxCount", "sh:", "datatype")), text
        assert text[0].isupper() or text.startswith("'") or text.startswith("{"), text


def test_every_registered_kind_has_a_shape(model):
    targeted = set(model.shapes.objects(None, SH.targetClass))
    for register, cls in model.register_class.items():
        assert cls in targeted, f"no shape targets the {register} register's class {cls}"
