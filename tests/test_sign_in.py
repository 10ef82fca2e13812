"""Sessions and signing in, to OWASP ASVS level 2 (issue 24, point 4): sessions kept and ended
on the server, `next` followed only to this site, failed sign-ins throttled without holding a
request thread, the same work and answer for unknown user names, and CSRF checks on every
state-changing request that carries the session cookie, whatever its content type.

Time is a fake clock given to the accounts (never a sleep), and no assertion is about how long
anything took."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import registry.accounts.users as accounts_module
from registry.accounts.users import Accounts, accounts_path
from registry.cli.commands import main
from tests.conftest import BASE, close_app, make_app
from tests.web import PASSWORD, add_users, csrf
from tests.web import sign_in as attempt

COOKIE = "ldr_session"  # with LDR_COOKIE_SECURE off; __Host-ldr_session when it is on
SITE = "http://localhost/sign-in"  # where the Flask test client's requests are made
HOSTILE = Path(__file__).parent / "hostile" / "next.txt"


class Clock:
    """A clock the test moves on by hand."""

    def __init__(self, now: float = 1_900_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "signin", LDR_COOKIE_SECURE=False)
    add_users(app)
    accounts = app.extensions["ldr.registry"].accounts
    accounts.clock = Clock()
    yield app
    close_app(app)


def signed_in_client(app, user: str = "amy"):
    client = app.test_client()
    response = attempt(client, user)
    assert response.status_code == 302, response.data[:500]
    return client


def is_signed_in(client) -> bool:
    page = client.get("/exemplars/new")
    assert page.status_code in (200, 302)
    return page.status_code == 200


def cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def replay(app, value: str):
    """A second browser holding a copy of a cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


# Sessions kept on the server


def test_a_session_cookie_copied_before_sign_out_is_worthless_after_it(app):
    client = signed_in_client(app)
    copied = cookie(client)
    assert is_signed_in(replay(app, copied))  # the copy works while the session lives
    out = client.post("/sign-out", data={"csrf_token": csrf(client.get("/").data)})
    assert out.status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(replay(app, copied))


