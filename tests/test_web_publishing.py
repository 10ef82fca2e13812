"""Publishing from the browser's side, through Flask's client: sign-in, CSRF, forms generated
from the shapes, error summary, check answers, confirmation, editing and the review queue."""

from __future__ import annotations

import html
import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SH, XSD

from registry.rdf.namespaces import VOCABULARY
from registry.views.forms import form_for
from registry.vocab.model import load_model
from tests.conftest import BASE, close_app, make_app
from tests.web import PASSWORD, add_users, csrf, form_fields
from tests.web import sign_in as attempt


@pytest.fixture
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "web", LDR_COOKIE_SECURE=False)
    add_users(app)
    yield app
    close_app(app)


def sign_in(client, user: str):
    response = attempt(client, user)
    assert response.status_code == 302, response.data[:500]


EXEMPLAR = {
    "title": "Garden waste subscriptions",
    "descriptionRequired": "Residents subscribe and pay for garden "
    "waste collection online, and crews see who has paid.",
    "serviceArea": f"{VOCABULARY}service-area/housing",
    "lead": "Leeds City Council",
    "source": "https://example.org/garden-waste",
    "exemplarPhase": f"{VOCABULARY}phase/beta",
}


def test_a_form_post_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    response = client.post("/sign-in", data={"username": "amy", "password": PASSWORD})
    assert response.status_code == 400 and "security token" in response.json["detail"]


