"""Work bounded for signed-in users too, and text that cannot hide or run (issue 24, points 6
and 7; docs/security.md). Driven by the hostile corpus in tests/hostile/: text.txt (control
characters, bidi overrides, zero-width characters, look-alike titles, spreadsheet formulas) and
nesting/ (a deeply nested document in every syntax that nests).

Work is shown to be bounded by what is refused and where: the parser is never reached (a spy
in its place fails the test if it is called), a cap is hit with a message naming it. Where a
time is measured the bound is generous (seconds, where the unbounded work took minutes)."""

from __future__ import annotations

import csv
import io
import re
import time
import xml.dom.minidom
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.bulk import loader
from registry.rdf import text
from registry.rdf.rdfio import FORMATS, parse
from registry.records import versions
from registry.records.versions import Agent
from registry.views.forms import MAX_REPEATS
from tests.conftest import BASE, close_app, make_app
from tests.hostile.nesting import FILES, document
from tests.hostile.nesting import HERE as NESTING
from tests.test_registration import auth, exemplar
from tests.test_web_publishing import EXEMPLAR as FORM
from tests.test_web_publishing import PASSWORD, csrf, sign_in

HOSTILE = Path(__file__).parent / "hostile" / "text.txt"


def corpus(kind: str) -> list[str]:
    cases = []
    for line in HOSTILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("\t")
            if name == kind:
                cases.append(
                    re.sub(
                        r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})",
                        lambda m: chr(int(m.group(1) or m.group(2), 16)),
                        value,
                    )
                )
    assert cases, kind
    return cases


def turtle_string(value: str) -> str:
    """The value as a Turtle string, every character outside printable ASCII as \\uXXXX."""
    return "".join(
        c
        if 32 <= ord(c) < 127 and c not in '"\\'
        else f"\\u{ord(c):04X}"
        if ord(c) <= 0xFFFF
        else f"\\U{ord(c):08X}"
        for c in value
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "hygiene", LDR_COOKIE_SECURE=False)
    app.extensions["ldr.registry"].accounts.create_user(
        "amy", f"{BASE}/id/organisations/leeds-city-council", "publisher", PASSWORD
    )
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def token(app):
    return app.extensions["ldr.registry"].accounts.create_token(
        "hygiene", f"{BASE}/id/organisations/leeds-city-council", "publisher"
    )[1]


def dry_run(client, token, body: str, content_type="text/turtle"):
    return client.post(
        "/exemplars?dry-run=true",
        data=body.encode("utf-8"),
        content_type=content_type,
        headers=auth(token),
    )


# --- point 6: work bounded -----------------------------------------------------------------------


@pytest.fixture
def parser_spy(monkeypatch):
    """pyoxigraph's parser replaced by one that records being called with a big document and
    refuses it: a test asserting it was never called proves the input was refused before."""
    calls = []
    real = pyoxigraph.parse

    def spy(data=None, *args, **kwargs):
        if isinstance(data, (bytes, str)) and len(data) > 50_000:
            calls.append(len(data))
            raise SyntaxError("the parser was reached")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pyoxigraph, "parse", spy)
    return calls


@pytest.mark.parametrize("name", [n for n, (syntax, _) in FILES.items() if syntax != "json"])
def test_a_deeply_nested_submission_in_each_syntax_is_refused_before_the_parser(
    app, token, parser_spy, name
):
    syntax, media = FILES[name]
    body = document(name, 100_000)
    client = app.test_client()
    started = time.monotonic()
    response = client.post("/exemplars", data=body, content_type=media, headers=auth(token))
    elapsed = time.monotonic() - started
    if (
        syntax == "trig"
    ):  # the write API takes no dataset syntax: 415 before reading; `ldr load` reads it
        assert response.status_code == 415
    else:
        assert response.status_code == 400, response.json
        detail = response.json["detail"]
        assert "more than 64 levels deep" in detail and "line 1" in detail, detail
    assert parser_spy == []
    assert (
        elapsed < 5
    )  # generous: RDF/XML this deep took minutes in the parser (quadratic: 30,000 levels, 13 s)


