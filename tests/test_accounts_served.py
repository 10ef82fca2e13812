"""Accounts while the registry is served: the first administrator, then users and tokens, made
with `ldr` against the running server's store, and from the administrator's web page."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.conftest import BASE
from tests.server import Server
from tests.test_cli import LDR, run

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def served(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(starter_store_dir, path)
    server = Server(path)
    yield server, path
    server.stop()


def ldr_with_password(*args: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LDR, *args],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LDR_BASE": BASE},
    )


def get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_first_admin_users_and_tokens_are_made_while_the_server_runs(served):
    server, path = served
    admin = ldr_with_password(
        "user",
        "create",
        "--user",
        "ada",
        "--org",
        "government-digital-service",
        "--role",
        "admin",
        "--password-stdin",
        "--store",
        str(path),
    )
    assert admin.returncode == 0, admin.stderr
    made = run(
        "token",
        "create",
        "--org",
        "government-digital-service",
        "--role",
        "admin",
        "--user",
        "ada",
        store=path,
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    # the server, which held the store all along, takes the token at once
    status, body = get(server.url + "/tokens", token)
    assert status == 200 and "ada" in body.decode()
    listed = run("token", "list", store=path)
    assert listed.returncode == 0 and " ada " in listed.stdout
    token_id = token.split("_")[1]
    assert run("token", "revoke", token_id, store=path).returncode == 0
    assert get(server.url + "/tokens", token)[0] == 401
    publisher = ldr_with_password(
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
    )
    assert publisher.returncode == 0, publisher.stderr
    # the organisation as a person may give it: typed with capitals, or its page's address copied from a browser
    for n, named in enumerate(
        ("Leeds-City-Council", f"{BASE}/doc/organisations/leeds-city-council")
    ):
        made = ldr_with_password(
            "user",
            "create",
            "--user",
            f"leeds{n}",
            "--org",
            named,
            "--role",
            "publisher",
            "--password-stdin",
            "--store",
            str(path),
        )
        assert (
            made.returncode == 0
            and f"for {BASE}/id/organisations/leeds-city-council." in made.stdout
        ), made.stderr
    assert (
        ldr_with_password(
            "user",
            "password",
            "--user",
            "amy",
            "--password-stdin",
            "--store",
            str(path),
            password="another long password",
        ).returncode
        == 0
    )


def test_commands_that_cannot_run_exit_2_with_the_reason(served, tmp_path):
    server, path = served
    unknown = run("token", "create", "--org", "nowhere-council", "--role", "publisher", store=path)
    assert (
        unknown.returncode == 2
        and "“nowhere-council” is not the title, reference or address of a registered "
        "organisation, such as "
        in unknown.stderr
    )
    short = ldr_with_password(
        "user",
        "create",
        "--user",
        "bo",
        "--org",
        "leeds-city-council",
        "--role",
        "publisher",
        "--password-stdin",
        "--store",
        str(path),
        password="short",
    )
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    no_password = subprocess.run(
        [
            LDR,
            "user",
            "create",
            "--user",
            "bo",
            "--org",
            "leeds-city-council",
            "--role",
            "publisher",
            "--store",
            str(path),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LDR_BASE": BASE},
    )
    assert no_password.returncode == 2 and "--password-stdin" in no_password.stderr
    revoked = run("token", "revoke", "000000000000", store=path)
    assert revoked.returncode == 2 and "no active token" in revoked.stderr
    # a command that needs the store itself says that the server holds it, and still exits 2
    held = run("reindex", store=path)
    assert (
        held.returncode == 2 and "Another process" in held.stderr and "Traceback" not in held.stderr
    )
    nothing = run("history", "platforms/no-such-platform", store=path)
    assert nothing.returncode == 2 and "Traceback" not in nothing.stderr


def test_an_admin_invites_a_user_and_makes_them_a_token_from_the_accounts_page(served, browser):
    from tests.test_browser import accessible

    server, path = served
    made = ldr_with_password(
        "user",
        "create",
        "--user",
        "root",
        "--org",
        "government-digital-service",
        "--role",
        "admin",
        "--password-stdin",
        "--store",
        str(path),
    )
    assert made.returncode == 0, made.stderr
    admin = browser.new_context().new_page()
    admin.goto(server.url + "/sign-in")
    admin.get_by_label("User name").fill("root")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(server.url + "/")
    admin.get_by_role("link", name="Accounts").click()
    admin.wait_for_url(server.url + "/admin/accounts")
    accessible(admin, "accounts")

    admin.get_by_label("User name").first.fill("cat")
    admin.get_by_label("Organisation", exact=True).fill("nowhere-council")
    admin.get_by_role("button", name="Invite").click()
    assert (
        "“nowhere-council” is not the title, reference or address of a registered organisation"
        in admin.locator(".govuk-error-summary").inner_text()
    )
    accessible(admin, "accounts-error")
    # the organisation's page address, as copied from the browser (the page at the registry's own address)
    admin.get_by_label("Organisation", exact=True).fill(
        f"{BASE}/doc/organisations/leeds-city-council"
    )
    admin.get_by_role("button", name="Invite").click()
    link = admin.locator("#invitation-link").inner_text().strip()
    # the registry's address (LDR_BASE), which the test server, on a port of its own, is not at
    assert link.startswith(BASE + "/invitation/")

    cat = browser.new_context().new_page()
    cat.goto(link.replace(BASE, server.url))
    assert "for Leeds City Council" in cat.locator("main").inner_text()
    accessible(cat, "invitation")
    cat.get_by_label("Password", exact=True).fill(PASSWORD)
    cat.get_by_label("Password again").fill("not the same password")
    cat.get_by_role("button", name="Set password and sign in").click()
    assert "not the same" in cat.locator(".govuk-error-summary").inner_text()
    cat.get_by_label("Password", exact=True).fill(PASSWORD)
    cat.get_by_label("Password again").fill(PASSWORD)
    cat.get_by_role("button", name="Set password and sign in").click()
    cat.wait_for_url(server.url + "/")
    assert "Signed in as cat (publisher)" in cat.locator(".ldr-account").inner_text()
    assert cat.goto(link.replace(BASE, server.url)).status == 404  # used once
    assert cat.goto(server.url + "/admin/accounts").status == 403  # a publisher manages no accounts

    admin.get_by_label("User name").nth(1).fill("cat")
    admin.get_by_role("button", name="Make a token").click()
    token = admin.locator("#token-secret").inner_text().strip()
    assert token.startswith("ldr_")
    assert get(server.url + "/tokens", token)[0] == 403  # cat's token: known, a publisher's
    assert " cat " in run("token", "list", store=path).stdout
