"""Journeys in a real browser: Playwright driving Debian's Chromium (headless), with axe-core
checking every page visited for WCAG 2.2 A and AA violations. Screenshots of the pages are
kept in var/test-artifacts/."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from tests.conftest import ARTIFACTS, AXE, BASE, require_councils_csv
from tests.server import Server
from tests.test_cli import run

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("browser") / "store"
    shutil.copytree(starter_store_dir, path)
    imported = run("import-councils", str(require_councils_csv()), "--quiet", store=path)
    assert imported.returncode == 0, imported.stderr
    server = Server(path)
    yield server
    server.stop()


def csp_violations(page) -> list[str]:
    """What the browser refused under the page's Content-Security-Policy (see conftest's browser)."""
    return [m for m in getattr(page, "console_messages", []) if "Content Security Policy" in m]


def accessible(page, name: str) -> None:
    """axe-core finds no WCAG 2.2 A or AA violation, and the page broke none of its own
    Content-Security-Policy; a screenshot is kept."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not csp_violations(page), f"{name}: {csp_violations(page)}"
    # Through the DevTools protocol, which the page's policy does not govern: an injected
    # <script> would rightly be refused by it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`);
    }""",
        WCAG,
    )
    assert violations == [], f"{name}: {violations}"


def test_search_open_follow_and_download(server, browser, tmp_path):
    page = browser.new_page(accept_downloads=True)
    page.goto(server.url + "/")
    accessible(page, "home")
    page.get_by_label("Search the registry").fill("leeds care record")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=*")
    accessible(page, "search")
    page.get_by_role("link", name="Leeds Care Record", exact=True).click()
    assert page.locator("h1").inner_text() == "Leeds Care Record"
    accessible(page, "item")
    page.get_by_role("link", name="Leeds Teaching Hospitals NHS Trust").first.click()
    assert page.locator("h1").inner_text() == "Leeds Teaching Hospitals NHS Trust"
    assert page.get_by_text("Party to").count() >= 1  # a link in the other direction
    accessible(page, "organisation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Turtle").first.click()
    target = tmp_path / "record.ttl"
    download.value.save_as(target)
    graph = Graph().parse(target, format="turtle")
    trust = URIRef(f"{BASE}/id/organisations/leeds-teaching-hospitals-nhs-trust")
    assert str(graph.value(trust, DCTERMS.title)) == "Leeds Teaching Hospitals NHS Trust"
    page.close()


def test_two_facets_then_the_next_page(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/organisations")
    page.get_by_label("London (", exact=False).first.check()
    page.get_by_label("London borough council (", exact=False).check()
    page.get_by_role("button", name="Apply filters").click()
    status = page.get_by_role("status").inner_text()
    total = int(status.split()[0])
    assert total == 32, status
    accessible(page, "organisations-filtered")
    first_page = page.locator(".ldr-results h2").all_inner_texts()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2**")
    page.wait_for_load_state()
    page.locator(".ldr-results h2").first.wait_for()
    second_page = page.locator(".ldr-results h2").all_inner_texts()
    assert (
        len(first_page) == 20 and len(second_page) == 12 and not set(first_page) & set(second_page)
    )
    assert "region=london" in page.url and "council_type=LBO" in page.url
    page.close()


def test_reports_page(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/reports")
    assert page.locator("svg[role=img]").count() >= 6
    assert page.get_by_role("link", name="CSV").count() >= 8
    accessible(page, "reports")
    page.close()


def test_pages_work_with_javascript_off(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/standards")
    page.get_by_label("Mandated (", exact=False).check()
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("status").inner_text().startswith("4 result")
    page.goto(server.url + "/search?q=uprn")
    page.get_by_role("link", name="Unique Property Reference Number (UPRN)").click()
    assert "UPRN" in page.locator("h1").inner_text()
    context.close()


def test_other_pages_are_accessible(server, browser):
    page = browser.new_page()
    for path, name in [
        ("/def/", "vocabulary"),
        ("/queries", "stored-queries"),
        ("/catalogue.html", "catalogue"),
        ("/doc/standards/uprn/versions", "history"),
        ("/queries/standards-by-adoption-status.html?status=mandated", "stored-query-results"),
    ]:
        page.goto(
            server.url + path, wait_until="load"
        ) if path != "/doc/standards/uprn/versions" else page.goto(
            server.url + path, wait_until="load"
        )
        accessible(page, name)
    page.close()


def test_the_query_page_runs_a_query_under_the_content_security_policy(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/query")
    page.locator(".yasqe .CodeMirror").first.wait_for(timeout=20_000)
    page.evaluate("""() => { const tab = window.yasgui.getTab(); tab.setQuery(
        'SELECT ?s WHERE { ?s a <http://purl.org/dc/terms/Standard> } LIMIT 5'); tab.query(); }""")
    page.locator(".yasr .dataTable tbody tr, .yasr table tbody tr").first.wait_for(timeout=20_000)
    assert page.locator(".yasr table tbody tr").count() == 5
    assert not csp_violations(page), csp_violations(page)
    page.close()


@pytest.mark.parametrize("width", [320, 1024])
def test_the_query_page_opens_with_the_prefixes_and_a_first_query_whose_results_fit(
    server, browser, width
):
    """An analyst who opens /query and presses run at once sees exemplars, their leads and
    platforms; the prefixes the registry uses are written out already; the results table scrolls
    in its own box, so the page does not scroll sideways, down to 320 CSS px (WCAG 2.2 1.4.10)."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(server.url + "/query")
    page.locator(".yasqe .CodeMirror").first.wait_for(timeout=20_000)
    first = page.evaluate("() => window.yasgui.getTab().getQuery()")
    assert "PREFIX ldr: <" in first and "PREFIX dcterms: <http://purl.org/dc/terms/>" in first
    assert "ldr:Exemplar" in first
    page.get_by_role("button", name="Run query").first.click()
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=20_000)
    assert rows.count() >= 5
    assert "Leeds Care Record" in page.locator(".yasr table").first.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways: "
        + str(page.evaluate("() => document.documentElement.scrollWidth"))
    )
    results = page.locator(".yasr_results").first
    assert (
        results.get_attribute("tabindex") == "0"
    )  # a box that scrolls can be scrolled from the keyboard
    page.screenshot(path=str(ARTIFACTS / f"query-results-{width}.png"), full_page=True)
    page.close()