@pytest.mark.parametrize("name", [n for n, (syntax, _) in FILES.items() if syntax != "json"])
def test_the_nesting_corpus_is_refused_by_the_loader_with_file_line_and_column(
    model, parser_spy, name
):
    graph, errors = loader.read_files([NESTING / name], model, 10 * 1024 * 1024)
    assert len(errors) == 1 and parser_spy == []
    error = errors[0]
    assert "more than 64 levels deep" in error.message and error.line == 1 and error.column > 1
    assert name in error.source


def test_nesting_within_the_limit_still_parses():
    for name, (syntax, _) in FILES.items():
        if syntax == "json":
            continue
        graph = parse(
            document(name, 40), FORMATS["rdfxml" if syntax == "rdfxml" else syntax], BASE + "/"
        )
        assert len(graph) > 20


def test_strings_comments_and_iris_holding_brackets_do_not_count_as_nesting():
    opening = "[" * 200
    body = (
        f'# {opening}\n<{BASE}/a> <{BASE}/b> "{opening}", """{opening}\n""", \'{opening}x\' ;\n'
        f'  <{BASE}/c> <{BASE}/x{"(" * 100}> ; <{BASE}/d> [ <{BASE}/e> ( "x" ) ] .\n'
    )
    assert len(parse(body.encode(), FORMATS["turtle"], BASE + "/")) == 8
    assert text.nesting_depth(b'{"a": "' + b"[" * 200 + b'"}', "json")[1] == -1
    # closing tags inside an XML processing instruction are not end tags, and do not hide what follows
    assert text.nesting_depth(b"<?x " + b"</a>" * 100 + b" ?>" + b"<a>" * 100, "rdfxml")[1] > 0
    # nor does a stray closing bracket before deep nesting
    assert (
        text.nesting_depth(b"<http://e/s> <http://e/p> " + b"]" * 100 + b"[ " * 100, "turtle")[1]
        > 0
    )
    # an escaped character in a prefixed name is not a comment, so what follows it still counts
    hidden = (
        b"@prefix ex: <http://e/> .\nex:a\\#b ex:p " + b"[ ex:p " * 100 + b"1" + b" ]" * 100 + b" ."
    )
    assert text.nesting_depth(hidden, "turtle")[1] > 0


def test_the_nesting_scan_is_linear_on_hostile_text():
    """Ten megabytes of the worst shapes for the scan: unclosed strings, comments and tags (which
    a backtracking scan would read again from every position) and wide, shallow brackets.
    Each is scanned in seconds (generous: a few tenths of a second on an idle machine)."""
    for syntax, body in [
        ("turtle", b'"\\"' * 3_000_000),
        ("turtle", b"[] " * 3_000_000),
        ("rdfxml", b"<!--" * 2_500_000),
        ("rdfxml", b'<a x="' * 1_500_000),
        ("jsonld", b"[]" * 5_000_000),
        ("turtle", b"<" * 10_000_000),
    ]:
        started = time.monotonic()
        text.nesting_depth(body, syntax)
        assert time.monotonic() - started < 15, syntax


def test_a_submission_over_the_statement_cap_stops_parsing_with_the_cap_named(
    app, token, monkeypatch
):
    import api.records

    monkeypatch.setattr(api.records, "MAX_SUBMISSION_STATEMENTS", 100)
    body = exemplar() + "".join(
        f"<{BASE}/id/exemplars/damp-and-mould-reporting> "
        f'<http://purl.org/dc/terms/subject> "topic {n}" .\n'
        for n in range(200)
    )
    response = app.test_client().post(
        "/exemplars", data=body.encode(), content_type="text/turtle", headers=auth(token)
    )
    assert response.status_code == 400
    assert "more than 100 statements" in response.json["detail"]


