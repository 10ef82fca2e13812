"""The publishing form as a council officer meets it in Chromium: every error in one round, no
empty boxes piling up, "Add another" for each repeatable field, messages in plain words, and
"Check your answers" naming the records the answers link to. And every refusal a browser meets
is a page, not a JSON problem document."""

from __future__ import annotations

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, WatchedBrowser
from tests.test_browser import accessible
from tests.test_browser_publishing import open_for_review, server, sign_in  # noqa: F401  (the module's server fixture)

#: A name that is not the local machine's, resolved by Chromium alone to 127.0.0.1.
ELSEWHERE = "registry.test"


@pytest.fixture(scope="module")
def browser():
    """Chromium as in conftest, also resolving ELSEWHERE to 127.0.0.1 (no traffic leaves)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + [f"--host-resolver-rules=MAP {ELSEWHERE} 127.0.0.1"],
        )
        yield WatchedBrowser(launched)
        launched.close()


def continue_new_exemplar(server, browser, answers: dict[str, str]):
    """Amy opens a new exemplar's form, gives these answers and chooses Continue; the page, and
    the text of the error summary it comes back with."""
    page = browser.new_page()
    sign_in(page, server.url, "amy")
    page.goto(server.url + "/exemplars/new")
    for selector, text in answers.items():
        page.locator(selector).fill(text)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    return page, summary.inner_text()


def test_the_form_gives_every_error_at_once_and_adds_boxes_only_when_asked(server, browser):  # noqa: F811
    page, text = continue_new_exemplar(
        server,
        browser,
        {"#title": "Bulky waste collections booked online", "#source": "not a web address"},
    )
    # one round names the unreadable address and what the shapes demand, together
    assert "Source must be a web address" in text
    assert "An exemplar must say what problem it solves" in text
    assert "lead organisation" in text.lower()
    assert "(ldr:" not in text and "(dcterms:" not in text and "reg:status" not in text
    accessible(page, "form-every-error")
    # a second round with nothing changed: still one box for each answer, none added
    page.locator("#title").press("Enter")  # Enter in a box is Continue, not "Add another"
    page.locator(".govuk-error-summary").wait_for()
    assert page.locator("input[name=source]").count() == 1
    assert page.locator("input[name=landingPage]").count() == 1
    # "Add another" belongs to each repeatable field and adds a box to that field only
    page.get_by_role("button", name="Add another source").click()
    page.locator("input[name=source]").nth(1).wait_for()
    assert page.locator("input[name=source]").count() == 2
    assert page.locator("input[name=landingPage]").count() == 1
    page.locator("input[name=source]").nth(0).fill("https://example.org/bulky-waste")
    page.locator("#descriptionRequired").fill(
        "Residents book and pay for bulky waste collections online."
    )
    page.locator("#problem").fill(
        "Every council takes bulky waste bookings by phone and re-keys them."
    )
    page.locator("#lead").fill("Leeds City Council")
    page.locator("input[name=serviceArea][value$='/service-area/housing']").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    answers = page.locator(".govuk-summary-list").inner_text()
    assert "Leeds City Council" in answers and "/id/organisations/" not in answers
    accessible(page, "form-check-answers-names")
    page.close()


def test_a_title_already_registered_is_explained_on_the_form(server, browser):  # noqa: F811
    page, text = continue_new_exemplar(server, browser, {"#title": "BOPS"})
    assert (
        "There is already a record with this short name: Back-office Planning System (BOPS)."
        in text
    )
    assert "/doc/" not in text and "PUT" not in text
    # and the rest of the record's problems come in the same round
    assert "An exemplar must say what problem it solves" in text
    # beside the box, the record is a link to it
    page.locator("#reference-error").get_by_role(
        "link", name="Back-office Planning System (BOPS)"
    ).click()
    page.wait_for_url(server.url + "/doc/exemplars/bops")
    page.close()


def is_a_page(response) -> None:
    assert response is not None and response.headers["content-type"].startswith("text/html"), (
        response.headers
    )


def test_a_steward_rejecting_without_a_comment_sees_a_page_saying_what_to_do(server, browser):  # noqa: F811
    publisher = browser.new_page()
    sign_in(publisher, server.url, "amy")
    publisher.goto(server.url + "/exemplars/new")
    for selector, text in [
        ("#title", "Street light fault reports"),
        ("#source", "https://example.org/lights"),
        ("#descriptionRequired", "Residents report faulty street lights on a map."),
        ("#problem", "Each council takes street light fault reports by phone."),
        ("#lead", "Leeds City Council"),
    ]:
        publisher.locator(selector).fill(text)
    publisher.locator("input[name=serviceArea][value$='/service-area/housing']").check()
    publisher.get_by_role("button", name="Continue").click()
    publisher.get_by_role("button", name="Submit").click()
    publisher.locator(".govuk-panel").wait_for()
    publisher.close()
    page, section = open_for_review(browser, server.url, "Street light fault reports")
    section.get_by_role("radio", name="Reject").check()
    with page.expect_navigation() as navigation:
        section.get_by_role("button", name="Record the decision").click()
    is_a_page(navigation.value)
    assert navigation.value.status == 400
    assert page.get_by_role("heading", name="The decision was not recorded").count() == 1
    assert "Say why the record is rejected" in page.content()
    page.get_by_role("link", name="Go back and try again").click()
    page.wait_for_url(server.url + "/review")
    page.close()


def test_checking_without_choosing_a_file_is_a_page(server, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(server.url + "/doc/standards/ocds/check")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Check the file").click()
    is_a_page(navigation.value)
    assert "No file was chosen" in page.locator(".govuk-error-summary").inner_text()
    page.close()


def test_checking_a_file_over_the_size_limit_is_a_page(server, browser, tmp_path):  # noqa: F811
    big = tmp_path / "release-package.json"
    big.write_bytes(b"{" + b" " * (11 * 1024 * 1024) + b"}")  # over the 10 MB LDR_MAX_INPUT_BYTES
    page = browser.new_page()
    page.goto(server.url + "/doc/standards/ocds/check")
    page.set_input_files("input[type=file]", str(big))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Check the file").click()
    assert navigation.value.status == 413
    is_a_page(navigation.value)
    assert "too large" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Go back and try again").click()
    page.wait_for_url("**/doc/standards/ocds/check")
    page.close()


def test_signing_in_over_plain_http_at_another_name_explains_https(server, browser):  # noqa: F811
    page = browser.new_page()
    address = server.url.replace("127.0.0.1", ELSEWHERE)
    page.goto(address + "/sign-in")
    assert "Signing in needs HTTPS" in page.locator(".govuk-warning-text").inner_text()
    page.get_by_label("User name").fill("amy")
    page.get_by_label("Password").fill("wrong either way")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    is_a_page(navigation.value)
    assert page.get_by_role("heading", name="Signing in needs HTTPS").count() == 1
    assert "http://127.0.0.1" in page.content()
    page.close()
