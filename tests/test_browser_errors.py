"""Errors and links a stranger met in a browser (issue 25): pages, not raw problem documents,
for a stored query or a SPARQL query that fails; a data suffix keeps its format for errors too;
a record someone may not edit refused before its form is shown, in words; an organisation given
by its reference in the publishing form; a concept's link landing on its row of /def/; and the
query page's console clean and its failed queries explained in words; a page that is not there
with ways on from it; a record's registration status explained on /def/, not off-site."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.conftest import BASE
from tests.server import Server
from tests.test_browser_polish import fill_exemplar
from tests.test_browser_publishing import sign_in
from tests.test_cli import LDR
from tests.web import PASSWORD

#: What Chromium sends for an address typed or a link followed.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("errs") / "store"
    shutil.copytree(starter_store_dir, path)
    made = subprocess.run(
        [
            LDR,
            "user",
            "create",
            "--user",
            "amy",
            "--org",
            "leeds-city-council",
            "--role",
            "publisher",
            "--password-stdin",
            "--store",
            str(path),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={"LDR_BASE": BASE, "PATH": "/usr/bin:/bin"},
    )
    assert made.returncode == 0, made.stderr
    server = Server(path)
    yield server
    server.stop()


def get(url: str, accept: str) -> tuple[int, str, str]:
    """Status, media type and body of a GET, errors included."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers={"Accept": accept}), timeout=60
        ) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode()


@pytest.mark.parametrize(
    "path, status, heading",
    [
        ("/queries/nope", 404, "No such stored query"),
        ("/queries/standards-by-adoption-status?status=%3E", 400, "Bad parameter"),
        ("/sparql?query=SELEC", 400, "Query syntax error"),
    ],
)
def test_a_failing_query_is_a_page_for_a_browser_and_a_problem_document_for_a_client(
    server, path, status, heading
):
    code, media, body = get(server.url + path, BROWSER)
    assert (code, media) == (status, "text/html"), body[:300]
    assert f">{heading}<" in body and 'href="/quer' in body  # what went wrong, and a way back
    code, media, body = get(server.url + path, "application/json")
    assert (code, media, json.loads(body)["title"]) == (status, "application/problem+json", heading)


def test_the_way_back_from_a_sparql_error_keeps_the_query(server, browser):
    page = browser.new_page()
    response = page.goto(
        server.url + "/sparql?query=" + urllib.request.quote("SELECT ?s WHERE { ?s ?p")
    )
    assert response.status == 400
    page.get_by_role("link", name="Go back and try again").click()
    page.wait_for_url(re.compile(r".*/query\?query="))
    page.wait_for_function("() => window.yasgui && window.yasgui.getTab().getYasqe()")
    assert (
        page.evaluate("() => window.yasgui.getTab().getYasqe().getValue()")
        == "SELECT ?s WHERE { ?s ?p"
    )
    page.close()


def test_a_data_suffix_keeps_its_format_for_an_error_even_in_a_browser(server):
    code, media, body = get(server.url + "/exemplars.json?sort=bad", BROWSER)
    assert (code, media) == (400, "application/problem+json")
    assert "sort='bad': no such sort order" in json.loads(body)["detail"]
    code, media, _ = get(server.url + "/exemplars?sort=bad", BROWSER)
    assert (code, media) == (400, "text/html")


def test_a_publisher_is_refused_another_councils_record_before_the_form_in_words(server, browser):
    page = browser.new_page()
    sign_in(page, server.url, "amy")
    response = page.goto(server.url + "/doc/exemplars/bops/edit")
    assert response.status == 403
    text = page.locator("main").inner_text()
    # a starter record: no organisation submitted it, so only a steward may change it
    assert (
        "Back-office Planning System (BOPS)" in text
        and "a steward only" in text
        and "http" not in text
    )
    assert (
        page.locator("form input[name=title]").count() == 0
    )  # no edit form to fill in for nothing
    page.close()


def test_the_lead_organisation_can_be_given_by_its_reference_or_its_page_address(server, browser):
    page = browser.new_page()
    sign_in(page, server.url, "amy")
    # as typed with capitals, and as copied from the browser's address bar on the record's page
    for lead, shown in [
        ("leeds-city-council", "heading"),
        ("Leeds-City-Council", "heading"),
        (f"{BASE}/doc/organisations/leeds-city-council", "heading"),
        ("no-such-council", "error"),
    ]:
        fill_exemplar(
            page,
            server.url,
            "Housing repairs reported online",
            "Repairs were reported by phone.",
            lead=lead,
        )
        if shown == "heading":
            page.get_by_role("heading", name="Check your answers").wait_for()
            assert "Leeds City Council" in page.locator("main").inner_text()
        else:
            summary = page.locator(".govuk-error-summary")
            summary.wait_for()
            assert (
                "“no-such-council” is not the title, reference or address of a registered organisation"
                in summary.inner_text()
            )
    page.close()


