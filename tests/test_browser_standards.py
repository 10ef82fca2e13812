"""The supplier's journey in a real browser: from the Standards listing to "Which standards apply
to me", a choice of service area and kind of product, one row per standard by name, then the
standard's page (its resources' roles and formats by name) and on to the conformance checker."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request

import pytest

from tests.conftest import ARTIFACTS
from tests.server import Server
from tests.test_browser import accessible
from tests.test_conformance import STANDARDS


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("browser-standards") / "store"
    shutil.copytree(starter_store_dir, path)
    # on a development machine the checker holds the published schemas from ../shared
    server = Server(path, **({"LDR_RESOURCE_DIRS": str(STANDARDS)} if STANDARDS.exists() else {}))
    yield server
    server.stop()


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def stored_query_titles(server, query: str) -> list[str]:
    """The standards the stored query gives an analyst for the same choices, each once, in order."""
    with urllib.request.urlopen(
        f"{server.url}/queries/standards-that-apply.json?{query}", timeout=60
    ) as response:
        bindings = json.load(response)["results"]["bindings"]
    return list(dict.fromkeys(row["title"]["value"] for row in bindings))


@pytest.mark.parametrize("width", [320, 1024])
def test_a_supplier_finds_the_standards_for_their_product_then_checks_their_data(
    server, browser, width
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server.url + "/standards")
    page.get_by_role("link", name="Which standards apply to me").click()
    page.wait_for_url("**/standards/apply")
    page.get_by_label("Service area").select_option(label="Community services")
    page.get_by_label("Kind of product").select_option(label="Service directory")
    page.get_by_role("button", name="Show the standards").click()
    page.wait_for_url("**product_kind=service-directory**")
    expected = stored_query_titles(
        server, "service_area=community-services&product_kind=service-directory"
    )
    assert len(expected) >= 5 and "Open Referral UK" in expected
    rows = page.locator("table tbody tr")
    assert [
        row.locator("td").first.locator("a").first.inner_text() for row in rows.all()
    ] == expected
    assert page.get_by_role("status").inner_text().startswith(f"{len(expected)} standards apply")
    table = page.locator("table").inner_text()
    assert "http" not in table and "/def/" not in table, table  # names, never IRIs
    oruk = rows.filter(has=page.get_by_role("link", name="Open Referral UK", exact=True))
    assert "Adopted by the Open Standards Board" in oruk.inner_text()
    assert "Endorsed by the Data Standards Authority since 2021-03-16" in oruk.inner_text()
    assert "Service directory" in oruk.inner_text()
    assert oruk.get_by_role("link", name="Check your data against Open Referral UK").count() == 1
    assert no_sideways_scrolling(page), page.evaluate("() => document.documentElement.scrollWidth")
    accessible(page, f"standards-that-apply-{width}")

    oruk.get_by_role("link", name="Open Referral UK", exact=True).click()
    assert page.locator("h1").inner_text() == "Open Referral UK"
    resources = page.locator(
        ".govuk-summary-list__row", has_text="Validation and other resources"
    ).first
    text = resources.inner_text()
    assert text.count("Validation") >= 5 and text.count("application/schema+json") == 4, text
    assert "prof/role" not in text and "iana.org" not in text, text
    assert no_sideways_scrolling(page), page.evaluate("() => document.documentElement.scrollWidth")
    accessible(page, f"standard-with-resources-{width}")
    if STANDARDS.exists():
        page.get_by_role("link", name="Check your data against Open Referral UK").click()
        assert page.locator("h1").inner_text() == "Check your data against Open Referral UK"
    else:
        assert "This registry cannot check them yet" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"standards-journey-end-{width}.png"), full_page=True)
    page.close()


def test_any_service_area_and_any_product_lists_every_standard_that_applies_once(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/standards/apply")
    page.get_by_role("button", name="Show the standards").click()
    page.wait_for_url("**/standards/apply?**")
    titles = page.locator("table tbody tr td:first-child a").all_inner_texts()
    assert titles == stored_query_titles(server, "")
    assert len(titles) == len(set(titles)) > 20
    page.close()


def test_a_choice_that_is_not_on_the_list_is_refused_with_what_to_do(server, browser):
    page = browser.new_page()
    response = page.goto(
        server.url + "/standards/apply?service_area=spaceship&product_kind=web-api"
    )
    assert response.status == 400
    summary = page.locator(".govuk-error-summary").inner_text()
    assert (
        "Service area" in summary
        and "'spaceship' is not one of the choices" in summary
        and "Planning, " in summary
    )
    # the choices by the names the list shows, in its order, not by their codes
    named = [o.strip() for o in page.locator("#service_area option").all_text_contents()[1:]]
    assert named[:2] == ["Adult social care", "Children's services"], named
    assert (
        "(the choices are: " + ", ".join(named) + ")" in summary
        and "adult-social-care" not in summary
    ), summary
    assert page.get_by_label("Kind of product").input_value() == "web-api"  # what was right is kept
    assert "Traceback" not in page.content()
    accessible(page, "standards-that-apply-error")
    page.get_by_role("link", name="Service area", exact=False).first.click()
    assert page.evaluate("() => document.activeElement.id") == "service_area"
    page.close()


def test_the_page_answers_a_plain_http_client_without_javascript(server):
    with urllib.request.urlopen(
        server.url + "/standards/apply?product_kind=procurement-system", timeout=60
    ) as response:
        body = response.read().decode()
    assert response.status == 200 and "Open Contracting Data Standard (OCDS)" in body
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/standards/apply?product_kind=spaceship", timeout=60)
    assert refused.value.code == 400 and "Kind of product" in refused.value.read().decode()


def test_a_standards_page_names_its_resources_roles_and_formats_and_links_to_its_checker(
    server, browser
):
    page = browser.new_page(viewport={"width": 320, "height": 900})
    page.goto(server.url + "/doc/standards/ocds")
    rows = page.locator(
        ".govuk-summary-list__row", has_text="Validation and other resources"
    ).first.inner_text()
    assert (
        rows.count("Validation") == 3
        and rows.count("Format") == 2
        and rows.count("application/schema+json") == 2
    )
    assert "http://www.w3.org/ns/dx/prof/role/validation" not in rows and "iana.org" not in rows, (
        rows
    )
    assert no_sideways_scrolling(page), page.evaluate("() => document.documentElement.scrollWidth")
    if STANDARDS.exists():
        page.get_by_role(
            "link", name="Check your data against Open Contracting Data Standard (OCDS)"
        ).click()
        assert (
            page.locator("h1").inner_text()
            == "Check your data against Open Contracting Data Standard (OCDS)"
        )
    else:
        page.get_by_role("link", name="which standards can be checked here").click()
        assert page.locator("h1").inner_text() == "Check your data against a standard"
    page.close()
