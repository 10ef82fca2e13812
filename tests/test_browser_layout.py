"""Pages on a narrow screen, in Chromium: every page reflows at 320 CSS px without sideways
scrolling (WCAG 2.2 1.4.10), the reports' chart labels are drawn whole, and the vocabulary at
/def/ can be found around in: a contents entry for each class and controlled list, and
examples that name records rather than show blank-node identifiers."""

from __future__ import annotations

import re

from tests.test_browser_publishing import server, sign_in  # noqa: F401  (the module's server fixture)

NARROW = {"width": 320, "height": 640}
PAGES = [
    "/",
    "/search?q=leeds",
    "/exemplars",
    "/organisations",
    "/standards",
    "/doc/exemplars/bops",
    "/doc/exemplars/bops/versions",
    "/doc/organisations/leeds-city-council",
    "/reports",
    "/def/",
    "/catalogue",
    "/queries",
    "/sign-in",
    "/doc/standards/ocds/check",
    "/nowhere",
]
# the form last: it is posted next; BOPS's edit form is refused to a Leeds publisher, with a page
SIGNED_IN = ["/my-submissions", "/account/sessions", "/doc/exemplars/bops/edit", "/exemplars/new"]

#: What a blank node's identifier looks like when a page prints it.
BLANK_NODE = re.compile(r"^(_:)?[a-z]?[0-9a-f]{20,}$")


def sideways(page) -> int:
    """How far the page scrolls sideways, in CSS px (0 when it reflows), or how far a visible
    element of it sits off the left edge, where no scrolling reaches (a right-aligned row of
    links that did not wrap put "Signed in as …" there)."""
    scrolls = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    off_left = page.evaluate("""() => Math.max(0, ...[...document.querySelectorAll('body *')].filter(e => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden'
            && !e.closest('.govuk-skip-link, .govuk-visually-hidden, .CodeMirror');
    }).map(e => Math.round(-e.getBoundingClientRect().left)))""")
    return max(scrolls, off_left)


def test_every_page_reflows_at_320_css_pixels_and_asks_for_nothing_missing(server, browser):  # noqa: F811
    page = browser.new_page(viewport=NARROW)
    missing = []
    page.on("response", lambda r: r.status == 404 and "/assets/" in r.url and missing.append(r.url))
    too_wide = {}
    for path in PAGES:
        page.goto(server.url + path)
        too_wide[path] = sideways(page)
    page.goto(server.url + "/query")
    page.locator(
        ".yasgui .tabsList .tab"
    ).first.wait_for()  # the query page's tabs are drawn by its script
    too_wide["/query"] = sideways(page)
    sign_in(page, server.url, "amy")
    for path in SIGNED_IN:
        page.goto(server.url + path)
        too_wide[path] = sideways(page)
    page.get_by_role("button", name="Continue").click()  # the form again, with its error summary
    page.locator(".govuk-error-summary").wait_for()
    too_wide["the form with errors"] = sideways(page)
    steward = browser.new_context(viewport=NARROW).new_page()  # more links in the header
    sign_in(steward, server.url, "sam")
    steward.goto(server.url + "/review")
    too_wide["/review, as a steward"] = sideways(steward)
    steward.close()
    assert {path: px for path, px in too_wide.items() if px > 0} == {}
    assert missing == []  # e.g. the GOV.UK typeface, which the registry does not serve
    page.close()


def test_a_table_that_scrolls_sideways_can_be_scrolled_from_the_keyboard(server, browser):  # noqa: F811
    """At 320 px the reports' tables scroll inside themselves; each that does takes the focus
    (Tab reaches it) and the arrow keys scroll it. At full width none is in the tab order."""
    page = browser.new_page(viewport=NARROW)
    page.goto(server.url + "/reports")
    scrolling = page.locator("table.govuk-table[tabindex='0']")
    scrolling.first.wait_for()
    table = scrolling.first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    table.focus()
    assert table.evaluate("t => document.activeElement === t")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("t => t.scrollLeft > 0", arg=table.element_handle())
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function(
        "() => document.querySelectorAll(\"table.govuk-table[tabindex='0']\").length === 0"
    )
    page.close()


def test_the_chart_labels_are_drawn_whole(server, browser):  # noqa: F811
    for viewport in (NARROW, {"width": 1280, "height": 800}):
        page = browser.new_page(viewport=viewport)
        page.goto(server.url + "/reports")
        assert page.locator("svg.ldr-chart text").count() > 0
        cut = page.evaluate("""() => [...document.querySelectorAll('svg.ldr-chart text')].filter(t => {
            const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
            return box.x < 0 || box.y < 0 || box.x + box.width > view.width || box.y + box.height > view.height;
        }).map(t => t.textContent)""")
        assert cut == [], viewport
        labels = page.locator("svg.ldr-chart").first.evaluate(
            "svg => [...svg.querySelectorAll('text')].map(t => t.textContent)"
        )
        assert not any(label.endswith("...") for label in labels)  # written in full, not cut short
        page.close()


def test_the_vocabulary_can_be_found_around_in_and_its_examples_have_names(server, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(server.url + "/def/")
    contents = page.locator("ul.govuk-list").first
    for name in ("Funding award", "Exemplar", "Local authority"):
        assert contents.get_by_role("link", name=name, exact=True).count() == 1, name
    contents.get_by_role("link", name="Funding award", exact=True).click()
    page.wait_for_url("**/def/#FundingAward")
    section = page.locator("section#FundingAward")
    assert section.get_by_role("heading", name="Examples").count() == 1
    scheme_links = contents.locator("a[href^='#scheme-']")
    assert scheme_links.count() >= 3
    for n in range(scheme_links.count()):  # each controlled list's entry leads to its section
        target = scheme_links.nth(n).get_attribute("href")
        assert page.locator(target).locator("table").count() == 1, target
    examples = page.locator("section h4:text('Examples') + ul a")
    texts = examples.all_inner_texts()
    assert texts and not [t for t in texts if BLANK_NODE.match(t.strip()) or t.startswith("urn:")]
    assert all(
        href.startswith(("/", "http"))
        for href in examples.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    )
    page.close()