def test_a_concepts_link_lands_on_its_row_of_the_vocabulary_page(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/def/phase/beta")
    assert page.url == server.url + "/def/#phase-beta"
    row = page.locator("#phase-beta")
    assert "Beta" in row.inner_text()
    assert (
        page.evaluate("() => document.getElementById('phase-beta').getBoundingClientRect().top")
        < page.viewport_size["height"]
    )
    phases = page.locator("#scheme-phase tbody tr").evaluate_all("rows => rows.map(r => r.id)")
    assert phases == ["phase-discovery", "phase-alpha", "phase-beta", "phase-live", "phase-retired"]
    page.close()


def test_the_query_page_console_is_clean(server, browser):
    page = browser.new_page()
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.goto(server.url + "/query")
    page.wait_for_function("() => window.yasgui && window.yasgui.getTab().getYasqe()")
    # the registry's prefixes are offered after PREFIX, from the page itself
    yasqe = "window.yasgui.getTab().getYasqe()"
    page.evaluate(
        f"() => {{ {yasqe}.setValue('PREFIX ld'); {yasqe}.focus(); {yasqe}.setCursor({{line: 0, ch: 9}}); }}"
    )
    page.evaluate(f"() => {yasqe}.autocomplete()")
    page.locator(".CodeMirror-hints li").first.wait_for()
    assert page.locator(".CodeMirror-hints").inner_text().startswith("ldr:")
    assert [m for m in messages if m.startswith(("error", "warning"))] == []
    page.close()


@pytest.mark.parametrize(
    "query, title, detail",
    [
        ("SELEC", "Query syntax error", "not valid SPARQL 1.1"),
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "Remote services refused",
            "never sends requests",
        ),
    ],
)
def test_the_query_page_shows_why_a_query_failed_in_words(server, browser, query, title, detail):
    """An analyst whose query the endpoint refuses sees the reason under the editor: the problem's
    title and detail as text, not the raw JSON, and no script error on the page (YASGUI's error
    display once threw on the relative endpoint and showed nothing)."""
    page = browser.new_page()
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(server.url + "/query")
    page.wait_for_function("() => window.yasgui && window.yasgui.getTab().getYasqe()")
    page.evaluate("q => window.yasgui.getTab().getYasqe().setValue(q)", query)
    page.get_by_role("button", name="Run query").first.click()
    problem = page.locator(".yasr .ldr-query-problem").first
    problem.wait_for()
    assert problem.get_by_role("heading").inner_text() == title
    assert detail in problem.inner_text()
    assert "{" not in page.locator(".yasr").first.inner_text()
    assert script_errors == []
    page.close()


@pytest.mark.parametrize(
    "path, ways",
    [
        (
            "/doc/exemplars/nope",
            ["Browse the Exemplars register", "Search the registry", "Go to the home page"],
        ),
        ("/nope", ["Search the registry", "Go to the home page"]),
    ],
)
def test_a_page_that_is_not_there_offers_ways_on(server, browser, path, ways):
    page = browser.new_page()
    assert page.goto(server.url + path).status == 404
    main = page.locator("main")
    assert main.get_by_role("link").all_inner_texts() == ways
    main.get_by_role("link", name=ways[0]).click()
    page.wait_for_url(server.url + ("/exemplars" if "exemplars" in path else "/search"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == (
        "Exemplars" if "exemplars" in path else "Search the registry"
    )
    page.close()


def test_a_records_registration_status_is_explained_on_the_vocabulary_page(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/doc/exemplars/bops")
    status = page.locator("main").get_by_role("link", name="Stable", exact=True)
    assert status.get_attribute("href") == "/def/#concept-statusStable"  # not off-site, to purl.org
    status.click()
    page.wait_for_url(server.url + "/def/#concept-statusStable")
    assert "Accepted and in use." in page.locator("#concept-statusStable").inner_text()
    # so is every concept of another vocabulary in the registry's schemes: a GDPR lawful basis
    page.goto(server.url + "/doc/agreements/cheshire-care-record")
    assert (
        page.locator("main")
        .get_by_role("link", name="Article 6(1)(e): public task")
        .get_attribute("href")
        == "/def/#concept-A6-1-e"
    )
    page.close()


def test_the_query_page_says_when_there_were_more_results_than_it_shows(
    tmp_path, starter_store_dir, browser
):
    """The endpoint stops at LDR_QUERY_MAX_ROWS rows and says so in a header; the page showed only
    a count ("10000 results"), as if that were all. It now says so in words, and a query whose
    answer is whole shows no such note."""
    shutil.copytree(starter_store_dir, tmp_path / "store")
    served = Server(tmp_path / "store", LDR_QUERY_MAX_ROWS="20")
    try:
        page = browser.new_page()
        page.goto(served.url + "/query")
        page.wait_for_function("() => window.yasgui && window.yasgui.getTab().getYasqe()")
        run = page.get_by_role("button", name="Run query").first
        page.evaluate(
            "q => window.yasgui.getTab().getYasqe().setValue(q)",
            "SELECT ?s WHERE { ?s a ?type } LIMIT 100",
        )
        run.click()
        note = page.locator(".yasr .ldr-results-cut").first
        note.wait_for()
        assert "only the first 20 are here" in note.inner_text()
        assert "LIMIT and OFFSET" in note.inner_text()
        page.evaluate(
            "q => window.yasgui.getTab().getYasqe().setValue(q)",
            "SELECT ?s WHERE { ?s a ?type } LIMIT 3",
        )
        run.click()
        note.wait_for(state="detached")
        page.close()
    finally:
        served.stop()
