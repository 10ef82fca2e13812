"""The OpenAPI document is true to the app's routes: every route (and method) is in it, every
operation in it is a route, and the Allow header of a 405 or an OPTIONS lists exactly the
methods an address has. tests/test_contract.py drives the operations themselves."""

from __future__ import annotations

import re

import pytest

from registry.rdf.identifiers import REFERENCE_PATTERN
from tests.conftest import close_app, make_app

#: What a path parameter is filled with to make a concrete address
SAMPLES = {
    "register": "standards",
    "reference": "uprn",
    "suffix": ".ttl",
    "number": "1",
    "name": "x",
    "part": "ldr",
    "filename": "x.css",
    "draft_id": "x",
    "token_id": "x",
    "secret": "x",
}
#: /sparql is a WSGI app in front of Flask (api._with_sparql), so not in the url_map
SPARQL = {"/sparql": {"GET", "POST"}}
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "openapi", LDR_QUERY_TIMEOUT=5.0)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").json


def template(path: str) -> str:
    """A path with its parameters, Flask's <x> or OpenAPI's {x}, made anonymous: /doc/{}/{}."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def concrete(path: str) -> str:
    if (
        path == "/<name>"
    ):  # a register's page: the name must be a register's (as POST /<register> shares it)
        return "/standards"
    return re.sub(
        r"<(?:[^>:]+:)?([^>]+)>|\{([^}]+)\}", lambda m: SAMPLES[m.group(1) or m.group(2)], path
    )


def routes(app) -> dict[str, set[str]]:
    """Each route's path and the methods it has (HEAD and OPTIONS aside: every GET has HEAD,
    every address OPTIONS)."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.rule, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return {**found, **SPARQL}


def test_openapi_documents_the_write_api(document):
    assert document["openapi"].startswith("3.")
    assert (
        "post" in document["paths"]["/{register}"]
        and "put" in document["paths"]["/doc/{register}/{reference}"]
    )
    assert "422" in document["paths"]["/{register}"]["post"]["responses"]


def test_every_route_and_method_is_in_the_document(app, document):
    documented: dict[str, set[str]] = {}
    for path, item in document["paths"].items():
        documented.setdefault(template(path), set()).update(m.upper() for m in item)
    missing = [
        (path, sorted(methods - documented.get(template(path), set())))
        for path, methods in routes(app).items()
        if methods - documented.get(template(path), set())
    ]
    assert not missing, f"routes the OpenAPI document does not state: {missing}"


def test_every_operation_in_the_document_is_a_route(app, document):
    adapter = app.url_map.bind("localhost")
    for path, item in document["paths"].items():
        for method in item:
            url = concrete(path)
            if url in SPARQL:
                assert method.upper() in SPARQL[url]
                continue
            endpoint, _ = adapter.match(
                url, method=method.upper()
            )  # raises if there is no such route
            assert endpoint


def test_every_status_an_operation_states_is_a_number_with_a_description(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status) and response["description"], (
                    path,
                    method,
                    status,
                )
            if path.count("{reference}"):
                reference = next(p for p in operation["parameters"] if p["name"] == "reference")
                assert reference["schema"]["pattern"].startswith(REFERENCE_PATTERN.rstrip("$")), (
                    path,
                    method,
                )


def test_allow_headers_list_exactly_the_methods_each_address_has(app):
    """For every route: a method it does not have gets 405 with an Allow header; OPTIONS gets the
    same list; every method listed is really answered (not 405), every other one is 405."""
    client = app.test_client()
    for path in routes(app):
        url = concrete(path)
        refused = client.open(url, method="PATCH")  # no route has PATCH
        assert refused.status_code == 405, (url, refused.status_code)
        allow = {m.strip() for m in refused.headers.get("Allow", "").split(",") if m.strip()}
        assert allow, f"405 without Allow at {url}"
        options = client.open(url, method="OPTIONS")
        assert {m.strip() for m in options.headers.get("Allow", "").split(",")} == allow, url
        for method in METHODS:
            answer = client.open(url, method=method)
            if method in allow:
                assert answer.status_code != 405, (url, method, "listed in Allow but refused")
            else:
                assert answer.status_code == 405, (
                    url,
                    method,
                    answer.status_code,
                    "answered but not in Allow",
                )
                assert {m.strip() for m in answer.headers["Allow"].split(",")} == allow, (
                    url,
                    method,
                )