def test_data_over_the_statement_cap_sent_to_the_anonymous_checker_is_refused(
    model, starter_store, monkeypatch
):
    import registry.rdf.rdfio
    from registry.conformance.checker import ConformanceError, check_shacl

    monkeypatch.setattr(registry.rdf.rdfio, "MAX_SUBMISSION_STATEMENTS", 100)
    body = "".join(
        f'<{BASE}/id/exemplars/x> <http://purl.org/dc/terms/subject> "topic {n}" .\n'
        for n in range(200)
    )
    with pytest.raises(ConformanceError, match="more than 100 statements"):
        check_shacl(
            "urn:test",
            model.base.shapes_graph,
            body.encode(),
            "text/turtle",
            model,
            starter_store,
            (),
        )


def test_deep_json_sent_to_the_anonymous_checker_is_refused_before_json_loads(app, monkeypatch):
    import json

    import registry.conformance.checker

    calls = []
    real = json.loads

    def spy(data, *args, **kwargs):
        if isinstance(data, (bytes, str)) and len(data) > 50_000:
            calls.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(registry.conformance.checker.json, "loads", spy)
    body = document("arrays.json", 200_000)
    response = app.test_client().post(
        "/doc/standards/ocds/check", data=body, content_type="application/json"
    )
    assert response.status_code == 400, response.data[:300]
    assert "more than 64 levels deep" in response.json["detail"]
    assert calls == []


def test_a_form_asking_for_100000_repeats_is_refused_naming_the_field_and_the_cap(app):
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    for action in ("continue", "add:funding"):
        started = time.monotonic()
        response = client.post(
            "/exemplars/new",
            data={**FORM, "csrf_token": token, "action": action, "funding-count": "100000"},
        )
        assert time.monotonic() - started < 10  # generous: it took 40 s and 2 GB
        page = response.get_data(as_text=True)
        assert response.status_code == 422, page[:500]
        assert f"at most {MAX_REPEATS} entries" in page and "Funding" in page
        assert (
            page.count('class="govuk-fieldset govuk-!-margin-bottom-6"') <= MAX_REPEATS
        )  # the page stays small
        assert len(page) < 2_000_000
    # 100,000 values of one field are more fields than any form may have (413, the form limits, before parsing);
    # within those limits, more values than the cap are refused naming the field
    too_many_fields = client.post(
        "/exemplars/new",
        data={
            **FORM,
            "csrf_token": token,
            "action": "continue",
            "outcome": ["an outcome"] * 100_000,
        },
    )
    assert too_many_fields.status_code == 413, too_many_fields.get_data(as_text=True)[:300]
    many_values = client.post(
        "/exemplars/new",
        data={**FORM, "csrf_token": token, "action": "continue", "outcome": ["an outcome"] * 500},
    )
    assert (
        many_values.status_code == 422
        and f"at most {MAX_REPEATS} entries" in many_values.get_data(as_text=True)
    )
    within = client.post(
        "/exemplars/new",
        data={
            **FORM,
            "csrf_token": token,
            "action": "add:funding",
            "funding-count": str(MAX_REPEATS - 1),
        },
    )
    assert within.status_code == 200


# --- point 7: text that cannot hide or run --------------------------------------------------------


@pytest.mark.parametrize("kind", ["control", "bidi", "zero-width", "homoglyph"])
def test_hostile_titles_are_refused_naming_the_record_and_field(app, token, kind):
    client = app.test_client()
    words = {
        "control": "control character",
        "bidi": "bidirectional-text control",
        "zero-width": "zero-width character",
        "homoglyph": "mixes letters from different scripts",
    }[kind]
    for value in corpus(kind):
        response = dry_run(client, token, exemplar(title=turtle_string(value)))
        assert response.status_code == 422, (value, response.json)
        errors = [e for e in response.json["errors"] if e["field"] == "Title"]
        assert errors and words in errors[0]["message"], (value, response.json["errors"])
        assert errors[0]["record"] == f"{BASE}/id/exemplars/damp-and-mould-reporting"
        assert not text.CONTROL.search(errors[0]["value"])  # the report carries nothing invisible
        assert kind == "homoglyph" or "⟨U+" in errors[0]["value"]