def test_wrong_password_is_refused_and_pages_need_sign_in(app):
    client = app.test_client()
    token = csrf(client.get("/sign-in").data)
    bad = client.post("/sign-in", data={"username": "amy", "password": "nope", "csrf_token": token})
    assert bad.status_code == 401 and b"There is a problem" in bad.data
    assert client.get("/exemplars/new").status_code == 302
    assert client.get("/exemplars/new").headers["Location"].startswith("/sign-in?next=")
    open_redirect = client.post(
        "/sign-in",
        data={
            "username": "amy",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert open_redirect.headers["Location"] == "/"


def test_session_cookie_flags(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "cookies")
    try:
        app.extensions["ldr.registry"].accounts.create_user(
            "amy", f"{BASE}/id/organisations/leeds-city-council", "publisher", PASSWORD
        )
        client = app.test_client()
        response = client.get("/sign-in")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        close_app(app)


def test_submit_with_a_mistake_fix_check_and_confirm(app):
    client = app.test_client()
    sign_in(client, "amy")
    form = client.get("/exemplars/new")
    assert form.status_code == 200
    page = form.data.decode()
    assert (
        'for="problem"' in page
        and "Problem it solves" in page
        and 'class="govuk-date-input"' not in page
    )
    token = csrf(form.data)
    mistake = client.post(
        "/exemplars/new", data={**EXEMPLAR, "csrf_token": token, "action": "continue"}
    )
    assert mistake.status_code == 422
    text = mistake.data.decode()
    assert "There is a problem" in text and 'href="#problem"' in text
    assert "An exemplar must say what problem it solves" in text
    assert 'id="problem-error"' in text
    fixed = client.post(
        "/exemplars/new",
        data={
            **EXEMPLAR,
            "csrf_token": token,
            "action": "continue",
            "problem": "Each council builds its own garden waste payment pages.",
        },
    )
    assert fixed.status_code == 303
    check = client.get(fixed.headers["Location"])
    assert b"Check your answers" in check.data and b"Garden waste subscriptions" in check.data
    done = client.post(fixed.headers["Location"], data={"csrf_token": token, "note": "First go"})
    assert done.status_code == 200 and b"Record submitted" in done.data
    assert b'href="/id/exemplars/garden-waste-subscriptions"' in done.data
    record = client.get("/doc/exemplars/garden-waste-subscriptions.html").data.decode()
    assert "Awaiting review" in record and "Edit this record" in record


def submitted_by_amy(app):
    """Amy, signed in, who has submitted the garden waste exemplar from the form."""
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    draft = client.post(
        "/exemplars/new",
        data={
            **EXEMPLAR,
            "csrf_token": token,
            "action": "continue",
            "problem": "Each council builds its own garden waste payment pages.",
        },
    )
    client.post(draft.headers["Location"], data={"csrf_token": token})
    return client


def test_steward_reviews_and_the_submitter_sees_the_outcome(app):
    client = submitted_by_amy(app)
    assert client.get("/review").status_code == 403  # publishers do not review

    steward = app.test_client()
    sign_in(steward, "sam")
    queue = steward.get("/review")
    assert b"Garden waste subscriptions" in queue.data
    token = csrf(queue.data)
    asked = steward.post(
        "/review/exemplars/garden-waste-subscriptions",
        data={"csrf_token": token, "decision": "changes", "comment": "Add the outcomes, please."},
    )
    assert asked.status_code == 303
    approved = steward.post(
        "/review/exemplars/garden-waste-subscriptions",
        data={"csrf_token": token, "decision": "stable", "comment": "Thank you"},
    )
    assert approved.status_code == 303
    confirmed = steward.get(approved.headers["Location"]).data.decode()
    assert "Accepted as stable" in confirmed and "Garden waste subscriptions" in confirmed
    # an address made up to confirm a decision nobody recorded shows no confirmation
    made_up = steward.get(
        "/review?decision=invalid&record=organisations%2Fleeds-city-council"
    ).data.decode()
    assert "Rejected" not in made_up and "govuk-notification-banner" not in made_up
    assert b"Garden waste subscriptions" not in steward.get("/review").data
    org = client.get("/doc/organisations/leeds-city-council.html").data.decode()
    assert (
        "Reviews of its records" in org
        and "Add the outcomes, please." in org
        and "Thank you" in org
    )
    assert "Garden waste subscriptions" in client.get("/search?q=garden+waste").data.decode()


def test_edit_form_is_prefilled_and_makes_a_new_version(app):
    client = app.test_client()
    sign_in(client, "sam")
    form = client.get("/doc/platforms/govuk-notify/edit")
    page = form.data.decode()
    assert 'value="GOV.UK Notify"' in page and 'value="Government Digital Service"' in page
    done = edit_with_the_form(
        client, "/doc/platforms/govuk-notify", {"title": ["GOV.UK Notify (renamed)"]}
    )
    assert b"version 2" in done.data


def edit_with_the_form(client, page_path: str, changes: dict[str, list[str]]):
    """Open a record's edit form, send it back as the browser would with `changes` made, and
    confirm on "Check your answers"; the confirmation page's response."""
    form = client.get(page_path + "/edit")
    assert form.status_code == 200, form.data[:300]
    values = form_fields(form.data, page_path + "/edit")
    values.update({"action": ["continue"], **changes})
    draft = client.post(page_path + "/edit", data=values)
    assert draft.status_code == 303, re.findall(
        r"govuk-error-message\">(.*?)</p>", draft.data.decode(), re.S
    )
    done = client.post(draft.headers["Location"], data={"csrf_token": values["csrf_token"][0]})
    assert done.status_code == 200, done.data[:500]
    return done


def _description(app, path: str) -> set[tuple[str, str]]:
    """The record's current description, as (property, value) pairs of its own."""
    return {(str(p), str(o)) for p, o in _terms(app, path)}


def _terms(app, path: str) -> set:
    """The record's own statements as (property, value) terms: an address and the same text
    written as a string differ here."""
    from rdflib import BNode, Graph

    response = app.test_client().get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    subject = URIRef(BASE + path.replace("/doc/", "/id/"))
    return {(p, o) for p, o in graph.predicate_objects(subject) if not isinstance(o, BNode)}


@pytest.mark.parametrize(
    "path",
    [
        "/doc/agreements/leeds-care-record",
        "/doc/exemplars/leeds-care-record",
        "/doc/exemplars/bops",
        "/doc/standards/uprn",
        "/doc/standards/open-referral-uk",
        "/doc/platforms/govuk-verify",
        "/doc/organisations/leeds-city-council",
        "/doc/organisations/london-borough-of-camden",
        "/doc/exemplars/open-community-directory",
    ],
)
def test_an_edit_of_one_box_changes_that_box_and_nothing_else(app, path):
    """Every other statement is the same term as before. It was not: an agreement's kinds of
    personal data (addresses) came back as text, a standard's version "3.0" in English, a council
    typed as an organisation too; and an exemplar using the standard Open Referral UK could not be
    saved, because an organisation has the same title."""
    before, nested_before = _terms(app, path), _nested(app, path)
    client = app.test_client()
    sign_in(client, "sam")
    done = edit_with_the_form(client, path, {"title": ["Edited title, nothing else changed"]})
    assert b"version 2" in done.data
    changed = before ^ _terms(app, path)
    assert {str(p) for p, _ in changed} == {"http://purl.org/dc/terms/title"}, sorted(changed)
    # the nested descriptions (a funding award, an adoption statement, a resource) keep every
    # statement, their classes included (once lost)
    assert _nested(app, path) == nested_before


def _nested(app, path: str) -> list:
    """The record's nested descriptions, each as its sorted (property, value) statements."""
    from rdflib import BNode, Graph

    graph = Graph().parse(
        data=app.test_client().get(path, headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    subject = URIRef(BASE + path.replace("/doc/", "/id/"))
    return sorted(
        sorted(
            (p.n3(), o.n3()) for p, o in graph.predicate_objects(node) if not isinstance(o, BNode)
        )
        for node in graph.objects(subject)
        if isinstance(node, BNode)
    )


LDR = f"{VOCABULARY}ldr#"


@pytest.mark.parametrize(
    "path, kept",
    [
        (
            "/doc/organisations/leeds-city-council",
            [f"{LDR}gssCode", f"{LDR}governsArea", f"{LDR}councilType"],
        ),
        (
            "/doc/agreements/cheshire-care-record",
            [
                "https://w3id.org/dpv#hasApplicableLaw",
                "http://purl.org/dc/terms/relation",
                f"{LDR}notPublished",
            ],
        ),
        (
            "/doc/platforms/govuk-verify",
            ["http://purl.org/dc/terms/isReplacedBy", f"{LDR}notPublished"],
        ),
    ],
)
def test_an_edit_with_the_form_keeps_what_the_form_does_not_show(app, path, kept):
    """A steward who edits a record's description with the form changes the description and
    nothing else: a council's GSS code and area, an agreement's applicable law and related
    exemplar, a retired platform's successor and the findings that a source does not publish a
    value, none of which has a box on the form, are all still there afterwards (they were lost)."""
    before = _description(app, path)
    client = app.test_client()
    sign_in(client, "sam")
    done = edit_with_the_form(
        client,
        path,
        {"descriptionRequired": ["Edited with the form."]}
        if "organisations" not in path
        else {"title": ["Leeds City Council (edited)"]},
    )
    assert b"version 2" in done.data
    after = _description(app, path)
    for prop in kept:
        ours = {pair for pair in before if pair[0] == prop}
        assert ours and ours <= after, (
            f"{prop} was lost: before {ours}, after {[p for p in after if p[0] == prop]}"
        )


def test_a_value_given_in_the_form_replaces_the_finding_that_it_was_not_published(app):
    path = "/doc/agreements/cheshire-care-record"
    client = app.test_client()
    sign_in(client, "sam")
    edit_with_the_form(
        client, path, {"review-day": ["1"], "review-month": ["4"], "review-year": ["2027"]}
    )
    after = _description(app, path)
    assert (f"{LDR}reviewDate", "2027-04-01") in after
    assert (f"{LDR}notPublished", f"{LDR}reviewDate") not in after
    assert (f"{LDR}notPublished", f"{LDR}dpiaReference") in after


def test_a_property_added_to_a_shape_appears_in_the_form():
    model = load_model(BASE + "/added")  # a separate model, so the shared one is untouched
    shape = URIRef(f"{VOCABULARY}shapes#budget")
    model.shapes.add((shape, SH.path, URIRef(f"{VOCABULARY}ldr#annualBudget")))
    model.shapes.add((shape, SH.name, Literal("Annual budget", lang="en")))
    model.shapes.add(
        (shape, SH.description, Literal("What it costs each year, in pounds.", lang="en"))
    )
    model.shapes.add((shape, SH.order, Literal(33)))
    model.shapes.add((shape, SH.datatype, XSD.decimal))
    model.shapes.add((URIRef(f"{VOCABULARY}shapes#Platform"), SH.property, shape))
    listed = URIRef(f"{VOCABULARY}shapes#hosting")
    model.shapes.add((listed, SH.path, URIRef(f"{VOCABULARY}ldr#hosting")))
    model.shapes.add((listed, SH.name, Literal("Hosting", lang="en")))
    from rdflib import BNode
    from rdflib.collection import Collection

    values = BNode()
    Collection(model.shapes, values, [Literal("Cloud"), Literal("On premises")])
    model.shapes.add((listed, SH["in"], values))
    model.shapes.add((URIRef(f"{VOCABULARY}shapes#Platform"), SH.property, listed))
    fields = {f.label: f for section in form_for(model, "platforms") for f in section.fields}
    assert [label for _, label in fields["Hosting"].options] == ["Cloud", "On premises"]
    assert fields["Annual budget"].kind == "decimal"
    assert fields["Annual budget"].hint == "What it costs each year, in pounds."


def test_every_sign_in_and_write_leaves_an_audit_line_saying_who_did_what(app, caplog):
    """An administrator reading the log sees who signed in (and who failed to), and who wrote
    which record: one `ldr.audit` line each, with the request's id."""
    import logging

    caplog.set_level(logging.INFO, logger="ldr.audit")
    client = app.test_client()
    assert attempt(client, "amy", password="not the password").status_code == 401
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    draft = client.post(
        "/exemplars/new",
        data={
            **EXEMPLAR,
            "title": "Audited garden waste",
            "csrf_token": token,
            "action": "continue",
            "problem": "Each council builds its own.",
        },
    )
    assert draft.status_code == 303
    assert (
        client.post(
            draft.headers["Location"], data={"csrf_token": token, "note": "for the log"}
        ).status_code
        == 200
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "ldr.audit"]
    assert any(line.startswith("sign-in failed for 'amy'") for line in lines), lines
    assert any(line.startswith("sign-in by amy") for line in lines), lines
    written = [
        line
        for line in lines
        if f"{BASE}/id/exemplars/audited-garden-waste (version 1) by amy" in line
    ]
    assert len(written) == 1 and written[0].endswith(": for the log"), lines


def _text(response) -> str:
    """A page's main content as a person reads it: the words, without tags."""
    page = response.data.decode()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page[page.find("<main") :])))


def test_money_is_shown_as_people_write_it(app):
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    funded = {
        **EXEMPLAR,
        "csrf_token": token,
        "action": "continue",
        "problem": "Each council builds its own pages.",
        "funding-count": "1",
        "funding-funder-0": "Leeds City Council",
    }
    for amount in ("-5", "lots"):
        refused = client.post("/exemplars/new", data={**funded, "funding-amount-0": amount})
        assert refused.status_code == 422
        assert "An amount must be zero or more, in pounds, such as 98500 or 98,500.50" in _text(
            refused
        )
    draft = client.post("/exemplars/new", data={**funded, "funding-amount-0": "98500"})
    assert draft.status_code == 303, re.findall(
        r"govuk-error-message\">(.*?)</p>", draft.data.decode(), re.S
    )
    check = _text(client.get(draft.headers["Location"]))
    assert "Amount: £98,500" in check and "£): £" not in check and "98500.0" not in check, check
    client.post(draft.headers["Location"], data={"csrf_token": token})
    record = _text(client.get("/doc/exemplars/garden-waste-subscriptions.html"))
    assert "£98,500" in record and "98500.0" not in record
    steward = app.test_client()
    sign_in(steward, "sam")
    edit = steward.get("/doc/exemplars/garden-waste-subscriptions/edit").data.decode()
    assert 'name="funding-amount-0" type="text" value="98500"' in edit  # the box as its hint asks


def test_the_submitter_reads_the_status_by_its_label(app):
    client = submitted_by_amy(app)
    assert "Status: Submitted" in _text(client.get("/my-submissions"))
    steward = app.test_client()
    sign_in(steward, "sam")
    rejected = steward.post(
        "/review/exemplars/garden-waste-subscriptions",
        data={
            "csrf_token": csrf(steward.get("/review").data),
            "decision": "invalid",
            "comment": "A copy of an existing record.",
        },
    )
    assert rejected.status_code == 303
    mine = _text(client.get("/my-submissions"))
    assert "Status: Invalid" in mine and "Status changed to Invalid" in mine, mine
    assert "invalid" not in mine.replace("Invalid", "")
    org = _text(client.get("/doc/organisations/leeds-city-council.html"))
    assert "Status changed: Invalid" in org, org


#: A vocabulary's compact name (eu-gdpr:A6-1-e, reg:statusSubmitted, role:Validation), not a web address.
COMPACT = re.compile(r"\b(?!https?:)[a-z][a-zA-Z-]*:[A-Za-z][\w-]*")


def test_an_empty_agreement_form_gives_its_examples_in_words(app):
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/agreements/new").data)
    refused = client.post("/agreements/new", data={"csrf_token": token, "action": "continue"})
    errors = [
        html.unescape(re.sub(r"<[^>]+>", "", e)).strip()
        for e in re.findall(r'class="govuk-error-message">(.*?)</p>', refused.data.decode(), re.S)
    ]
    assert refused.status_code == 422 and errors
    assert any("lawful basis, such as Article 6(1)(e): public task." in e for e in errors), errors
    assert not [e for e in errors if COMPACT.search(e)], errors


def test_no_form_message_shows_a_compact_name():
    from registry.views.forms import for_people

    model = load_model(BASE)
    messages = [str(m) for m in model.shapes.objects(None, SH.message)]
    assert len(messages) > 50
    shown = [for_people(m) for m in messages]
    assert not [m for m in shown if COMPACT.search(m)]


def test_a_standard_edited_with_the_form_keeps_its_own_version_number(app):
    """A standard's version (dcat:version, "3.0" for Open Referral UK) has its own box, which
    once showed the record's version number instead and saved "1" over "3.0"."""
    client = app.test_client()
    sign_in(client, "sam")
    form = client.get("/doc/standards/open-referral-uk/edit")
    assert form_fields(form.data, "/doc/standards/open-referral-uk/edit")["version"] == ["3.0"]
    edit_with_the_form(
        client, "/doc/standards/open-referral-uk", {"title": ["Open Referral UK (edited)"]}
    )
    after = _description(app, "/doc/standards/open-referral-uk")
    assert ("http://www.w3.org/ns/dcat#version", "3.0") in after


def test_an_edit_made_meanwhile_by_someone_else_is_not_overwritten(app):
    """Two stewards open the same record's form; the first saves. The second, sending the form
    as they read it, is told the record has changed and is not allowed to overwrite it."""
    path = "/doc/platforms/govuk-notify"
    first, second = app.test_client(), app.test_client()
    sign_in(first, "sam")
    sign_in(second, "sam")
    stale = form_fields(second.get(path + "/edit").data, path + "/edit")
    edit_with_the_form(first, path, {"title": ["GOV.UK Notify (first)"]})
    stale.update({"action": ["continue"], "title": ["GOV.UK Notify (second)"]})
    refused = second.post(path + "/edit", data=stale)
    assert refused.status_code == 422
    assert "has changed since you read it" in html.unescape(refused.data.decode())
    assert ("http://purl.org/dc/terms/title", "GOV.UK Notify (first)") in _description(app, path)


def test_no_field_made_from_a_shape_takes_a_name_the_form_uses_itself():
    from registry.views.forms import RESERVED_NAMES, all_fields

    model = load_model(BASE)
    for register in model.register_class:
        ids = {f.id for f in all_fields(form_for(model, register))} | {
            n.id for f in all_fields(form_for(model, register)) for n in f.nested
        }
        assert not ids & RESERVED_NAMES, register


def test_every_forms_error_summary_lists_its_errors_in_the_order_of_the_page(app):
    """GOV.UK's error summary lists the errors in the order of the fields on the page. Answers the
    form cannot read (a record that is not registered, a web address that is not one) were listed
    before those the shapes found (a required field left empty), wherever their fields were."""
    from registry.rdf.namespaces import REGISTERS

    client = app.test_client()
    sign_in(client, "amy")
    model = load_model(BASE)
    for register in REGISTERS:
        form = client.get(f"/{register}/new")
        sent = form_fields(form.data, f"/{register}/new")
        unreadable = {
            f.id: "not registered here" if f.kind == "record" else "not a web address"
            for s in form_for(model, register)
            for f in s.fields
            if f.kind in ("record", "url")
        }
        answer = client.post(f"/{register}/new", data={**sent, **unreadable, "action": "continue"})
        page = answer.data.decode()
        summary = page[page.find("govuk-error-summary__list") :]
        hrefs = re.findall(r'<a href="#([^"]+)"', summary[: summary.find("</ul>")])
        assert answer.status_code == 422 and len(hrefs) > 1, (register, hrefs)
        places = [
            page.find(f'id="{href}"', page.find("</ul>", page.find("govuk-error-summary__list")))
            for href in hrefs
        ]
        assert -1 not in places and places == sorted(places), (register, hrefs)


def test_a_rule_across_fields_names_records_in_words_beside_the_field_it_is_about(app):
    """The agreements' cross-field rules (SHACL-SPARQL) gave the organisation's IRI, and linked to
    the short name at the top of the page: now its name, and the field the rule is about."""
    client = app.test_client()
    sign_in(client, "amy")
    form = client.get("/agreements/new")
    sent = {
        **form_fields(form.data, "/agreements/new"),
        "title": "Leeds and GDS sharing",
        "descriptionRequired": "Sharing between two organisations so that each sees the other's records.",
        "purpose": "Direct care.",
        "party": ["Leeds City Council", "Government Digital Service"],
        "controller": [
            "Leeds City Council",
            "Ministry of Housing, Communities and Local Government",
        ],
        "start-day": "31",
        "start-month": "3",
        "start-year": "2027",
        "end-day": "1",
        "end-month": "1",
        "end-year": "2026",
        "action": "continue",
    }
    answer = client.post("/agreements/new", data=sent)
    page = answer.data.decode()
    summary = page[page.find("govuk-error-summary__list") :]
    entries = [
        (href, html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()))
        for href, text in re.findall(
            r'<a href="#([^"]+)"[^>]*>(.*?)</a>', summary[: summary.find("</ul>")], re.S
        )
    ]
    assert answer.status_code == 422
    assert (
        "controller",
        "Every data controller must also be named as a party to the agreement: “Ministry of Housing, "
        "Communities and Local Government” is a controller but not a party.",
    ) in entries, entries
    assert any(
        href == "end-day"
        and "the end date 2026-01-01 is not after the start date 2027-03-31" in text
        for href, text in entries
    ), entries
    assert not [text for _, text in entries if "http" in text], entries


