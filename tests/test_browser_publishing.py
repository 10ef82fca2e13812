"""The publishing journey in Chromium: a publisher signs in, submits an exemplar with a mistake,
sees the error, fixes it and submits; a steward approves it; the record then appears in search,
on its organisation's page and in SPARQL. Once with the mouse, once with only the keyboard;
axe-core checks every page on the way."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import quote

import pytest

from tests.conftest import BASE
from tests.server import Server
from tests.test_browser import accessible
from tests.test_cli import LDR
from tests.web import PASSWORD


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("journey") / "store"
    shutil.copytree(starter_store_dir, path)
    for user, org, role in [
        ("amy", "leeds-city-council", "publisher"),
        ("sam", "ministry-of-housing-communities-and-local-government", "steward"),
    ]:
        made = subprocess.run(
            [
                LDR,
                "user",
                "create",
                "--user",
                user,
                "--org",
                org,
                "--role",
                role,
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


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the element is focused, as a keyboard user would."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with the Tab key")


def sign_in(page, url, user, keyboard=False):
    page.goto(url + "/sign-in")
    if keyboard:
        tab_to(page, "#username")
        page.keyboard.type(user)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
    else:
        page.get_by_label("User name").fill(user)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def open_for_review(browser, url: str, title: str):
    """Sam the steward on /review: the page, and the section of the record with this title."""
    page = browser.new_page()
    sign_in(page, url, "sam")
    page.goto(url + "/review")
    return page, page.locator("section", has_text=title)


def journey(server, browser, title: str, keyboard: bool, name: str):
    context = browser.new_context()
    page = context.new_page()
    url = server.url
    sign_in(page, url, "amy", keyboard)
    page.goto(url + "/exemplars")
    if keyboard:
        tab_to(page, "a.govuk-button[href='/exemplars/new']")
        page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name="Add a record").click()
    page.wait_for_url(url + "/exemplars/new")
    accessible(page, f"{name}-form")
    answers = [
        ("#title", title),
        (
            "#descriptionRequired",
            "Residents report fly-tipping with a photo and a map pin, "
            "and crews see reports on their round.",
        ),
        ("#lead", "Leeds City Council"),
        ("#source", "https://example.org/fly-tipping"),
    ]
    for selector, text in answers:
        if keyboard:
            tab_to(page, selector)
            page.keyboard.type(text)
        else:
            page.locator(selector).fill(text)
    housing = "input[name=serviceArea][value$='/service-area/housing']"
    if keyboard:
        tab_to(page, housing)
        page.keyboard.press("Space")
        tab_to(
            page, "button.govuk-button[value=continue]"
        )  # the visible one, not the form's hidden default
        page.keyboard.press("Enter")
    else:
        page.locator(housing).check()
        page.get_by_role("button", name="Continue").click()
    # The mistake: no problem statement. The error summary says so and leads to the field.
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "An exemplar must say what problem it solves" in summary.inner_text()
    accessible(page, f"{name}-form-with-error")
    if keyboard:
        tab_to(page, ".govuk-error-summary a[href='#problem']")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "problem"
        page.keyboard.type("Every council builds its own fly-tipping report form and back office.")
        tab_to(
            page, "button.govuk-button[value=continue]"
        )  # the visible one, not the form's hidden default
        page.keyboard.press("Enter")
    else:
        summary.get_by_role("link").first.click()
        page.locator("#problem").fill(
            "Every council builds its own fly-tipping report form and back office."
        )
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    accessible(page, f"{name}-check-answers")
    if keyboard:
        tab_to(page, "main form button[type=submit]")
        page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name="Submit").click()
    page.locator(".govuk-panel").wait_for()
    assert "Record submitted" in page.locator(".govuk-panel").inner_text()
    accessible(page, f"{name}-confirmation")
    record_path = page.get_by_role("link", name="View the record").get_attribute("href")
    context.close()

    steward = browser.new_context()
    page = steward.new_page()
    sign_in(page, url, "sam", keyboard)
    page.goto(url + "/review")
    accessible(page, f"{name}-review")
    section = page.locator("section", has_text=title)
    if keyboard:
        tab_to(page, f"section:has-text('{title}') input[value=stable]")
        page.keyboard.press("Space")
        tab_to(page, f"section:has-text('{title}') button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        section.get_by_label("Approve as stable").check()
        with page.expect_navigation():
            section.get_by_role("button", name="Record the decision").click()
    # the record has left the queue, and the page confirms what was decided
    assert page.locator("section", has_text=title).count() == 0
    assert title in page.locator(".govuk-notification-banner").inner_text()
    steward.close()

    # The approved record is found everywhere.
    reader = browser.new_page()
    reader.goto(url + "/search?q=" + quote(title))
    assert reader.get_by_role("link", name=title).count() == 1
    reader.goto(url + "/doc/organisations/leeds-city-council.html")
    assert reader.get_by_role("link", name=title).count() >= 1
    reader.goto(url + record_path.replace("/id/", "/doc/") + ".html")
    assert "Awaiting review" not in reader.content()
    query = f'SELECT ?s WHERE {{ ?s <http://purl.org/dc/terms/title> "{title}"@en ; <http://purl.org/linked-data/registry#status> <http://purl.org/linked-data/registry#statusStable> }}'
    answer = reader.request.get(url + "/sparql?query=" + quote(query))
    assert len(json.loads(answer.body())["results"]["bindings"]) == 1
    reader.close()


def test_publishing_journey_with_the_mouse(server, browser):
    journey(server, browser, "Fly-tipping reports", keyboard=False, name="journey")


def test_publishing_journey_with_only_the_keyboard(server, browser):
    journey(
        server, browser, "Fly-tipping reports by keyboard", keyboard=True, name="keyboard-journey"
    )


def fill_new_exemplar(browser, url: str, title: str):
    """Amy, signed in, with her answers for a new exemplar, up to "Check your answers": her
    browser context, page and the draft's path."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, url, "amy")
    page.goto(url + "/exemplars/new")
    page.locator("#title").fill(title)
    page.locator("#descriptionRequired").fill(
        "Residents photograph potholes and crews see the photos."
    )
    page.locator("#problem").fill("Reports without photos send crews out twice.")
    page.locator("#lead").fill("Leeds City Council")
    page.locator("#source").fill("https://example.org/pothole-photos")
    page.locator("input[name=serviceArea][value$='/service-area/housing']").check()
    page.get_by_role("button", name="Continue").click()
    page.locator("h1").filter(has_text="Check your answers").or_(
        page.locator(".govuk-error-summary")
    ).wait_for()
    assert page.locator(".govuk-error-summary").count() == 0, page.locator(
        ".govuk-error-summary"
    ).inner_text()
    return context, page, page.url.removeprefix(url)


