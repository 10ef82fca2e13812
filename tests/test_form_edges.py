"""What a fourth stranger found walking the forms, the review queue and the checker: text saved
unchanged lost its language, a link typed as a reference could go to a record titled like it,
a decision could be made on a record not waiting for review, and more. Through Flask's client."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.records import registration
from registry.records.versions import Agent, current_record
from tests.conftest import BASE
from tests.test_web_publishing import (  # noqa: F401 - app is the fixture of both modules
    EXEMPLAR,
    _terms,
    _text,
    app,
    edit_with_the_form,
    sign_in,
)
from tests.web import csrf, form_fields

STEWARD = Agent(
    "sam",
    f"{BASE}/id/organisations/ministry-of-housing-communities-and-local-government",
    "steward",
)


def _revised(app, path: str, change) -> None:
    """The record at `path` revised by a steward, as the API would, with `change(graph, iri)`."""
    reg = app.extensions["ldr.registry"]
    iri = BASE + path.replace("/doc/", "/id/")
    graph = current_record(reg.store, reg.model, iri)
    change(graph, URIRef(iri))
    registration.revise(
        reg.store, reg.model, iri, graph, STEWARD, expected_version=registration.IfMatch(any=True)
    )


def _described(app, path: str, description: Literal) -> None:
    """The record at `path` with this description, set as the API would."""
    _revised(app, path, lambda graph, iri: graph.set((iri, DCTERMS.description, description)))


def _versions(app, path: str) -> int:
    return len(
        app.test_client()
        .get(path + "/versions", headers={"Accept": "application/json"})
        .json["versions"]
    )


def test_text_saved_unchanged_keeps_its_language_and_a_changed_one_is_english(app):
    path = "/doc/exemplars/bops"

    def in_welsh(graph, iri):
        graph.set((iri, DCTERMS.title, Literal("Cynllunio digidol", lang="cy")))
        description = graph.value(iri, DCTERMS.description)
        graph.set((iri, DCTERMS.description, Literal(str(description))))  # no language at all

    _revised(app, path, in_welsh)
    before, versions = _terms(app, path), _versions(app, path)
    client = app.test_client()
    sign_in(client, "sam")
    done = edit_with_the_form(client, path, {})
    assert "No changes made" in _text(done) and f"still version {versions}" in _text(done)
    assert _terms(app, path) == before and _versions(app, path) == versions
    # one box changed: that text is the form's (English); the Welsh title is still Welsh
    edit_with_the_form(
        client,
        path,
        {"descriptionRequired": ["Planning applications made online, checked as typed."]},
    )
    after = _terms(app, path)
    assert (DCTERMS.title, Literal("Cynllunio digidol", lang="cy")) in after
    assert (
        DCTERMS.description,
        Literal("Planning applications made online, checked as typed.", lang="en"),
    ) in after
    assert {p for p, _ in before ^ after} == {DCTERMS.description}
    # the words of the Welsh title changed: still Welsh (the record had one title, in Welsh)
    edit_with_the_form(client, path, {"title": ["Cynllunio digidol newydd"]})
    assert (DCTERMS.title, Literal("Cynllunio digidol newydd", lang="cy")) in _terms(app, path)


def test_a_browser_s_line_ends_are_the_same_text(app):
    """A textarea comes back with CR LF: the same words were saved as a change (and kept CR)."""
    path = "/doc/exemplars/bops"
    _described(app, path, Literal("First line.\nSecond line.", lang="en"))
    versions = _versions(app, path)
    client = app.test_client()
    sign_in(client, "sam")
    edit_with_the_form(client, path, {"descriptionRequired": ["First line.\r\nSecond line."]})
    assert _versions(app, path) == versions
    assert (DCTERMS.description, Literal("First line.\nSecond line.", lang="en")) in _terms(
        app, path
    )


def _new_exemplar(client, **changes):
    token = csrf(client.get("/exemplars/new").data)
    return client.post(
        "/exemplars/new",
        data={
            **EXEMPLAR,
            "csrf_token": token,
            "action": "continue",
            "problem": "Each council builds its own pages.",
            **changes,
        },
    )


def test_words_that_are_one_record_s_title_and_another_s_reference_are_refused(app):
    """A supplier renamed like a council's reference took the council's links."""
    _revised(
        app,
        "/doc/organisations/unboxed",
        lambda graph, iri: graph.set(
            (iri, DCTERMS.title, Literal("london-borough-of-hackney", lang="en"))
        ),
    )
    client = app.test_client()
    sign_in(client, "amy")
    refused = _new_exemplar(client, lead="london-borough-of-hackney")
    assert refused.status_code == 422
    said = _text(refused)
    assert "is the title of one organisation" in said and f"{BASE}/id/organisations/unboxed" in said
    assert f"{BASE}/id/organisations/london-borough-of-hackney" in said
    # by its address, each is named without doubt
    accepted = _new_exemplar(client, lead=f"{BASE}/doc/organisations/london-borough-of-hackney")
    assert accepted.status_code == 303


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": "Garden waste\nsubscriptions"}, "Title must be on one line"),
        (
            {
                "funding-count": "1",
                "funding-funder-0": "Leeds City Council",
                "funding-amount-0": "1,00,0",
            },
            "An amount must be zero or more, in pounds, such as 98500 or 98,500.50",
        ),
    ],
)
def test_what_the_form_cannot_take_as_meant_is_refused_in_words(app, changes, message):
    client = app.test_client()
    sign_in(client, "amy")
    refused = _new_exemplar(client, **changes)
    assert refused.status_code == 422 and message in _text(refused), _text(refused)[:2000]


def test_a_year_of_two_numbers_is_refused_not_read_as_the_first_century(app):
    client = app.test_client()
    sign_in(client, "amy")
    form = client.get("/agreements/new")
    sent = {
        **form_fields(form.data, "/agreements/new"),
        "title": "Leeds sharing",
        "action": "continue",
        "start-day": "1",
        "start-month": "1",
        "start-year": "24",
    }
    refused = client.post("/agreements/new", data=sent)
    assert refused.status_code == 422
    assert "must include a year with 4 numbers, for example 31 3 2027" in _text(refused)


def test_a_problem_in_the_second_funding_entry_is_shown_beside_it(app):
    client = app.test_client()
    sign_in(client, "amy")
    refused = _new_exemplar(
        client,
        **{
            "funding-count": "2",
            "funding-funder-0": "Leeds City Council",
            "funding-amount-0": "1000",
            "funding-amount-1": "2000",
        },
    )
    page = refused.data.decode()
    summary = page[page.find("govuk-error-summary__list") :]
    links = re.findall(r'<a href="#([^"]+)"', summary[: summary.find("</ul>")])
    assert refused.status_code == 422 and links == ["funding-funder-1"], links


def test_a_save_that_leaves_out_the_record_version_is_refused(app):
    client = app.test_client()
    sign_in(client, "sam")
    path = "/doc/platforms/govuk-notify"
    values = form_fields(client.get(path + "/edit").data, path + "/edit")
    values.pop("record-version")
    refused = client.post(
        path + "/edit",
        data={**values, "action": ["continue"], "title": ["Renamed unseen"]},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 400 and "without the field `record-version`" in _text(refused)
    assert "Renamed unseen" not in client.get(path, headers={"Accept": "text/html"}).data.decode()


def test_only_a_record_waiting_for_review_is_decided_on(app):
    steward = app.test_client()
    sign_in(steward, "sam")
    token = csrf(steward.get("/review").data)
    stable = steward.post(
        "/review/exemplars/bops",
        data={"csrf_token": token, "decision": "invalid", "comment": "Not wanted"},
        headers={"Accept": "text/html"},
    )
    assert stable.status_code == 409 and "not waiting for review: it is stable" in _text(stable)
    reg = app.extensions["ldr.registry"]
    assert "statusStable" in current_record(
        reg.store, reg.model, f"{BASE}/id/exemplars/bops"
    ).serialize(format="nt")
    missing = steward.post(
        "/review/exemplars/no-such-record",
        data={"csrf_token": token, "decision": "stable"},
        headers={"Accept": "text/html"},
    )
    assert missing.status_code == 404


def test_a_review_comment_with_control_characters_is_refused(app):
    from tests.test_web_publishing import submitted_by_amy

    submitted_by_amy(app)
    steward = app.test_client()
    sign_in(steward, "sam")
    token = csrf(steward.get("/review").data)
    refused = steward.post(
        "/review/exemplars/garden-waste-subscriptions",
        data={"csrf_token": token, "decision": "changes", "comment": "Add\x00 outcomes"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 400 and "The comment" in _text(refused)
    org = app.test_client().get("/doc/organisations/leeds-city-council.html").data.decode()
    assert "outcomes" not in org


def test_a_form_too_large_for_the_registry_is_a_page_for_a_browser(app):
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    refused = client.post(
        "/exemplars/new",
        data={**EXEMPLAR, "csrf_token": token, "title": "x" * 600_000},
        headers={"Accept": "text/html,application/xhtml+xml"},
    )
    assert refused.status_code == 413 and refused.mimetype == "text/html"
    assert "The form is larger than a form may be" in _text(refused)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e309"])
def test_the_checker_refuses_what_is_not_json_though_python_reads_it(app, number):
    body = (
        '{"uri": "x", "publishedDate": "2024-01-01T00:00:00Z", "publisher": {"name": "x"}, "version": "1.1", '
        f'"releases": [{{"ocid": "o", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"], '
        f'"initiationType": "tender", "tender": {{"value": {{"amount": {number}}}}}}}]}}'
    )
    answer = app.test_client().post(
        "/doc/standards/ocds/check", data=body, content_type="application/json"
    )
    assert answer.status_code == 422 and "is not JSON" in answer.json["detail"], answer.json
    assert number.split("e")[0] in answer.json["detail"]


def test_a_claimed_version_is_text_without_a_language():
    from rdflib import Graph
    from rdflib.namespace import RDF

    from registry.records.validation import validate_graph
    from registry.vocab.model import load_model

    model = load_model(BASE)
    graph = Graph()
    product = URIRef(f"{BASE}/id/products/tagged-version")
    claim = BNode()
    ldr = model.base.ldr
    graph.add((product, RDF.type, ldr.Product))
    graph.add((product, ldr.claim, claim))
    graph.add((claim, RDF.type, ldr.ConformanceClaim))
    graph.add((claim, URIRef("http://www.w3.org/ns/dcat#version"), Literal("1.0", lang="en")))
    report = validate_graph(graph, model, None)[1]
    assert any(
        r.path == "http://www.w3.org/ns/dcat#version" and "without a language" in r.message
        for r in report.violations
    ), [(r.path, r.message) for r in report.violations]


def test_text_sent_with_line_ends_and_spaces_is_the_same_text_to_the_form(app):
    """A description sent through the API with CR LF and a space at its end came back from an
    unchanged form changed: a version was made, and the text lost its ends."""
    path = "/doc/exemplars/bops"
    _described(app, path, Literal("First line.\r\nSecond line. ", lang="en-GB"))
    before, versions = _terms(app, path), _versions(app, path)
    client = app.test_client()
    sign_in(client, "sam")
    assert "No changes made" in _text(edit_with_the_form(client, path, {}))
    assert _terms(app, path) == before and _versions(app, path) == versions


def test_a_title_with_a_line_break_is_refused_by_every_route(app):
    reg = app.extensions["ldr.registry"]
    iri = f"{BASE}/id/exemplars/bops"
    graph = current_record(reg.store, reg.model, iri)
    graph.set((URIRef(iri), DCTERMS.title, Literal("Gwasanaeth\nCynllunio", lang="cy")))
    with pytest.raises(registration.RegistrationError) as refused:
        registration.revise(
            reg.store,
            reg.model,
            iri,
            graph,
            STEWARD,
            expected_version=registration.IfMatch(any=True),
        )
    assert any("a title or label is one line" in r.message for r in refused.value.report.violations)


@pytest.mark.parametrize("reference", ["S5-UPPER", "s5_under", "caf%C3%A9", "x" * 120])
def test_a_record_whose_reference_no_page_could_serve_is_refused(app, reference):
    """POST /products registered such records (listed, queued for review) whose every page was 404."""
    reg = app.extensions["ldr.registry"]
    iri = f"{BASE}/id/exemplars/{reference}"
    graph = current_record(reg.store, reg.model, f"{BASE}/id/exemplars/bops")
    moved = graph.__class__()
    for s, p, o in graph:
        moved.add((URIRef(iri) if str(s).endswith("/bops") else s, p, o))
    moved.set((URIRef(iri), DCTERMS.title, Literal("A copy with an odd address", lang="en")))
    with pytest.raises(registration.RegistrationError) as refused:
        registration.submit(reg.store, reg.model, moved, STEWARD, register="exemplars")
    assert any("does not end in a reference" in r.message for r in refused.value.report.violations)


def test_a_rejected_record_s_title_takes_no_reference_from_those_that_stand(app):
    """An organisation titled like a council's reference, rejected, still made the council's
    reference 'ambiguous' everywhere."""
    reg = app.extensions["ldr.registry"]
    _revised(
        app,
        "/doc/organisations/unboxed",
        lambda graph, iri: graph.set(
            (iri, DCTERMS.title, Literal("london-borough-of-hackney", lang="en"))
        ),
    )
    registration.change_status(
        reg.store,
        reg.model,
        f"{BASE}/id/organisations/unboxed",
        "invalid",
        STEWARD,
        note="Not a body",
    )
    client = app.test_client()
    sign_in(client, "amy")
    assert _new_exemplar(client, lead="london-borough-of-hackney").status_code == 303


def test_the_checker_refuses_a_name_given_twice_in_one_object(app):
    body = '{"uri": "x", "uri": "y", "publishedDate": "2024-01-01T00:00:00Z", "releases": []}'
    answer = app.test_client().post(
        "/doc/standards/ocds/check", data=body, content_type="application/json"
    )
    assert answer.status_code == 422 and "given twice" in answer.json["detail"], answer.json