def test_a_title_too_long_is_told_its_length_limit(app):
    """A 400-character title was told it needed "at least 3 characters"."""
    client = app.test_client()
    sign_in(client, "amy")
    values = {
        **form_fields(client.get("/exemplars/new").data, "/exemplars/new"),
        "action": ["continue"],
        "title": ["A" * 400],
    }
    refused = client.post("/exemplars/new", data=values)
    assert refused.status_code == 422
    assert "3 to 300 characters" in html.unescape(refused.data.decode())


def test_an_edit_posted_to_another_organisations_record_is_refused_as_forbidden(app):
    """A publisher who posts an edit by hand to a record they may not change gets the same 403
    page as the form's address, not the form back with a 422."""
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    refused = client.post(
        "/doc/exemplars/bops/edit",
        headers={"Accept": "text/html"},
        data={"csrf_token": token, "action": "continue", "title": "Taken over"},
    )
    assert refused.status_code == 403 and b"You cannot edit this record" in refused.data
    assert "Taken over" not in client.get("/doc/exemplars/bops.ttl").data.decode()


def test_changing_a_draft_refuses_bad_input_in_words(app):
    """Issue 25: the change page of a draft (an edit's) says what is wrong with a record version
    that is not a number, and another person's draft is not found; neither is a 500."""
    sam = app.test_client()
    sign_in(sam, "sam")
    path = "/doc/platforms/govuk-notify"
    fields = form_fields(sam.get(path + "/edit").data, path + "/edit")
    fields["action"] = ["continue"]
    draft = sam.post(path + "/edit", data=fields).headers["Location"]
    assert sam.get(draft + "/change").status_code == 200
    bad = sam.post(draft + "/change", data={**fields, "record-version": ["two"]})
    assert (
        bad.status_code == 400 and "`record-version` must be a whole number" in bad.json["detail"]
    )
    other = app.test_client()
    sign_in(other, "amy")
    assert other.get(draft + "/change").status_code == 404
    assert other.get(draft).status_code == 404


