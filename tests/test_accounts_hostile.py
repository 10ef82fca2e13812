"""What a stranger found on the accounts pages and in the request log, held: the log cannot be
forged or made to keep a live invitation secret, account changes leave audit lines, an account
acts only for an organisation, and the invitation link names the registry, not the Host header."""

from __future__ import annotations

import html
import logging
import re

import pytest

from tests.conftest import BASE, close_app, make_app
from tests.web import LEEDS, PASSWORD, add_users, csrf, sign_in


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "hostile-accounts", LDR_COOKIE_SECURE=False)
    add_users(app)
    app.extensions["ldr.registry"].accounts.create_user("ada", LEEDS, "admin", PASSWORD)
    yield app
    close_app(app)


def _invite(client, **fields):
    token = csrf(client.get("/admin/accounts").data)
    return client.post(
        "/admin/invitations",
        data={
            "username": "",
            "organisation": "",
            "role": "publisher",
            "csrf_token": token,
            **fields,
        },
        base_url="http://localhost",
        headers={"X-Forwarded-Host": "evil.example"},
    )


@pytest.fixture()
def admin(app):
    client = app.test_client()
    assert sign_in(client, "ada").status_code == 302
    return client


def test_a_path_cannot_forge_a_log_line_or_write_control_bytes(app, caplog):
    caplog.set_level(logging.INFO, logger="ldr.request")
    forged = "/x\n2026-12-07 12:40:00.000Z INFO ldr.audit sign-in by mallory\x00"
    app.test_client().get(
        forged.replace("\n", "%0A").replace("\x00", "%00").replace(" ", "%20")
    ).close()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "ldr.request"]
    assert "\n" not in line and "\x00" not in line and " ldr.audit" not in line
    assert "%0A2026-12-07%2012:40:00.000Z%20INFO%20ldr.audit" in line and "mallory%00" in line


def test_an_invitation_secret_never_reaches_the_log(app, admin, caplog):
    caplog.set_level(logging.INFO, logger="ldr")
    page = _invite(admin, username="pat", organisation="leeds-city-council").data.decode()
    link = re.search(r"(http[^\s\"<]*/invitation/([A-Za-z0-9_-]+))", page)
    assert link, page[:2000]
    assert link.group(1).startswith(
        f"{BASE}/invitation/"
    )  # the registry's address, not the Host header
    secret = link.group(2)
    client = admin.application.test_client()
    with client.get(f"/invitation/{secret}") as shown:
        token = csrf(shown.data)
    with client.post(
        f"/invitation/{secret}",
        data={"password": "too short", "confirm": "different", "csrf_token": token},
    ) as refused:
        assert (
            refused.status_code == 422
        )  # the invitation still works: its secret must not be in the log
    logged = "\n".join(f"{r.name}: {r.getMessage()}" for r in caplog.records)
    assert secret not in logged and "/invitation/[secret]" in logged


def test_account_changes_leave_audit_lines(app, admin, caplog):
    caplog.set_level(logging.INFO, logger="ldr.audit")
    assert _invite(admin, username="quin", organisation="leeds-city-council").status_code == 200
    token = csrf(admin.get("/admin/accounts").data)
    assert (
        admin.post("/admin/tokens", data={"token_user": "amy", "csrf_token": token}).status_code
        == 200
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "ldr.audit"]
    assert any(
        line.startswith("invitation for quin (publisher for ") and line.endswith(" by ada")
        for line in lines
    )
    assert any(re.fullmatch(r"token \w+ for amy \(publisher\) by ada", line) for line in lines), (
        lines
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"username": "", "organisation": ""}, "give a user name"),
        ({"username": "x" * 3000, "organisation": "leeds-city-council"}, "at most 64"),
        (
            {"username": "\u0430my", "organisation": "leeds-city-council"},
            "no accents or other alphabets",
        ),
        (
            {"username": "jos\u00e9", "organisation": "leeds-city-council"},
            "no accents or other alphabets",
        ),
        (
            {"username": "AMY", "organisation": "leeds-city-council"},
            "names differing only in capitals are one name",
        ),
        (
            {"username": "rob", "organisation": ""},
            "give the title, reference or address of a registered organisation",
        ),
        (
            {"username": "rob", "organisation": f"{BASE}/id/exemplars/bops"},
            "is not an organisation",
        ),
        ({"username": "rob", "organisation": "exemplars/bops"}, "is not an organisation"),
        (
            {"username": "rob", "organisation": "no-such-council"},
            "“no-such-council” is not the title, reference or address of a registered organisation, such as ",
        ),
    ],
)
def test_an_invitation_is_only_for_a_plain_user_name_at_a_registered_organisation(
    admin, fields, message
):
    answer = _invite(admin, **fields)
    text = answer.data.decode()
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text[text.find("<main") :]))
    assert answer.status_code == 422 and message.lower() in shown.lower(), shown[:1500]