def test_signing_in_issues_a_new_random_session_id_stored_only_as_a_hash(app):
    client = app.test_client()
    token = csrf(client.get("/sign-in").data)
    before = cookie(client)  # an id an attacker could have planted before sign-in
    client.post(
        "/sign-in", data={"username": "amy", "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    after = cookie(client)
    assert after != before and re.fullmatch(r"[A-Za-z0-9_-]{43}", after)  # 32 random bytes
    assert not is_signed_in(replay(app, before))  # no fixation
    assert is_signed_in(replay(app, after))
    page = client.get(
        "/doc/exemplars/bops", headers={"Accept": "text/html"}
    )  # a public page, but this answer shows who is signed in
    assert page.status_code == 200 and b"Signed in as amy" in page.data
    assert page.headers["Cache-Control"] == "private, no-store" and "Cookie" in page.headers["Vary"]
    path = accounts_path(app.config["LDR"])
    stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert after.encode() not in stored and before.encode() not in stored


def test_a_new_password_ends_every_session_of_that_user_and_only_theirs(app):
    phone, laptop, steward = (
        signed_in_client(app),
        signed_in_client(app),
        signed_in_client(app, "sam"),
    )
    result = CliRunner().invoke(
        main,
        [
            "user",
            "password",
            "--user",
            "amy",
            "--password-stdin",
            "--store",
            app.config["LDR"]["LDR_STORE_DIR"],
        ],
        input="a brand new long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "ended 2 sessions" in result.output
    assert not is_signed_in(phone) and not is_signed_in(laptop)
    assert is_signed_in(steward)
    assert attempt(app.test_client(), "amy").status_code == 401
    assert attempt(app.test_client(), "amy", "a brand new long password").status_code == 302


def test_a_user_sees_their_sessions_and_signs_out_everywhere_else_with_their_password(app, caplog):
    """ASVS 3.3.4: a user sees where they are signed in and ends every other session, having
    given their password again; this browser stays signed in, other users are untouched."""
    laptop, phone, steward = (
        signed_in_client(app),
        signed_in_client(app),
        signed_in_client(app, "sam"),
    )
    app.extensions["ldr.registry"].accounts.clock.now += 60
    page = laptop.get("/account/sessions")
    text = page.data.decode()
    assert page.status_code == 200 and text.count('class="govuk-table__row"><td') == 2, text[:3000]
    assert text.count("This browser") == 1 and "Your sessions" in laptop.get("/").data.decode()
    token = csrf(page.data)
    wrong = laptop.post(
        "/account/sessions", data={"password": "not my password", "csrf_token": token}
    )
    assert wrong.status_code == 401 and b"The password is not right" in wrong.data
    assert is_signed_in(phone)
    with caplog.at_level("INFO", logger="ldr.audit"):
        done = laptop.post("/account/sessions", data={"password": PASSWORD, "csrf_token": token})
    assert done.status_code == 200 and b"Signed out of 1 other session." in done.data
    assert done.data.decode().count('class="govuk-table__row"><td') == 1
    assert not is_signed_in(phone)
    assert is_signed_in(laptop) and is_signed_in(steward)
    assert any("sign-out elsewhere by amy" in r.getMessage() for r in caplog.records)
    assert (
        app.test_client().get("/account/sessions").status_code == 302
    )  # signed out: to the sign-in page


def test_a_session_ends_after_its_idle_timeout_and_after_its_lifetime(app):
    clock = app.extensions["ldr.registry"].accounts.clock
    client = signed_in_client(app)
    clock.now += 1700
    assert is_signed_in(client)  # used within the idle timeout (1800 s): kept alive
    clock.now += 1700
    assert is_signed_in(client)
    clock.now += 1801
    assert not is_signed_in(client)

    client = signed_in_client(app)
    for _ in range(43):  # busy all along, but 12 hours after signing in it ends
        clock.now += 1000
        assert is_signed_in(client)
    clock.now += 200
    assert not is_signed_in(client)


# `next`: only a path on this site


def browser_resolves(location: str, base: str = SITE) -> str:
    """Where a browser goes for a Location header: it strips C0 controls and spaces from the
    ends, drops tabs and newlines, reads backslashes as slashes (in http URLs), then resolves."""
    location = location.strip("".join(map(chr, range(0x21)))).translate(
        str.maketrans("", "", "\t\r\n")
    )
    return urljoin(base, location.replace("\\", "/"))


def assert_stays_on_site(response, target: str) -> None:
    assert response.status_code == 302, (target, response.status_code)
    location = response.headers["Location"]
    assert all(0x20 < ord(c) < 0x7F for c in location), (
        target,
        location,
    )  # plain ASCII, nothing to strip
    where = urlsplit(browser_resolves(location))
    assert (where.scheme, where.netloc) == ("http", "localhost"), (target, location)


def hostile_targets() -> list[str]:
    escapes = {"t": "\t", "r": "\r", "n": "\n", "\\": "\\", "s": " "}

    def decode(line: str) -> str:
        return re.sub(
            r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[trns\\])",
            lambda m: escapes.get(m.group(1)) or chr(int(m.group(1)[1:], 16)),
            line,
        )

    lines = HOSTILE.read_text(encoding="utf-8").splitlines()
    return [decode(line) for line in lines if line and not line.startswith("#")]


def test_the_hostile_corpus_is_read_as_written():
    targets = hostile_targets()
    assert len(targets) > 60
    assert (
        "/\t/evil.example" in targets
        and "/\\evil.example" in targets
        and "\x00javascript:alert(1)" in targets
    )


def test_next_from_the_hostile_corpus_stays_on_this_site(app):
    client = app.test_client()
    token = csrf(client.get("/sign-in").data)
    for target in hostile_targets():
        response = client.post(
            "/sign-in",
            data={"username": "amy", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert_stays_on_site(response, target)
        token = csrf(client.get("/sign-in").data)  # a new session each time: a new token


def test_a_path_on_this_site_is_followed_as_it_was_given(app):
    client = app.test_client()
    for target, location in [
        ("/exemplars/new", "/exemplars/new"),
        ("/search?q=bins&page=2#results", None),
        ("/doc/standards/uprn", None),
        ("/search?q=café", "/search?q=caf%C3%A9"),
    ]:
        response = attempt(client, "amy", next=target)
        assert response.headers["Location"] == (location or target)


#: What a hostile `next` is made of: slashes and what browsers strip weigh most, then hosts, schemes
#: and look-alikes.
SEPARATORS = st.sampled_from(
    ["/", "/", "/", "\\", "\\", "\t", "\n", "\r", " ", "\x00", "\x1f", "%2F", "%5C", "%09"]
)
OTHERS = st.sampled_from(
    [
        ":",
        ".",
        "@",
        "%",
        "?",
        "#",
        "evil.example",
        "localhost",
        "http:",
        "https:",
        "javascript:",
        "\u2215",
        "\uff0f",
        "\u2044",
        "\u3002",
        "\u00a0",
        "\u200b",
        "é",
        "a",
    ]
)
NEXT_VALUES = st.one_of(
    st.tuples(
        st.lists(SEPARATORS, max_size=5), st.lists(st.one_of(SEPARATORS, OTHERS), max_size=6)
    ).map(lambda parts: "".join(parts[0] + parts[1])),
    st.text(max_size=30),
    st.lists(st.one_of(SEPARATORS, OTHERS), min_size=1, max_size=3).map(
        lambda parts: "".join(parts) * 2000
    ),
)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(target=NEXT_VALUES)
def test_any_next_leaves_the_browser_on_this_site(app, target):
    client = app.test_client()
    assert_stays_on_site(attempt(client, "amy", next=target), target)


# Throttling: at once, never a sleep in a request thread


@pytest.fixture
def no_sleeping(monkeypatch):
    """Records every time.sleep in this (the request's) thread; the test asserts there were none."""
    slept, caller, real = [], threading.current_thread(), time.sleep

    def sleep(seconds):
        if threading.current_thread() is caller:
            slept.append(seconds)
        return real(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    return slept


def test_failed_sign_ins_lock_the_user_name_at_once_with_429_saying_what_to_do(app, no_sleeping):
    clock = app.extensions["ldr.registry"].accounts.clock
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "amy", "not the password").status_code == 401
    locked = attempt(client, "amy")  # even the right password: the lock is decided first
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "900"
    assert locked.mimetype == "text/html"
    page = locked.get_data(as_text=True)
    assert "Wait 15 minutes" in page and "ldr user unlock amy" in page
    assert attempt(app.test_client(), "sam").status_code == 302  # other names are not locked
    clock.now += 600
    assert attempt(client, "amy").status_code == 429
    assert attempt(client, "amy").headers["Retry-After"] == "300"
    clock.now += 301
    assert attempt(client, "amy").status_code == 302
    assert no_sleeping == []


def test_a_lock_holds_across_processes_until_ldr_user_unlock_lifts_it(app):
    client = app.test_client()
    for _ in range(5):
        attempt(client, "amy", "not the password")
    other = Accounts(
        accounts_path(app.config["LDR"]), clock=app.extensions["ldr.registry"].accounts.clock
    )
    try:  # another web process, reading the same accounts file
        with pytest.raises(accounts_module.SignInLocked):
            other.sign_in("amy", PASSWORD, "192.0.2.7")
    finally:
        other.close()
    result = CliRunner().invoke(
        main, ["user", "unlock", "amy", "--store", app.config["LDR"]["LDR_STORE_DIR"]]
    )
    assert result.exit_code == 0 and "Unlocked user name amy" in result.output, result.output
    assert attempt(client, "amy").status_code == 302


def test_one_address_trying_many_names_is_refused_and_other_addresses_are_not(app, no_sleeping):
    client = app.test_client()
    for n in range(20):  # LDR_SIGN_IN_ADDRESS_LIMIT, each name well under its own limit
        assert attempt(client, f"guess{n % 7}", "not the password").status_code == 401
    refused = attempt(client, "amy")
    assert refused.status_code == 429 and "network address" in refused.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert attempt(elsewhere, "amy").status_code == 302
    result = CliRunner().invoke(
        main,
        ["user", "unlock", "--address", "127.0.0.1", "--store", app.config["LDR"]["LDR_STORE_DIR"]],
    )
    assert result.exit_code == 0, result.output
    assert attempt(client, "amy").status_code == 302
    assert no_sleeping == []


def test_ipv6_clients_are_counted_by_their_64_bit_prefix(app):
    def client_at(address):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    for n in range(20):  # one client using many addresses of its /64
        assert (
            attempt(client_at(f"2001:db8:1:2::{n + 1:x}"), f"guess{n % 7}", "wrong").status_code
            == 401
        )
    refused = attempt(client_at("2001:db8:1:2:ffff::9"), "amy")
    assert (
        refused.status_code == 429
        and "ldr user unlock --address 2001:db8:1:2::/64" in refused.get_data(as_text=True)
    )
    assert (
        attempt(client_at("2001:db8:1:3::1"), "amy").status_code == 302
    )  # the next /64 is someone else


# Unknown user names: the same work, the same answer


def answer(response) -> tuple[int, str]:
    text = response.get_data(as_text=True)
    return response.status_code, re.sub(r'nonce="[^"]*"', "", text)


def test_an_unknown_user_name_gets_the_same_work_and_the_same_answer(app, monkeypatch, no_sleeping):
    checked = []
    real = accounts_module._check_password
    monkeypatch.setattr(
        accounts_module,
        "_check_password",
        lambda stored, password: checked.append(stored) or real(stored, password),
    )
    client = app.test_client()
    known = attempt(client, "amy", "not the password")
    unknown = attempt(client, "nobody", "not the password")
    assert len(checked) == 2  # a hash is checked for the unknown name too
    # made the same way: the same algorithm, version and costs (all but the salt and digest)
    assert checked[1] != checked[0] and checked[1].split("$")[:4] == checked[0].split("$")[:4]
    assert answer(known) == answer(unknown)
    for _ in range(4):
        attempt(client, "amy", "not the password")
        attempt(client, "nobody", "not the password")
    assert len(checked) == 10
    known, unknown = (
        attempt(client, "amy"),
        attempt(client, "nobody"),
    )  # both locked, neither checked
    assert len(checked) == 10
    assert known.status_code == unknown.status_code == 429
    assert answer(known)[1].replace("amy", "NAME") == answer(unknown)[1].replace("nobody", "NAME")
    assert no_sleeping == []


# CSRF: every state-changing request with the session cookie, whatever its content type


def drafts(app) -> int:
    with sqlite3.connect(accounts_path(app.config["LDR"])) as db:
        return db.execute("SELECT count(*) FROM drafts").fetchone()[0]


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", '{"title": "x", "action": "continue"}'),
        ("text/plain", "title=x&action=continue"),
    ],
)
def test_a_cross_site_post_of_any_content_type_with_the_session_cookie_is_refused(
    app, content_type, body
):
    client = signed_in_client(app)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},
        {},
    ):
        for path in ("/sign-out", "/exemplars/new", "/review/exemplars/bops"):
            response = client.post(path, data=body, content_type=content_type, headers=headers)
            assert response.status_code == 403, (path, headers, response.status_code)
            assert response.json["title"] == "Cross-site request refused"
        response = client.delete("/tokens/abc", headers=headers)
        assert response.status_code == 403
    assert is_signed_in(client) and drafts(app) == 0
    same = client.post(
        "/sign-out", data=body, content_type=content_type, headers={"Origin": "http://localhost"}
    )
    assert same.status_code == 302 and not is_signed_in(client)
    client = signed_in_client(app)
    same = client.post(
        "/sign-out", data=body, content_type=content_type, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 302 and not is_signed_in(client)


def test_a_write_with_the_session_cookie_from_another_site_writes_nothing(app):
    from tests.test_registration import exemplar

    token = app.extensions["ldr.registry"].accounts.create_token(
        "amy", f"{BASE}/id/organisations/leeds-city-council", "publisher"
    )[1]
    client = signed_in_client(app)  # the cookie goes with every request, whatever else it carries
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post(
        "/exemplars",
        data=exemplar(),
        content_type="text/turtle",
        headers={**headers, "Origin": "https://evil.example"},
    )
    assert refused.status_code == 403
    assert client.get("/doc/exemplars/damp-and-mould-reporting.ttl").status_code == 404
    done = client.post(
        "/exemplars",
        data=exemplar(),
        content_type="text/turtle",
        headers={**headers, "Sec-Fetch-Site": "same-origin"},
    )
    assert done.status_code == 201, done.json
    assert client.get("/doc/exemplars/damp-and-mould-reporting.ttl").status_code == 200


def test_a_form_from_another_site_is_refused_even_with_a_token(app):
    client = signed_in_client(app)
    token = csrf(client.get("/").data)
    refused = client.post(
        "/sign-out", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403 and is_signed_in(client)
    assert client.post(
        "/sign-out", data={"csrf_token": "forged"}
    ).status_code == 400 and is_signed_in(client)


def test_api_calls_with_a_bearer_token_and_no_cookie_are_not_checked(app):
    client = app.test_client()
    response = client.post(
        "/exemplars",
        data="<a> <b> <c> .",
        content_type="text/turtle",
        headers={"Authorization": "Bearer ldr_nope_nope", "Origin": "https://evil.example"},
    )
    assert response.status_code == 401  # its own answer, not a CSRF refusal


def test_passwords_are_kept_as_argon2id_and_an_older_scrypt_hash_is_replaced_at_sign_in(tmp_path):
    """A password is stored as an Argon2id hash. A user whose hash an earlier version made
    (Werkzeug's scrypt) still signs in with their password, a wrong one is still refused, and
    the first sign-in replaces the old hash with an Argon2id one."""
    from werkzeug.security import generate_password_hash  # what the earlier version stored

    accounts = Accounts(tmp_path / "accounts.sqlite")
    try:
        accounts.create_user(
            "amy", f"{BASE}/id/organisations/leeds-city-council", "publisher", PASSWORD
        )
        with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
            stored = db.execute(
                "SELECT password_hash FROM users WHERE username = 'amy'"
            ).fetchone()[0]
            assert stored.startswith("$argon2id$") and PASSWORD not in stored
            db.execute(
                "UPDATE users SET password_hash = ? WHERE username = 'amy'",
                (generate_password_hash(PASSWORD),),
            )
        assert accounts.sign_in("amy", "not the password") is None
        assert accounts.sign_in("amy", PASSWORD).username == "amy"
        with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
            replaced = db.execute(
                "SELECT password_hash FROM users WHERE username = 'amy'"
            ).fetchone()[0]
        assert replaced.startswith("$argon2id$")
        assert accounts.sign_in("amy", PASSWORD).username == "amy"
        assert accounts.sign_in("amy", "not the password") is None
    finally:
        accounts.close()


def test_the_page_header_names_the_role_in_words(app):
    """ "Signed in as ada (administrator)", as the accounts page names the role, not its code."""
    app.extensions["ldr.registry"].accounts.create_user(
        "ada", f"{BASE}/id/organisations/government-digital-service", "admin", PASSWORD
    )
    client = app.test_client()
    assert attempt(client, "ada").status_code == 302
    header = client.get("/exemplars", headers={"Accept": "text/html"}).data.decode()
    assert "Signed in as ada (administrator)" in header and "(admin)" not in header
