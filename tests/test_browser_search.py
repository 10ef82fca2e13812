"""A council officer looking for exemplars (issue 25, point 12), in a real browser over a real
`ldr serve`: sorting the results, narrowing exemplars by the region and type of the councils
that lead or partner them, and a filter value that names nothing."""
from __future__ import annotations

import json
import re
import subprocess

from tests.test_browser import accessible
from tests.test_clients import server  # noqa: F401 - a real `ldr serve` over a copy of the starter store


def result_titles(page) -> list[str]:
    return page.locator("ol.ldr-results h2 a").all_inner_texts()


def apply(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()


def test_sort_by_orders_a_search_for_words(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/search?q=council")
    best = result_titles(page)
    assert len(best) > 3
    page.get_by_label("Sort by").select_option(label="Title A to Z")
    apply(page)
    assert "sort=title" in page.url and "q=council" in page.url
    shown = result_titles(page)
    assert shown == sorted(shown, key=str.lower) and shown != best
    page.get_by_label("Sort by").select_option(label="Title Z to A")
    apply(page)
    shown = result_titles(page)
    assert shown == sorted(shown, key=str.lower, reverse=True)
    assert page.get_by_label("Sort by").input_value() == "-title"
    page.get_by_label("Sort by").select_option(label="Best match")
    apply(page)
    assert result_titles(page) == best
    accessible(page, "search-sorted")
    page.close()


def test_exemplars_by_region_and_council_type_of_lead_and_partner_councils(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/exemplars")
    everything = result_titles(page)
    # facts from data/exemplars.ttl and data/organisations.ttl: Southwark (a London borough) leads
    # BOPS, with Coventry (a metropolitan district) among its partners; Lambeth leads RIPA with
    # Southwark, Lewisham and Camden; the Leeds Care Record's councils are in Yorkshire
    page.get_by_role("group", name="Region or nation").get_by_role("checkbox", name=re.compile(r"^London \(")).check()
    apply(page)
    london = result_titles(page)
    assert {"Back-office Planning System (BOPS)", "Reducing Invalid Planning Applications (RIPA)"} <= set(london)
    assert "Leeds Care Record" not in london and len(london) < len(everything)
    page.get_by_role("group", name="Council type").get_by_role("checkbox", name=re.compile(r"^Metropolitan district council \(")).check()
    apply(page)
    assert "region=london" in page.url and "council_type=MD" in page.url
    both = result_titles(page)
    assert "Back-office Planning System (BOPS)" in both and set(both) < set(london)
    assert "Reducing Invalid Planning Applications (RIPA)" not in both
    page.get_by_role("group", name="Region or nation").get_by_role("checkbox", name=re.compile(r"^London \(")).uncheck()
    apply(page)
    districts = result_titles(page)
    assert {"Leeds Care Record", "Back-office Planning System (BOPS)"} <= set(districts)
    assert "Reducing Invalid Planning Applications (RIPA)" not in districts
    accessible(page, "exemplars-by-council-type")
    page.close()


def test_a_filter_value_that_names_nothing_is_refused_with_the_allowed_values(server, browser):
    page = browser.new_page()
    response = page.goto(server.url + "/exemplars?region=narnia")
    assert response.status == 400
    text = page.locator("main").inner_text()
    assert "narnia" in text and "London" in text and "North West" in text   # by name, as the filters show them
    assert "north-west" not in text
    accessible(page, "unknown-filter-value")
    # a scheme with an order (the phases) is listed in it, and the page leads back to the list
    assert page.goto(server.url + "/exemplars?phase=nonsense").status == 400
    text = page.locator("main").inner_text()
    assert "Phase: “nonsense” is not one of the choices. Choose one of: Discovery, Alpha, Beta, Live, Retired." \
        in text, text
    page.get_by_role("link", name="Show the list without this filter").click()
    page.wait_for_url(server.url + "/exemplars")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Exemplars"
    page.close()
    answer = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", f"{server.url}/search.json?council_type=XYZ&q=care"],
                            capture_output=True, text=True, timeout=60).stdout
    body, status = answer.rsplit("\n", 1)
    problem = json.loads(body)
    assert status == "400" and problem["parameter"] == "council_type" and problem["values"] == ["XYZ"]
    assert {"LBO", "MD", "UA", "CTY", "NMD"} <= set(problem["allowed"])
    # values that exist still answer, even when no record has them
    assert subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                           f"{server.url}/exemplars.json?region=wales&organisation=leeds-city-council"],
                          capture_output=True, text=True, timeout=60).stdout == "200"
