"""Hostile input: security headers, the CSP nonce, rate limiting, XML entities, remote JSON-LD
contexts, deep nesting and long literals — each answered clearly, nothing fetched, no 500."""

from __future__ import annotations

import http.server
import re
import threading

import pytest

from registry.rdf.namespaces import VOCABULARY
from registry.runtime.rate_limit import RateLimiter
from tests.conftest import BASE, close_app, make_app
from tests.test_registration import auth


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "security", LDR_RATE_LIMIT=30)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def token(app):
    return app.extensions["ldr.registry"].accounts.create_token(
        "sec", f"{BASE}/id/organisations/leeds-city-council", "publisher"
    )[1]


class Listener:
    """A local HTTP server that counts the requests it gets: proof that nothing was fetched."""

    def __init__(self):
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.end_headers()
                self.wfile.write(b'{"@context": {"title": "http://purl.org/dc/terms/title"}}')

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doc/standards/uprn",
        "/doc/standards/uprn.ttl",
        "/standards.json",
        "/no/such/page",
        "/sign-in",
    ],
)
def test_every_response_carries_the_security_headers(app, path):
    response = app.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored


def test_the_one_inline_script_carries_the_nonce_of_its_own_response(app):
    client = app.test_client()
    first, second = client.get("/"), client.get("/")
    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        inline = re.findall(
            r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)([^>]*)>", response.data.decode()
        )
        assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_hsts_is_sent_over_https(app):
    response = app.test_client().get("/", base_url="https://registry.example.gov.uk")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_client_over_the_query_limit_gets_429_and_others_do_not(app):
    client = app.test_client()
    greedy = {"REMOTE_ADDR": "192.0.2.1"}
    answers = [
        client.get("/sparql?query=ASK%7B%7D", environ_base=greedy).status_code for _ in range(35)
    ]
    assert answers[:30] == [200] * 30 and 429 in answers[30:]
    limited = client.get("/sparql?query=ASK%7B%7D", environ_base=greedy)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "LDR_RATE_LIMIT" in limited.json["detail"]
    assert client.get("/queries/standards-that-apply.json", environ_base=greedy).status_code == 429
    assert (
        client.get("/doc/standards/uprn", environ_base=greedy).status_code == 200
    )  # pages are not limited
    other = client.get("/sparql?query=ASK%7B%7D", environ_base={"REMOTE_ADDR": "192.0.2.2"})
    assert other.status_code == 200


def test_the_bucket_refills_with_time():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.take("a") == 0 for _ in range(60))
    assert limiter.take("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.take("a") == 0 and limiter.take("a") > 0
    assert RateLimiter(0).take("a") == 0  # 0 turns it off


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "haha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcterms="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="{base}/id/exemplars/laughs"><dcterms:title>&i;</dcterms:title></rdf:Description>
</rdf:RDF>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{target}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcterms="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="{base}/id/exemplars/external"><dcterms:title>&secret;</dcterms:title></rdf:Description>
</rdf:RDF>"""


def test_rdf_xml_entities_are_neither_expanded_nor_fetched(app, token):
    client, listener = app.test_client(), Listener()
    try:
        laughs = client.post(
            "/exemplars",
            data=BILLION_LAUGHS.format(base=BASE),
            content_type="application/rdf+xml",
            headers=auth(token),
        )
        assert laughs.status_code in (400, 422), laughs.data[:300]
        assert b"haha" * 100 not in laughs.data
        for target in (listener.url + "/entity", "file:///etc/passwd"):
            answer = client.post(
                "/exemplars",
                data=EXTERNAL.format(base=BASE, target=target),
                content_type="application/rdf+xml",
                headers=auth(token),
            )
            assert answer.status_code in (400, 422), answer.data[:300]
            assert b"root:" not in answer.data
        checked = client.post(
            "/doc/standards/uprn/check",
            data=EXTERNAL.format(base=BASE, target=listener.url),
            content_type="application/rdf+xml",
        )
        assert checked.status_code < 500
    finally:
        listener.close()
    assert listener.requests == 0


def test_a_remote_json_ld_context_is_never_fetched(app, token):
    client, listener = app.test_client(), Listener()
    try:
        body = (
            '{"@context": "%s/context.jsonld", "@id": "%s/id/exemplars/remote-context", "title": "Remote"}'
            % (listener.url, BASE)
        )
        answer = client.post(
            "/exemplars", data=body, content_type="application/ld+json", headers=auth(token)
        )
        assert (
            answer.status_code in (400, 422) and "context" in answer.get_data(as_text=True).lower()
        )
        nested = '{"@context": [{"@import": "%s/c"}], "@id": "%s/id/exemplars/x"}' % (
            listener.url,
            BASE,
        )
        assert client.post(
            "/exemplars", data=nested, content_type="application/ld+json", headers=auth(token)
        ).status_code in (400, 422)
    finally:
        listener.close()
    assert listener.requests == 0


def test_deep_nesting_and_long_literals_are_answered_not_crashed(app, token):
    client = app.test_client()
    deep = "[" * 200_000 + "]" * 200_000
    answer = client.post(
        "/exemplars", data=deep, content_type="application/ld+json", headers=auth(token)
    )
    assert 400 <= answer.status_code < 500
    deep_object = '{"@id": "x", "http://e/p": ' * 50_000 + "1" + "}" * 50_000
    assert (
        400
        <= client.post(
            "/exemplars", data=deep_object, content_type="application/ld+json", headers=auth(token)
        ).status_code
        < 500
    )
    long_title = "x" * 3_000_000
    body = (
        f"<{BASE}/id/exemplars/long> a <{VOCABULARY}ldr#Exemplar> ; "
        f'<http://purl.org/dc/terms/title> "{long_title}"@en .'
    )
    answer = client.post("/exemplars", data=body, content_type="text/turtle", headers=auth(token))
    assert (
        400 <= answer.status_code < 500 and len(answer.data) < 100_000
    )  # refused, and not echoed back


def test_an_unexpected_error_is_a_problem_document_without_a_trace(
    tmp_path_factory, starter_store_dir
):
    app = make_app(tmp_path_factory, starter_store_dir, "unexpected")
    try:

        @app.get("/boom")
        def boom():
            raise RuntimeError("secret internals")

        response = app.test_client().get("/boom")
        assert response.status_code == 500 and response.mimetype == "application/problem+json"
        assert response.json["title"] == "Internal server error"
        assert "secret internals" not in response.get_data(
            as_text=True
        ) and "Traceback" not in response.get_data(as_text=True)
    finally:
        close_app(app)