def test_a_renamed_record_is_named_by_its_new_title_where_others_link_to_it(app):
    """After Leeds City Council is renamed, an agreement it is party to names it by the new title
    only, in its page and its data (the old title came back from the earlier version's graph)."""
    client = app.test_client()
    sign_in(client, "sam")
    edit_with_the_form(
        client, "/doc/organisations/leeds-city-council", {"title": ["Leeds City Council Renamed"]}
    )
    from rdflib import Graph

    data = Graph().parse(
        data=client.get("/doc/agreements/leeds-care-record.ttl").data, format="turtle"
    )
    leeds = URIRef(f"{BASE}/id/organisations/leeds-city-council")
    assert {str(t) for t in data.objects(leeds, URIRef("http://purl.org/dc/terms/title"))} == {
        "Leeds City Council Renamed"
    }
    page = client.get(
        "/doc/agreements/leeds-care-record", headers={"Accept": "text/html"}
    ).data.decode()
    assert "Leeds City Council Renamed" in page and ">Leeds City Council<" not in page


def test_saving_a_record_with_an_amount_unchanged_makes_no_version(app):
    """A record with a funding amount saved with the form as it stands keeps its version: the form
    wrote "98500.0" where the store had "98500", and an empty version 2 was made."""
    path = "/doc/exemplars/reducing-invalid-planning-applications"
    before = _terms(app, path)
    client = app.test_client()
    sign_in(client, "sam")
    done = edit_with_the_form(client, path, {})
    assert b"version 2" not in done.data
    assert _terms(app, path) == before
    history = app.test_client().get(path + "/versions", headers={"Accept": "text/turtle"})
    assert b"/versions/2" not in history.data


