"""A council officer looking for exemplars (issue 25, point 12), in a real browser over a real
`ldr serve`: sorting the results, narrowing exemplars by the region and type of the councils
that lead or partner them, and filter values or a sort order that name nothing (all reported at
once, with a way back that keeps everything else)."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.test_browser import accessible
from tests.test_clients import server  # noqa: F401 - a real `ldr serve` over a copy of the starter store


def result_titles(page) -> list[str]:
    return page.locator("ol.ldr-results h2 a").all_inner_texts()


def refused(browser, url: str):
    """A new page at the address, which the registry refuses (400), and the text of its main part."""
    page = browser.new_page()
    assert page.goto(url).status == 400
    return page, page.locator("main").inner_text()


def problem_at(url: str) -> dict:
    """The problem document a client asking for JSON gets at the address, which the registry refuses (400)."""
    with pytest.raises(urllib.error.HTTPError) as refusal:
        urllib.request.urlopen(
            urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=60
        )
    assert (
        refusal.value.code == 400
        and refusal.value.headers.get_content_type() == "application/problem+json"
    )
    return json.loads(refusal.value.read())


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
    page.get_by_role("group", name="Region or nation").get_by_role(
        "checkbox", name=re.compile(r"^London \(")
    ).check()
    apply(page)
    london = result_titles(page)
    assert {
        "Back-office Planning System (BOPS)",
        "Reducing Invalid Planning Applications (RIPA)",
    } <= set(london)
    assert "Leeds Care Record" not in london and len(london) < len(everything)
    page.get_by_role("group", name="Council type").get_by_role(
        "checkbox", name=re.compile(r"^Metropolitan district council \(")
    ).check()
    apply(page)
    assert "region=london" in page.url and "council_type=MD" in page.url
    both = result_titles(page)
    assert "Back-office Planning System (BOPS)" in both and set(both) < set(london)
    assert "Reducing Invalid Planning Applications (RIPA)" not in both
    page.get_by_role("group", name="Region or nation").get_by_role(
        "checkbox", name=re.compile(r"^London \(")
    ).uncheck()
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
    assert (
        "narnia" in text and "London" in text and "North West" in text
    )  # by name, as the filters show them
    assert "north-west" not in text
    accessible(page, "unknown-filter-value")
    # a scheme with an order (the phases) is listed in it, and the page leads back to the list
    assert page.goto(server.url + "/exemplars?phase=nonsense").status == 400
    text = page.locator("main").inner_text()
    assert (
        "Phase: “nonsense” is not one of the choices. Choose one of: Discovery, Alpha, Beta, Live, Retired."
        in text
    ), text
    page.get_by_role("link", name="Show the list without this filter").click()
    page.wait_for_url(server.url + "/exemplars")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Exemplars"
    page.close()
    answer = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", f"{server.url}/search.json?council_type=XYZ&q=care"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    body, status = answer.rsplit("\n", 1)
    problem = json.loads(body)
    assert (
        status == "400" and problem["parameter"] == "council_type" and problem["values"] == ["XYZ"]
    )
    assert {"LBO", "MD", "UA", "CTY", "NMD"} <= set(problem["allowed"])
    # values that exist still answer, even when no record has them
    assert (
        subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                f"{server.url}/exemplars.json?region=wales&organisation=leeds-city-council",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        == "200"
    )


def test_the_way_back_from_a_bad_filter_keeps_the_other_filters_the_words_and_the_order(
    server, browser
):
    page, _ = refused(
        browser, server.url + "/exemplars?q=care&phase=live&region=narnia&sort=-title&page=2"
    )
    page.get_by_role("link", name="Show the list without this filter").click()
    page.wait_for_url(re.compile(r".*/exemplars\?"))
    assert "region=" not in page.url and "page=" not in page.url
    assert (
        page.get_by_role("group", name="Phase")
        .get_by_role("checkbox", name=re.compile(r"^Live \("))
        .is_checked()
    )
    assert page.get_by_label("Sort by").input_value() == "-title"
    assert "care" in page.locator("input[name=q]").first.input_value()
    page.close()


def test_every_bad_filter_value_is_reported_at_once_with_one_way_back(server, browser):
    page, text = refused(browser, server.url + "/exemplars?phase=nope&region=nowhere&phase=live")
    assert (
        "Phase: “nope” is not one of the choices. Choose one of: Discovery, Alpha, Beta, Live, Retired."
        in text
    )
    assert (
        "Region or nation: “nowhere” is not one of the choices. Choose one of: East Midlands,"
        in text
    )
    page.get_by_role("link", name="Show the list without these filters").click()
    page.wait_for_url(server.url + "/exemplars?phase=live")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Exemplars"
    page.close()
    problem = problem_at(f"{server.url}/exemplars.json?phase=nope&region=nowhere")
    assert problem["title"] == "No such filter values"
    assert {p["parameter"]: p["values"] for p in problem["invalid_params"]} == {
        "phase": ["nope"],
        "region": ["nowhere"],
    }
    phase = next(p for p in problem["invalid_params"] if p["parameter"] == "phase")
    assert phase["label"] == "Phase" and phase["allowed_labels"] == [
        "Discovery",
        "Alpha",
        "Beta",
        "Live",
        "Retired",
    ]
    assert "no such phase" in problem["detail"] and "no such region" in problem["detail"]


def test_a_bad_sort_order_is_explained_by_the_names_the_sort_by_control_uses(server, browser):
    page, text = refused(browser, server.url + "/exemplars?q=care&sort=bad")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "No such sort order"
    assert (
        "Sort by: “bad” is not one of the choices. Choose one of: Best match, Title A to Z, Title Z to A, "
        "Recently changed, Least recently changed." in text
    ), text
    assert "-title" not in text and "relevance" not in text
    accessible(page, "unknown-sort-order")
    page.get_by_role("link", name="Show the list in its usual order").click()
    page.wait_for_url(server.url + "/exemplars?q=care")
    assert page.get_by_label("Sort by").input_value() == "relevance"
    page.close()
    problem = problem_at(f"{server.url}/exemplars?sort=bad")
    assert (problem["title"], problem["parameter"], problem["values"]) == (
        "No such sort order",
        "sort",
        ["bad"],
    )
    assert problem["allowed"] == ["title", "-title", "-modified", "modified"]
    assert problem["invalid_params"][0]["allowed_labels"] == [
        "Title A to Z",
        "Title Z to A",
        "Recently changed",
        "Least recently changed",
    ]


def selected_filters(page) -> list[str]:
    """The links of the "Selected filters" list, as a screen reader reads them."""
    return [
        " ".join(text.split())
        for text in page.get_by_role("region", name="Selected filters")
        .get_by_role("listitem")
        .all_inner_texts()
    ]


def test_a_ticked_value_with_no_results_stays_ticked_and_can_be_cleared(server, browser):
    # found by a stranger (issue 25): the ticked value vanished with the results, so it could not be
    # unticked; the starter data has no exemplar led or partnered by a Scottish council
    page = browser.new_page()
    page.goto(server.url + "/exemplars?region=scotland&sort=-title")
    assert page.locator("[role=status]").inner_text().strip() == "0 results"
    scotland = page.get_by_role("group", name="Region or nation").get_by_role(
        "checkbox", name="Scotland (0)"
    )
    assert scotland.is_checked()
    assert selected_filters(page) == ["Remove filter Region or nation: Scotland"]
    assert "Try removing a filter" in page.locator("main").inner_text()
    accessible(page, "filter-with-no-results")
    page.get_by_role("link", name="Clear filters", exact=True).click()
    page.wait_for_url(server.url + "/exemplars?sort=-title")
    shown = result_titles(page)
    assert len(shown) > 3 and shown == sorted(shown, key=str.lower, reverse=True)
    assert page.get_by_role("link", name="Clear filters").count() == 0
    # unticking it works as well as the link
    page.goto(server.url + "/exemplars?region=scotland")
    page.get_by_role("group", name="Region or nation").get_by_role(
        "checkbox", name="Scotland (0)"
    ).uncheck()
    apply(page)
    assert len(result_titles(page)) > 3 and "region=" not in page.url
    page.close()


def test_search_words_with_filters_that_match_nothing_keep_every_ticked_value(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/search?q=care&region=scotland&register=guides&phase=retired")
    assert result_titles(page) == []
    assert (
        page.get_by_role("group", name="Register")
        .get_by_role("checkbox", name="Guides (0)")
        .is_checked()
    )
    assert (
        page.get_by_role("group", name="Region or nation")
        .get_by_role("checkbox", name="Scotland (0)")
        .is_checked()
    )
    assert (
        page.get_by_role("group", name="Phase")
        .get_by_role("checkbox", name="Retired (0)")
        .is_checked()
    )
    assert selected_filters(page) == [
        "Remove filter Register: Guides",
        "Remove filter Region or nation: Scotland",
        "Remove filter Phase: Retired",
    ]
    # each filter removed alone, the words and the others kept
    page.get_by_role("link", name="Remove filter Region or nation: Scotland").click()
    page.wait_for_url(re.compile(r".*/search\?"))
    assert (
        "region=" not in page.url and "register=guides" in page.url and "phase=retired" in page.url
    )
    assert page.locator("input[name=q]").input_value() == "care"
    page.get_by_role("link", name="Clear filters", exact=True).click()
    page.wait_for_url(server.url + "/search?q=care")
    assert len(result_titles(page)) > 0
    # words that match nothing at all still show the ticked value, ticked
    page.goto(server.url + "/search?q=zzqxjv&region=london")
    assert (
        page.get_by_role("group", name="Region or nation")
        .get_by_role("checkbox", name="London (0)")
        .is_checked()
    )
    page.close()


def test_the_json_listing_counts_a_selected_value_with_no_records_as_0(server):
    with urllib.request.urlopen(
        f"{server.url}/exemplars.json?region=scotland&phase=retired", timeout=60
    ) as answer:
        listing = json.loads(answer.read())
    assert listing["total"] == 0
    assert {"value": "scotland", "label": "Scotland", "count": 0} in listing["facets"]["region"]
    assert {"value": "retired", "label": "Retired", "count": 0} in listing["facets"]["phase"]
    with urllib.request.urlopen(
        f"{server.url}/search.json?q=zzqxjv&council_type=MD", timeout=60
    ) as answer:
        listing = json.loads(answer.read())
    assert listing["facets"]["council_type"] == [
        {"value": "MD", "label": "Metropolitan district council", "count": 0}
    ]
