"""Every request that was a server error (issue 24, point 5) gets a specific 4xx or a 503 now:
the hostile corpus in tests/hostile/server-errors, and the causes found by hand that need more
than one request (a signed-in form, a redirect, a SPARQL server that breaks off)."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from registry.store.base import StoreError
from registry.store.remote import RemoteStore
from tests.conftest import BASE, close_app, make_app
from tests.web import PASSWORD, csrf, sign_in

CORPUS = Path(__file__).parent / "hostile" / "server-errors"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "server-errors", LDR_COOKIE_SECURE=False)
    accounts = app.extensions["ldr.registry"].accounts
    accounts.create_user(
        "amy", f"{BASE}/id/organisations/leeds-city-council", "publisher", PASSWORD
    )
    accounts.create_user(
        "sam", f"{BASE}/id/organisations/government-digital-service", "steward", PASSWORD
    )
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def steward(app):
    return app.extensions["ldr.registry"].accounts.create_token(
        "corpus-steward", f"{BASE}/id/organisations/government-digital-service", "steward"
    )[1]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_hostile_corpus_of_server_errors(app, steward, case):
    body = (
        (CORPUS / case["body"]).read_bytes() if case.get("body") else case.get("text", "").encode()
    )
    wanted = case["status"] if isinstance(case["status"], list) else [case["status"]]
    for headers in ({}, {"Authorization": f"Bearer {steward}"}):
        response = app.test_client().open(
            case["path"],
            method=case["method"],
            data=body or None,
            content_type=case.get("content_type"),
            headers=headers,
        )
        # anonymous writes may stop at authentication; every other answer is the one wanted
        allowed = wanted + ([401] if not headers and case.get("needs_token") else [])
        assert response.status_code in allowed, (
            case["name"],
            headers.keys(),
            response.status_code,
            response.get_data(as_text=True)[:300],
        )
        if case.get("detail") and response.status_code in wanted:
            assert response.mimetype == "application/problem+json"
            assert case["detail"] in response.json["detail"], response.json


def signed_in(app, user: str = "amy"):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client, csrf(client.get("/exemplars/new").data)  # signing in starts a new session


def test_form_number_fields_that_are_not_numbers_are_a_400_naming_the_field(app):
    steward, steward_token = signed_in(app, "sam")  # who may edit the starter record
    edit = steward.post(
        "/doc/exemplars/bops/edit",
        data={"csrf_token": steward_token, "title": "BOPS", "record-version": "two"},
    )
    assert (
        edit.status_code == 400
        and "`record-version`" in edit.json["detail"]
        and "whole number" in edit.json["detail"]
    )
    client, token = signed_in(app)
    for value in ("lots", "-1", "1e9", "٣", "9" * 5000):
        new = client.post(
            "/exemplars/new",
            data={"csrf_token": token, "action": "add", "title": "X", "contact-count": value},
        )
        assert new.status_code == 400 and "`contact-count`" in new.json["detail"], (
            value,
            new.status_code,
        )
    # the form's own values still work: a group is added
    added = client.post(
        "/exemplars/new",
        data={"csrf_token": token, "action": "add:funding", "title": "X", "funding-count": "1"},
    )
    assert added.status_code == 200 and b'name="funding-count" value="2"' in added.data
    # a browser that sent it gets a page in words with the way back to the form, not JSON
    page = client.post(
        "/exemplars/new",
        headers={"Accept": "text/html"},
        data={"csrf_token": token, "action": "continue", "title": "X", "funding-count": "abc"},
    )
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert b"Not a whole number" in page.data and b'href="/exemplars/new"' in page.data


def test_newlines_in_redirect_targets_never_reach_a_location_header(app):
    client, token = signed_in(app)
    client.post("/sign-out", data={"csrf_token": token})
    token = csrf(client.get("/sign-in").data)
    for target in ("/\r\nSet-Cookie: evil=1", "/ok\nX: y", "/\x7f"):
        response = client.post(
            "/sign-in",
            data={"username": "amy", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        location = response.headers["Location"]
        # the browser's rules drop the newlines; what is left stays a path here, percent-encoded
        assert response.status_code == 302 and not any(c in location for c in "\r\n\x7f"), location
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil" not in response.headers.get("Set-Cookie", "")
        token = csrf(client.get("/sign-in").data)
    # an identifier whose reference holds a newline: refused, or redirected with it escaped
    for path in ("/id/standards/a%0D%0ASet-Cookie:%20evil=1", "/id/standards/a%0Ab"):
        response = client.get(path)
        assert response.status_code in (303, 400, 404), response.status_code
        assert "\n" not in response.headers.get(
            "Location", ""
        ) and "\r" not in response.headers.get("Location", "")
        assert "evil" not in response.headers.get("Set-Cookie", "")


class BreaksOff:
    """A 'SPARQL server' on 127.0.0.1 that promises a long answer and stops half-way through it,
    as a server that dies mid-stream does."""

    def __init__(self, body: bytes, promised: int | None = None, chunked: bool = False):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/query"
        self.body, self.promised, self.chunked = body, promised, chunked
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                if self.chunked:
                    conn.sendall(
                        head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % 4096 + self.body
                    )
                else:
                    length = self.promised if self.promised is not None else len(self.body)
                    conn.sendall(head + b"Content-Length: %d\r\n\r\n" % length + self.body)

    def close(self):
        self.sock.close()


@pytest.mark.parametrize(
    "server",
    [
        dict(body=b'{"head": {"vars": ["s"]}, "results": {"bindings": [', promised=100_000),
        dict(body=b'{"head": {"vars": ["s"]}, "results": {"bind', chunked=True),
        dict(body=b"<html>a proxy error page</html>"),
        dict(body=b"[1, 2, 3]"),
        dict(body=b'{"results": "none"}'),
    ],
    ids=["cut-short", "chunk-cut-short", "not-json", "json-not-results", "results-not-an-object"],
)
def test_a_sparql_server_that_breaks_off_is_a_store_error_not_a_crash(server):
    fake = BreaksOff(**server)
    try:
        store = RemoteStore(fake.url, fake.url, timeout=5)
        for call in (lambda: store.select("SELECT * { ?s ?p ?o }"), lambda: store.ask("ASK {}")):
            with pytest.raises(StoreError) as raised:
                call()
            assert raised.value.unavailable
    finally:
        fake.close()


def test_pages_over_a_sparql_server_that_breaks_off_are_503_problems(app):
    fake = BreaksOff(b'{"head": {"vars": ["s"]}, "results": {"bindings": [', promised=100_000)
    real = app.extensions["ldr.registry"].store
    app.extensions["ldr.registry"].store = RemoteStore(fake.url, fake.url, timeout=5)
    try:
        client = app.test_client()
        for path in ("/doc/standards/uprn", "/doc/standards/uprn/versions", "/health"):
            response = client.get(path, headers={"Accept": "application/ld+json"})
            assert response.status_code == 503, (path, response.status_code)
            assert response.mimetype == "application/problem+json"
    finally:
        app.extensions["ldr.registry"].store = real
        fake.close()


def test_a_token_request_that_is_not_a_json_object_is_a_400(app):
    admin = app.extensions["ldr.registry"].accounts.create_token(
        "corpus-admin", f"{BASE}/id/organisations/government-digital-service", "admin"
    )[1]
    for body in (b'["bea"]', b"null", b"7", b'"x"', b"{", b""):
        response = app.test_client().post(
            "/tokens",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert response.status_code == 400 and "JSON object" in response.json["detail"], (
            body,
            response.status_code,
        )


def test_a_check_url_that_urllib_refuses_is_a_422_not_a_500(tmp_path_factory, starter_store_dir):
    # allowed prefixes on 127.0.0.1 only; each address fails before or at connecting
    app = make_app(
        tmp_path_factory, starter_store_dir, "check-url", LDR_CHECK_URL_PREFIXES="http://127.0.0.1:"
    )
    try:
        for url in (
            "http://127.0.0.1:1/a\nb",
            "http://127.0.0.1:99999/x",
            "http://127.0.0.1:1/a b\r\nHost: x",
        ):
            response = app.test_client().post(
                "/doc/standards/ocds/check", query_string={"url": url}
            )
            assert response.status_code == 422 and "Could not read" in response.json["detail"], (
                url,
                response.status_code,
            )
    finally:
        close_app(app)