def test_a_title_two_records_share_never_swaps_a_link_when_a_form_is_saved(app):
    """Two standards with one title: an exemplar's form shows the one it uses by its address, and
    saving the form links that one again (the form showed the title, and saving linked the other)."""
    client = app.test_client()
    sign_in(client, "sam")
    edit_with_the_form(client, "/doc/standards/uprn", {"title": ["Open Referral UK"]})
    path = "/doc/exemplars/open-community-directory"
    before = _terms(app, path)
    form = client.get(path + "/edit").data.decode()
    assert f'value="{BASE}/id/standards/open-referral-uk"' in form
    edit_with_the_form(client, path, {"title": ["Open community directory (edited)"]})
    changed = before ^ _terms(app, path)
    assert {str(p) for p, _ in changed} == {"http://purl.org/dc/terms/title"}, sorted(changed)
    # the shared title typed in is refused, saying why
    values = form_fields(client.get(path + "/edit").data, path + "/edit")
    shared = [
        name for name, given in values.items() if given == [f"{BASE}/id/standards/open-referral-uk"]
    ]
    assert shared, values
    values.update({"action": ["continue"], shared[0]: ["Open Referral UK"]})
    refused = html.unescape(client.post(path + "/edit", data=values).data.decode())
    assert "more than one standard has the title “Open Referral UK”" in refused
    # a title only one standard has names it again
    edit_with_the_form(
        client, "/doc/standards/uprn", {"title": ["Unique Property Reference Number"]}
    )
    form = client.get(path + "/edit").data.decode()
    assert (
        'value="Open Referral UK"' in form
        and f'value="{BASE}/id/standards/open-referral-uk"' not in form
    )