@pytest.mark.parametrize("kind", ["fine", "formula"])
def test_welsh_greek_and_formula_titles_are_accepted(app, token, kind):
    client = app.test_client()
    for value in corpus(kind):
        response = dry_run(client, token, exemplar(title=turtle_string(value)))
        assert response.status_code == 200, (value, response.json)


def test_tab_and_new_lines_are_accepted_and_control_characters_refused_in_any_literal(app, token):
    client = app.test_client()
    fine = exemplar().replace(
        "which wastes effort and money.", "which wastes\\teffort\\r\\nand money."
    )
    assert dry_run(client, token, fine).status_code == 200
    bell = exemplar().replace("which wastes effort", "which wastes\\u0007 effort")
    errors = dry_run(client, token, bell).json["errors"]
    assert [e["field"] for e in errors if "U+0007" in e["message"]] == ["Problem it solves"]


@pytest.mark.parametrize("syntax", ["ntriples", "jsonld", "rdfxml"])
def test_control_characters_are_refused_in_every_syntax(app, token, syntax):
    """XML 1.0 cannot hold C0 controls at all (its parser refuses them); it can hold C1 (U+0085)."""
    from rdflib import Graph

    graph = Graph().parse(data=exemplar(title="Next line \\u0085 here"), format="turtle")
    fmt = FORMATS[syntax]
    body = graph.serialize(format=fmt.rdflib_name)
    response = dry_run(app.test_client(), token, body, content_type=fmt.media_type)
    assert response.status_code == 422, response.json
    assert any(e["field"] == "Title" and "U+0085" in e["message"] for e in response.json["errors"])