def _summary(page: str) -> list[tuple[str, str]]:
    """The error summary's entries: (where each links, its text)."""
    summary = page[page.find("govuk-error-summary__list") :]
    summary = summary[: summary.find("</ul>")]
    return [
        (href, html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()))
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, re.S)
    ]


def test_the_invite_form_reports_every_error_at_once(admin):
    token = csrf(admin.get("/admin/accounts").data)
    answer = admin.post(
        "/admin/invitations",
        data={"username": "x<script>", "organisation": "<b>x</b>", "csrf_token": token},
    )  # and no role chosen
    page = answer.data.decode()
    entries = _summary(page)
    assert answer.status_code == 422
    assert [href for href, _ in entries] == ["#username", "#organisation", "#role-publisher"], (
        entries
    )
    texts = " | ".join(text for _, text in entries)
    assert (
        "may use only the letters a to z" in texts
        and "is not the title, reference or address" in texts
        and "Choose a role: one of publisher, steward, admin" in texts
    ), texts
    assert "'x<script>' may use only" in texts and "“<b>x</b>” is not" in texts
    assert "<b>x</b>" not in page and "x<script>" not in page  # what was typed is shown as text
    for field in ("username", "organisation", "role"):  # each beside its own box too
        assert f'id="{field}-error"' in page


def test_the_invitation_page_reports_every_error_at_once(admin):
    page = _invite(admin, username="val", organisation="leeds-city-council").data.decode()
    secret = re.search(r"/invitation/([A-Za-z0-9_-]+)", page).group(1)
    client = admin.application.test_client()
    token = csrf(client.get(f"/invitation/{secret}").data)
    answer = client.post(
        f"/invitation/{secret}",
        data={"password": "short", "confirm": "different", "csrf_token": token},
    )
    entries = _summary(answer.data.decode())
    assert answer.status_code == 422
    assert entries == [
        ("#password", "A password needs at least 12 characters"),
        ("#confirm", "The two passwords are not the same: type the same password in both boxes"),
    ]


def test_ldr_user_create_refuses_a_record_that_is_not_an_organisation(app):
    from registry.accounts.users import AccountError, organisation_iri, organisation_titles

    store, model = app.extensions["ldr.registry"].store, app.extensions["ldr.registry"].model
    organisations = organisation_titles(store, model)
    with pytest.raises(AccountError, match="is not an organisation"):
        organisation_iri(model, f"{BASE}/id/exemplars/bops", organisations)
    for named in (
        "leeds-city-council",
        "Leeds-City-Council",
        "leeds city council",
        LEEDS,
        f"{BASE}/doc/organisations/leeds-city-council",
        f"{BASE}/doc/organisations/leeds-city-council.html",
    ):
        assert organisation_iri(model, named, organisations) == LEEDS, named


def test_the_invite_form_takes_the_organisation_as_the_publishing_form_does(admin):
    for n, named in enumerate(
        ("Leeds-City-Council", f"{BASE}/doc/organisations/leeds-city-council")
    ):
        answer = _invite(admin, username=f"lee{n}", organisation=named)
        assert answer.status_code == 200 and b'id="invitation-link"' in answer.data, answer.data[
            -3000:
        ]


def test_an_empty_box_is_named_as_empty_beside_it(admin):
    """Make a token with no user chosen, sign in or sign out elsewhere with no password: the page
    says what is missing and links to its box, rather than "no user called ''" or "not right"."""
    token = csrf(admin.get("/admin/accounts").data)
    answer = admin.post("/admin/tokens", data={"token_user": " ", "csrf_token": token})
    page = answer.data.decode()
    assert answer.status_code == 422 and "no user called" not in page
    assert _summary(page) == [
        (
            "#token_user",
            "Choose the user the token is for: type their user name, as in the list of users below",
        )
    ]
    assert 'id="token_user-error"' in page

    stranger = admin.application.test_client()
    token = csrf(stranger.get("/sign-in").data)
    for fields, where, said in [
        (
            {"username": "ada", "password": ""},
            "#password",
            "Enter your password: the password box is empty",
        ),
        ({"username": "", "password": PASSWORD}, "#username", "Enter your user name"),
    ]:
        answer = stranger.post("/sign-in", data={**fields, "csrf_token": token})
        page = answer.data.decode()
        assert answer.status_code == 422 and "not right" not in page
        assert _summary(page) == [(where, said)]
        assert f'id="{where[1:]}-error"' in page

    token = csrf(admin.get("/account/sessions").data)
    answer = admin.post("/account/sessions", data={"password": "", "csrf_token": token})
    page = answer.data.decode()
    assert answer.status_code == 422 and "not right" not in page
    assert _summary(page) == [("#password", "Enter your password: the password box is empty")]