def test_a_publisher_registers_a_harvest_source_with_the_form(app):
    """Harvest sources are records: the sources register's form, generated from the shapes like
    every other, registers one for review (docs/harvesting.md)."""
    client = app.test_client()
    sign_in(client, "amy")
    form = client.get("/sources/new")
    page = form.data.decode()
    assert form.status_code == 200 and "Kind of source" in page and "Schedule" in page
    answer = client.post(
        "/sources/new",
        data={
            "csrf_token": csrf(form.data),
            "action": "continue",
            "title": "Leeds software on GitHub",
            "harvestKind": f"{VOCABULARY}harvest-kind/publiccode",
            "harvestAddress": "https://github.com/leeds/app/raw/main/publiccode.yml",
            "harvestSchedule": f"{VOCABULARY}harvest-schedule/weekly",
            "metadataLicence": "https://creativecommons.org/publicdomain/zero/1.0/",
            "sourceOwner": "Leeds City Council",
            "withdrawAfter": "3",
            "source": "https://github.com/leeds/app",
        },
    )
    assert answer.status_code == 303, answer.data.decode()[:3000]
    done = client.post(answer.headers["Location"], data={"csrf_token": csrf(form.data)})
    assert done.status_code == 200 and b"Record submitted" in done.data
    record = client.get("/doc/sources/leeds-software-on-github.html").data.decode()
    assert "Awaiting review" in record and "publiccode.yml file" in record
    turtle = client.get("/doc/sources/leeds-software-on-github.ttl").data.decode()
    assert "withdrawAfter 3" in turtle