def submit_draft(page) -> str:
    """Submit from "Check your answers"; the record's address the confirmation links to."""
    page.get_by_role("button", name="Submit").click()
    page.locator(".govuk-panel").wait_for()
    return page.get_by_role("link", name="View the record").get_attribute("href")


def test_change_on_check_answers_keeps_what_was_typed(server, browser):
    """Issue 25: each "Change" opens the form with what was typed, at the row's field, and
    Continue updates the same draft: one record results."""
    url, title = server.url, "Pothole photos kept"
    context, page, draft_path = fill_new_exemplar(browser, url, title)

    # "Change" leads to the problem statement's own box, with every answer still there
    change = page.locator(
        ".govuk-summary-list__row", has_text="Reports without photos"
    ).get_by_role("link")
    assert change.get_attribute("href") == f"{draft_path}/change#problem"
    change.click()
    page.wait_for_url(f"{url}{draft_path}/change#problem")
    assert page.locator("#title").input_value() == title
    assert page.locator("#problem").input_value() == "Reports without photos send crews out twice."
    assert page.locator("#lead").input_value() == "Leeds City Council"
    assert page.locator("input[name=serviceArea][value$='/service-area/housing']").is_checked()
    page.locator("#problem").fill(
        "Reports without photos send crews out twice to find the pothole."
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert page.url == url + draft_path  # the same draft, changed
    assert "to find the pothole" in page.locator(".govuk-summary-list").inner_text()
    submit_draft(page)
    page.goto(url + "/my-submissions")
    page.locator(".ldr-submission").first.wait_for()
    assert page.get_by_role("link", name=title, exact=True).count() == 1  # one record, not two
    context.close()


def test_change_on_check_answers_of_an_edit_keeps_the_edit(server, browser):
    """Issue 25: for an edit, "Change" shows the edited text, not the saved record's."""
    url = server.url
    context, page, _ = fill_new_exemplar(browser, url, "Pothole photos edited")
    record_href = submit_draft(page)
    page.goto(url + record_href.replace("/id/", "/doc/") + "/edit")
    page.locator("#problem").fill("Reports without photos send crews out twice; photos fix that.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    edit_draft = page.url
    page.locator(".govuk-summary-list__row", has_text="photos fix that").get_by_role("link").click()
    page.locator("#problem").wait_for()
    assert (
        page.locator("#problem").input_value()
        == "Reports without photos send crews out twice; photos fix that."
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert page.url == edit_draft
    page.get_by_role("button", name="Submit").click()
    assert "Record updated" in page.locator(".govuk-panel").inner_text()
    context.close()


def test_back_to_a_submitted_draft_says_it_was_submitted(server, browser):
    """Issue 25: the browser's Back after submitting does not read as if the submission was lost."""
    url, title = server.url, "Pothole photos sent back"
    context, page, _ = fill_new_exemplar(browser, url, title)
    record_href = submit_draft(page)
    page.go_back()
    page.locator("h1").first.wait_for()
    assert "No such draft" not in page.content()
    page.get_by_role("heading", name="Already submitted").wait_for()
    assert (
        page.get_by_role("link", name=f"View the record: {title}").get_attribute("href")
        == record_href
    )
    page.get_by_role("link", name="See all your submissions").click()
    page.get_by_role("heading", name="My submissions").wait_for()
    context.close()
