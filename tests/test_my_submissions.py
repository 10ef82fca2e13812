"""A publisher's "My submissions" page, in Chromium: the records they and their organisation
submitted (through the API, with tokens), each with its status and what the steward said on the
review page; nothing another organisation submitted."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request

import pytest

from tests.conftest import BASE
from tests.server import Server
from tests.test_browser import accessible
from tests.test_browser_publishing import sign_in
from tests.test_cli import LDR
from tests.test_registration import exemplar
from tests.web import PASSWORD

USERS = [
    ("amy", "leeds-city-council", "publisher"),
    ("ben", "leeds-city-council", "publisher"),
    ("cy", "london-borough-of-croydon", "publisher"),
    ("sam", "ministry-of-housing-communities-and-local-government", "steward"),
]


def ldr(*args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [LDR, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LDR_BASE": BASE},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("submissions") / "store"
    shutil.copytree(starter_store_dir, path)
    tokens = {}
    for user, org, role in USERS:
        ldr(
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
            stdin=PASSWORD + "\n",
        )
        tokens[user] = (
            ldr(
                "token",
                "create",
                "--user",
                user,
                "--org",
                org,
                "--role",
                role,
                "--store",
                str(path),
            )
            .strip()
            .splitlines()[-1]
        )
    server = Server(path)
    for user, ref, title, org in [
        ("amy", "pothole-photos", "Pothole photos", "leeds-city-council"),
        ("ben", "bin-day-finder", "Bin day finder", "leeds-city-council"),
        ("cy", "library-hours", "Library opening hours", "london-borough-of-croydon"),
    ]:
        request = urllib.request.Request(
            server.url + "/exemplars",
            method="POST",
            data=exemplar(ref=ref, title=title, topic=title.lower(), org=org).encode(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {tokens[user]}"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 201, json.loads(answer.read())
    yield server
    server.stop()


def decide(page, title: str, decision: str, comment: str) -> None:
    """A steward's decision on one record of the review page, with a comment for the submitter."""
    section = page.locator("section", has=page.get_by_role("heading", name=title))
    section.get_by_role("radio", name=decision).check()
    section.get_by_label("Comment for the submitter").fill(comment)
    section.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(re.compile(r".*/review\?decision=.*"))  # the page that confirms the decision


def test_a_publisher_sees_their_organisations_submissions_with_status_and_comments(server, browser):
    steward = browser.new_context().new_page()
    sign_in(steward, server.url, "sam")
    steward.goto(server.url + "/review")
    decide(steward, "Pothole photos", "Ask for changes", "Say which roads the pilot covered.")
    decide(steward, "Bin day finder", "Approve as stable", "Clear and complete, thank you.")

    amy = browser.new_context().new_page()
    sign_in(amy, server.url, "amy")
    amy.get_by_role("link", name="My submissions").click()
    amy.wait_for_url(server.url + "/my-submissions")
    accessible(amy, "my-submissions")
    sections = amy.locator("section.ldr-submission")
    assert sections.count() == 2  # Croydon's record is not Leeds's business
    pothole = amy.locator(
        "section", has=amy.get_by_role("heading", name="Pothole photos")
    ).inner_text()
    assert "Status: Submitted" in pothole and "submitted by amy" in pothole
    assert (
        "Changes asked for" in pothole
        and "Say which roads the pilot covered." in pothole
        and "sam" in pothole
    )
    bins = amy.locator(
        "section", has=amy.get_by_role("heading", name="Bin day finder")
    ).inner_text()
    assert (
        "Status: Stable" in bins and "submitted by ben" in bins
    )  # a colleague's record, as the issue asks
    assert "Status changed to Stable" in bins and "Clear and complete, thank you." in bins
    assert "Library opening hours" not in amy.content()
    amy.get_by_role("link", name="Pothole photos").click()
    amy.wait_for_url(server.url + "/doc/exemplars/pothole-photos")

    cy = browser.new_context().new_page()
    sign_in(cy, server.url, "cy")
    cy.goto(server.url + "/my-submissions")
    mine = cy.locator("main").inner_text()
    assert "Library opening hours" in mine and "No steward has commented yet." in mine
    assert "Pothole photos" not in mine and "Bin day finder" not in mine


def test_my_submissions_asks_who_you_are_first(server, browser):
    page = browser.new_context().new_page()
    page.goto(server.url + "/my-submissions")
    assert "/sign-in" in page.url
    page.get_by_label("User name").fill("amy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/my-submissions")
