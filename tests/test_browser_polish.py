"""What a stranger walking the journeys on a fresh clone tripped on, in Chromium: a likely
duplicate warned about before it is submitted, no error about the optional short name, phases
in the order a service goes through them, the checker's choice of kind of document and its
answers in words, organisations by name on the accounts pages, and a steward's decision
confirmed on the page they land on."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import BASE
from tests.server import Server
from tests.test_browser import accessible
from tests.test_browser_publishing import open_for_review, sign_in
from tests.test_cli import LDR
from tests.test_conformance import STANDARDS, need_standards
from tests.web import PASSWORD

#: What no page shown to a person should contain: the vocabulary's compact names.
INTERNAL = re.compile(r"\b(?:ldr|prof|dcterms|reg|skos|role):[A-Za-z]")


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("polish") / "store"
    shutil.copytree(starter_store_dir, path)
    for user, org, role in [
        ("amy", "leeds-city-council", "publisher"),
        ("sam", "ministry-of-housing-communities-and-local-government", "steward"),
        ("ada", "government-digital-service", "admin"),
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
    server = Server(path, **({"LDR_RESOURCE_DIRS": str(STANDARDS)} if STANDARDS.exists() else {}))
    yield server
    server.stop()


def fill_exemplar(
    page, url: str, title: str, problem: str, reference: str = "", lead: str = "Leeds City Council"
) -> None:
    page.goto(url + "/exemplars/new")
    for selector, text in [
        ("#title", title),
        ("#reference", reference),
        ("#source", "https://example.org/" + re.sub(r"\W+", "-", title)),
        ("#descriptionRequired", f"Done online now. Before: {problem}"),
        ("#problem", problem),
        ("#lead", lead),
    ]:
        page.locator(selector).fill(text)
    page.locator("input[name=serviceArea][value$='/service-area/housing']").check()
    page.get_by_role("button", name="Continue").click()


def test_a_record_with_the_title_of_a_registered_one_is_warned_about_before_it_is_submitted(
    server, browser
):
    page = browser.new_page()
    sign_in(page, server.url, "amy")
    # registered at /doc/exemplars/bops; this one has the same title and another short name
    fill_exemplar(
        page,
        server.url,
        "Back-office Planning System (BOPS)",
        "Planning applications are checked by hand in every council.",
        reference="bops-in-leeds",
    )
    page.get_by_role("heading", name="Check your answers").wait_for()
    warning = page.locator(".ldr-similar").first
    assert (
        "A record titled “Back-office Planning System (BOPS)” already exists"
        in warning.inner_text()
    )
    assert (
        warning.get_by_role("link", name="Back-office Planning System (BOPS)").get_attribute("href")
        == "/id/exemplars/bops"
    )
    accessible(page, "polish-duplicate-title")
    # a genuinely different record of the same name is not blocked
    page.get_by_role("button", name="Submit").click()
    page.locator(".govuk-panel").wait_for()
    assert "Record submitted" in page.locator(".govuk-panel").inner_text()
    # a record with a title of its own is not warned about
    fill_exemplar(
        page, server.url, "Kerbside glass collection rounds", "Glass rounds are planned on paper."
    )
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert page.locator(".ldr-similar").count() == 0
    page.close()


def test_the_optional_short_name_left_blank_is_not_an_error(server, browser):
    page = browser.new_page()
    sign_in(page, server.url, "amy")
    page.goto(server.url + "/exemplars/new")
    page.get_by_role("button", name="Continue").click()  # nothing given at all
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "title" in text.lower()
    assert "short name" not in text.lower()
    assert page.locator("#reference-error, .govuk-form-group--error #reference").count() == 0
    page.close()


def test_phases_are_listed_in_the_order_a_service_goes_through_them(server, browser):
    lifecycle = ["Discovery", "Alpha", "Beta", "Live", "Retired"]
    page = browser.new_page()
    sign_in(page, server.url, "amy")
    page.goto(server.url + "/exemplars/new")
    labels = page.locator("input[name=exemplarPhase] + label").all_inner_texts()
    assert [label.strip() for label in labels] == lifecycle
    # and in the register's filters: the phases there, in the same order
    page.goto(server.url + "/exemplars")
    shown = [
        re.sub(r"\s*\(\d+\)$", "", label.strip())
        for label in page.locator("input[name=phase] + label").all_inner_texts()
    ]
    assert len(shown) >= 2 and shown == [phase for phase in lifecycle if phase in shown]
    page.close()


def test_the_checker_page_lets_a_supplier_choose_the_kind_of_document_and_says_which_was_applied(
    server, browser
):
    need_standards()
    page = browser.new_page()
    page.goto(server.url + "/doc/standards/open-referral-uk/check")
    assert page.get_by_label("Work it out from the document").is_checked()
    accessible(page, "polish-checker-kinds")
    # a service, checked as an organisation because the supplier said so
    page.set_input_files("input[type=file]", str(STANDARDS / "oruk-3.0/examples/service_full.json"))
    page.get_by_label("Organization", exact=True).check()
    page.get_by_role("button", name="Check the file").click()
    applied = page.locator("#applied")
    applied.wait_for()
    assert "the kind you chose" in applied.inner_text() and "organization" in applied.inner_text()
    assert applied.inner_text().rstrip(".").endswith("/organization.json")
    # left to the checker, the same file is worked out to be a service, and conforms
    page.goto(server.url + "/doc/standards/open-referral-uk/check")
    page.set_input_files("input[type=file]", str(STANDARDS / "oruk-3.0/examples/service_full.json"))
    page.get_by_role("button", name="Check the file").click()
    page.locator("#applied").wait_for()
    assert "worked out from the document: service," in page.locator("#applied").inner_text()
    assert "The data conforms" in page.locator(".govuk-panel").inner_text()
    page.close()


def test_a_standard_with_no_schema_says_so_in_words_with_its_specification(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/doc/standards/uprn/check")
    text = page.locator("main").inner_text()
    assert "publishes no schema that this registry can check data against" in text
    assert not INTERNAL.search(text), text
    link = page.get_by_role("link", name="Read the standard's specification")
    assert link.get_attribute("href").startswith("https://www.gov.uk/")
    assert page.locator("input[type=file]").count() == 0  # nothing to upload a file for
    accessible(page, "polish-no-schema")
    page.close()


def test_a_page_of_an_hsds_list_response_is_explained_in_words(server, browser):
    need_standards()
    page = browser.new_page()
    page.goto(server.url + "/doc/standards/hsds/check")
    page.set_input_files("input[type=file]", str(STANDARDS / "hsds-3.0/examples/service_list.json"))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "This is a page of a list" in text and "none for a list" in text
    assert all(
        kind in text for kind in ("service", "organization", "location", "service_at_location")
    )
    assert "?schema=" not in text and not INTERNAL.search(text)
    page.close()


def test_the_accounts_pages_name_organisations(server, browser):
    admin = browser.new_context().new_page()
    sign_in(admin, server.url, "ada")
    admin.goto(server.url + "/admin/accounts")
    users = admin.locator("#users")
    assert (
        users.get_by_role("link", name="Leeds City Council").get_attribute("href")
        == "/id/organisations/leeds-city-council"
    )
    assert "/id/organisations/" not in users.inner_text()
    # roles by the words the page's own choices use, not the codes the API takes
    role_cells = users.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert {"Publisher", "Steward", "Administrator"} <= set(role_cells), role_cells
    assert not {"publisher", "steward", "admin"} & set(role_cells), role_cells
    assert admin.get_by_label("Administrator: manages users and tokens").count() == 1
    admin.get_by_label("User name").nth(1).fill("sam")
    admin.get_by_role("button", name="Make a token").click()
    admin.locator("#token-secret").wait_for()
    token_row = admin.locator("#tokens tbody tr", has_text="sam")
    assert "Steward" in token_row.inner_text() and "steward" not in token_row.inner_text()
    assert token_row.get_by_role("link", name="Ministry of Housing").count() == 1
    admin.get_by_label("User name").first.fill("dee")
    admin.get_by_label("Organisation", exact=True).fill("leeds-city-council")
    admin.get_by_role("button", name="Invite").click()
    link = admin.locator("#invitation-link").inner_text().strip()
    invited = browser.new_context().new_page()
    invited.goto(link.replace(BASE, server.url))
    text = invited.locator("main").inner_text()
    assert "a publisher for Leeds City Council" in text and "/id/organisations/" not in text
    assert invited.get_by_role("link", name="Leeds City Council").count() == 1
    admin.close()
    invited.close()


def test_a_steward_sees_their_decision_confirmed_with_a_link_to_the_record(server, browser):
    publisher = browser.new_page()
    sign_in(publisher, server.url, "amy")
    fill_exemplar(
        publisher,
        server.url,
        "Garden waste subscriptions renewed online",
        "Garden waste renewals are taken by phone each spring.",
    )
    publisher.get_by_role("button", name="Submit").click()
    publisher.locator(".govuk-panel").wait_for()
    publisher.close()
    page, section = open_for_review(
        browser, server.url, "Garden waste subscriptions renewed online"
    )
    section.get_by_label("Approve as stable").check()
    with page.expect_navigation():
        section.get_by_role("button", name="Record the decision").click()
    banner = page.locator(".govuk-notification-banner")
    assert "Accepted as stable: Garden waste subscriptions renewed online" in banner.inner_text()
    href = banner.get_by_role(
        "link", name="Garden waste subscriptions renewed online"
    ).get_attribute("href")
    assert href.startswith("/id/exemplars/")
    accessible(page, "polish-review-confirmed")
    page.goto(server.url + href)
    assert page.locator("h1").inner_text() == "Garden waste subscriptions renewed online"
    page.close()