def test_control_characters_and_look_alikes_are_refused_in_the_form_next_to_the_field(app):
    client = app.test_client()
    sign_in(client, "amy")
    token = csrf(client.get("/exemplars/new").data)
    for title, words in [
        ("Garden\u0007 waste", "control character"),
        ("G\u0430rden waste", "different scripts"),
        ("Garden\u202e waste", "bidirectional"),
    ]:
        response = client.post(
            "/exemplars/new",
            data={
                **FORM,
                "title": title,
                "csrf_token": token,
                "action": "continue",
                "problem": "Councils each build it.",
            },
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and words in page and 'href="#title"' in page, title


def test_ldr_validate_refuses_control_characters_naming_file_record_and_field(model, tmp_path):
    path = tmp_path / "bell.ttl"
    path.write_text(exemplar(title="Bell\\u0007 and whistle"), encoding="utf-8")
    outcome = loader.load_files([path], model, None, 10 * 1024 * 1024, dry_run=True)
    rendered = outcome.report.render()
    assert (
        not outcome.report.conforms
        and "Title: This text holds the control character U+0007" in rendered
    )


def test_the_starter_data_passes_the_text_rules(model):
    files = sorted(Path(loader.__file__).resolve().parent.parent.joinpath("data").glob("*.ttl"))
    graph, errors = loader.read_files(files, model, 10 * 1024 * 1024)
    assert not errors
    from registry.records.split import owner_of, split_records
    from registry.records.validation import text_results

    records, _ = split_records(graph, model)
    assert text_results(graph, owner_of(records), model) == []


# --- what the registry writes, from data stored before the rules ----------------------------------

TAINTED_TITLE = (
    '=HYPERLINK("http://evil.example/","x") Unique Property\u0007 Reference \u0001Number\u202e'
)


@pytest.fixture(scope="module")
def tainted(app):
    """UPRN's title replaced by one holding a formula, control characters and a bidi override,
    written straight to the store as data from before the rules would be."""
    store, model = app.extensions["ldr.registry"].store, app.extensions["ldr.registry"].model
    iri = f"{BASE}/id/standards/uprn"
    graph = versions.current_record(store, model, iri)
    graph.set((URIRef(iri), DCTERMS.title, Literal(TAINTED_TITLE, lang="en")))
    graph.add((URIRef(iri), DCTERMS.alternative, Literal("-1+1\u000bcmd")))
    current = versions.current_versions(store, model, [iri])[iri]
    versions.commit(
        store,
        model,
        {iri: graph},
        Agent("loader", None, "admin"),
        note="before the rules",
        activity="Revision",
        expected={iri: current},
    )
    app.extensions["ldr.registry"].queries.refresh()
    return iri


def well_formed(body: bytes, where: str):
    try:
        return xml.dom.minidom.parseString(body)
    except Exception as exc:  # noqa: BLE001 - the message says which output
        pytest.fail(f"{where} is not well-formed XML: {exc}")


SELECT_TITLES = (
    f"SELECT ?title ?alt WHERE {{ <{BASE}/id/standards/uprn> <http://purl.org/dc/terms/title> ?title "
    f"OPTIONAL {{ <{BASE}/id/standards/uprn> <http://purl.org/dc/terms/alternative> ?alt }} }}"
)


def test_every_xml_the_registry_writes_is_well_formed_even_from_tainted_data(app, tainted):
    client = app.test_client()
    outputs = {
        "the record as RDF/XML": client.get("/doc/standards/uprn.rdf"),
        "the record by Accept": client.get(
            "/doc/standards/uprn", headers={"Accept": "application/rdf+xml"}
        ),
        "the vocabulary": client.get("/def/ldr", headers={"Accept": "application/rdf+xml"}),
        "the catalogue": client.get("/catalogue", headers={"Accept": "application/rdf+xml"}),
        "SPARQL XML results": client.get(
            f"/sparql?query={quote(SELECT_TITLES)}",
            headers={"Accept": "application/sparql-results+xml"},
        ),
        "SPARQL XML results of a lookup": client.get(
            f"/sparql?query={quote(f'SELECT ?o WHERE {{ <{tainted}> <http://purl.org/dc/terms/title> ?o }}')}",
            headers={"Accept": "application/sparql-results+xml"},
        ),
        "a CONSTRUCT as RDF/XML": client.get(
            f"/sparql?query={quote(f'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{tainted}>) }}')}",
            headers={"Accept": "application/rdf+xml"},
        ),
        "a stored query's XML": client.get("/queries/standards-by-adoption-status.xml"),
    }
    for where, response in outputs.items():
        assert response.status_code == 200, (where, response.status_code)
        document = well_formed(response.data, where)
        if where not in ("the vocabulary", "the catalogue"):
            assert (
                "Unique Property\ufffd Reference \ufffdNumber" in document.documentElement.toxml()
            ), where


def csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8"))) for cell in row]


def test_every_csv_for_people_neutralises_formulas(app, tainted):
    client = app.test_client()
    outputs = {
        "the register listing": client.get("/standards.csv?per_page=200"),
        "search": client.get("/search.csv?q=Unique"),
        "a stored query": client.get("/queries/standards-by-adoption-status.csv"),
    }
    from registry.views.reports import REPORTS

    outputs.update({f"report {name}": client.get(f"/reports/{name}.csv") for name in REPORTS})
    seen = 0
    for where, response in outputs.items():
        assert response.status_code == 200, where
        for cell in csv_cells(response.data):
            # nothing a spreadsheet would run: OWASP's starting characters, a number aside
            assert not re.match(r"[=+@\t\r]|-(?!\d+(\.\d+)?$)", cell), (where, cell)
            seen += cell.startswith("'=HYPERLINK")
    assert seen >= 3
    tsv = client.get("/queries/standards-by-adoption-status.tsv").get_data(as_text=True)
    assert "\"'=HYPERLINK" in tsv and '\t"=HYPERLINK' not in tsv


def test_the_sparql_endpoint_answers_w3c_csv_and_tsv_unchanged(app, tainted):
    """/sparql is read by programs: its CSV and TSV are the W3C formats, values as stored (a
    quote would change the data); docs/security.md says so and points people to /queries."""
    client = app.test_client()
    body = client.get(f"/sparql?query={quote(SELECT_TITLES)}", headers={"Accept": "text/csv"}).data
    assert TAINTED_TITLE in csv_cells(body)
    assert "-1+1\u000bcmd" in csv_cells(body)
