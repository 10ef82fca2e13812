"""No value from a request reaches a query as text (issue 24, point 1).

A record reference from the URL path used to be pasted into about a dozen internal SPARQL
queries: a reference that closed the IRI and opened thousands of nested groups overflowed the
query parser's stack and killed the web process, and smaller ones ran unbounded queries in it.
Now every register name, reference and version number in a path is checked before any store
access (registry.rdf.identifiers, one definition), and every IRI an internal query is built with
goes through one function that refuses what could end it. These tests send hostile values to
every route that takes one, found from the app's own URL map so a new route is covered."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.rdf import identifiers
from registry.rdf.identifiers import BadTerm, is_reference, sparql_iri, sparql_literal
from registry.records import versions
from tests.conftest import BASE, close_app, make_app

HOSTILE_FILE = Path(__file__).parent / "hostile" / "references.txt"
EXAMPLES = int(os.environ.get("LDR_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
VALID = {"register": "standards", "reference": "uprn", "number": "1"}
CHECKED = set(VALID)  # the path parts the registry checks (api._checked_path_values)


def hostile_references() -> list[str]:
    """tests/hostile/references.txt, its escapes decoded and its {{N*text}} repeats expanded."""
    found = []
    for line in HOSTILE_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("# ") or line == "#":
            continue
        line = re.sub(r"\{\{(\d+)\*(.*?)\}\}", lambda m: m.group(2) * int(m.group(1)), line)
        found.append(line.encode("ascii", "backslashreplace").decode("unicode_escape"))
    return found


HOSTILE = hostile_references()


def test_the_hostile_corpus_holds_no_valid_reference():
    assert len(HOSTILE) > 50
    assert [h for h in HOSTILE if is_reference(h)] == []
    assert any(
        len(h) >= 20000 and h.count("{") >= 20000 for h in HOSTILE
    )  # the original killer is in it


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    app = make_app(
        tmp_path_factory, starter_store_dir, "references", LDR_RATE_LIMIT=0, LDR_QUERY_TIMEOUT=5.0
    )
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def token(app):
    return app.extensions["ldr.registry"].accounts.create_token(
        "refs", f"{BASE}/id/organisations/leeds-city-council", "steward"
    )[1]


def routes_taking(app, part: str) -> list[tuple[str, str]]:
    """(method, URL template with {part} and the other parts filled in validly) for every route
    in the URL map whose path has `part`."""
    found = []
    for rule in app.url_map.iter_rules():
        if part not in rule.arguments:
            continue
        assert rule.arguments <= CHECKED | {
            "suffix",
            "name",
            "filename",
            "part",
            "path",
            "draft_id",
            "token_id",
        }, f"{rule.rule} takes {rule.arguments - CHECKED}: check it in api._checked_path_values"
        template = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: "{" + m.group(1) + "}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, template))
    return found


@contextmanager
def spying(store):
    """The names of the store's methods called meanwhile (reads and writes)."""
    calls: list[str] = []
    names = ("select", "select_text", "ask", "construct", "update", "replace_graphs")
    saved = {name: store.__dict__.get(name) for name in names}

    def wrap(name, original):
        def spied(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        return spied

    for name in names:
        setattr(store, name, wrap(name, getattr(store, name)))
    try:
        yield calls
    finally:
        for name, before in saved.items():
            if before is None:
                del store.__dict__[name]
            else:
                setattr(store, name, before)


def send(app, method: str, template: str, part: str, value: str, token: str):
    """The response, and whether the request reached the route meant with `value` as its
    `part` (a value with a slash, or an empty one, reaches another route or none)."""
    values = {**VALID, part: quote(value, safe="")}
    path = template.format(**{k: v for k, v in values.items() if "{" + k + "}" in template})
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    body = {"data": b"{}", "content_type": "application/json"} if method in ("POST", "PUT") else {}
    try:
        rule, args = app.url_map.bind("localhost").match(unquote(path), method, return_rule=True)
        meant = (
            re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: "{" + m.group(1) + "}", rule.rule)
            == template
            and args.get(part) == value
        )
    except Exception:  # noqa: BLE001 - no route, a redirect, another method: not the route meant
        meant = False
    with spying(app.extensions["ldr.registry"].store) as calls:
        response = app.test_client().open(path, method=method, headers=headers, **body)
    return response, meant, calls


def valid(part: str, value: str) -> bool:
    from registry.rdf.namespaces import REGISTERS

    return {
        "reference": is_reference,
        "register": lambda v: v in REGISTERS,
        "number": lambda v: v.isascii() and v.isdigit() and 0 < len(v) < 10 and int(v) > 0,
    }[part](value)


def check(app, method: str, template: str, part: str, value: str, token: str) -> None:
    response, meant, calls = send(app, method, template, part, value, token)
    where = f"{method} {template} with {part}={value[:80]!r}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.data[:300]!r}"
    if meant and not valid(part, value):
        assert response.status_code in (400, 404), (
            f"{where}: {response.status_code} {response.data[:300]!r}"
        )
        assert calls == [], f"{where}: the store was asked ({calls}) before the value was checked"
        if response.mimetype == "application/problem+json":
            detail = response.json["detail"]
            assert {
                "reference": "lowercase letters",
                "register": "registers are",
                "number": "numbered",
            }[part] in detail, detail


def test_every_route_with_a_reference_is_found(app):
    """The enumeration reaches the routes the issue named, so a property test over it means something."""
    templates = {t for _, t in routes_taking(app, "reference")}
    for expected in (
        "/doc/{register}/{reference}",
        "/id/{register}/{reference}",
        "/doc/{register}/{reference}/versions",
        "/doc/{register}/{reference}/version/{number}",
        "/doc/{register}/{reference}/compare",
        "/doc/{register}/{reference}/status",
        "/doc/standards/{reference}/check",
        "/doc/{register}/{reference}/edit",
        "/review/{register}/{reference}",
    ):
        assert expected in templates


@pytest.mark.parametrize("part", ["reference", "register", "number"])
def test_hostile_values_from_the_corpus_get_404_or_400_without_touching_the_store(app, token, part):
    routes = routes_taking(app, part)
    assert routes
    for value in HOSTILE:
        for method, template in routes:
            check(app, method, template, part, value, token)
    client = app.test_client()
    assert client.get("/health").status_code == 200
    assert client.get("/doc/standards/uprn.ttl").status_code == 200


REFERENCES = st.one_of(
    st.text(max_size=300),
    st.text(
        alphabet=st.sampled_from(
            list("abz09-_.>{}<\"#?%/\\ \n\t\x00^|`'~") + ["\u202e", "\u200b", "р"]
        ),
        max_size=120,
    ),
    st.builds(
        lambda head, n, tail: head + "{" * n + tail,
        st.sampled_from(["x>", "uprn> ", "", ">"]),
        st.integers(0, 30000),
        st.text(max_size=10),
    ),
    st.integers(1, 25000).map(lambda n: "a" * n),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
)


@FUZZ
@given(value=REFERENCES)
def test_any_reference_to_any_route_is_a_clear_4xx_or_an_answer_never_500(app, token, value):
    for method, template in routes_taking(app, "reference"):
        check(app, method, template, "reference", value, token)
    assert app.test_client().get("/health").status_code == 200


@FUZZ
@given(value=st.one_of(st.text(max_size=60), st.integers(-5, 10**12).map(str)))
def test_any_register_or_version_number_is_a_clear_4xx_or_an_answer(app, token, value):
    for part in ("register", "number"):
        for method, template in routes_taking(app, part):
            check(app, method, template, part, value, token)


def test_the_original_killer_reference_leaves_a_real_server_answering(store_dir):
    """A real `ldr serve`: the reference that closed the IRI and opened 20,000 groups killed the
    worker and granian shut down; now it gets 404 and /health still answers."""
    from tests.server import Server

    server = Server(store_dir)
    try:
        killer = "x%3E%20" + "{" * 20000  # as sent: the braces raw (20 KB), the > and space escaped
        # /versions first: on the old code it killed the worker (granian then shut down)
        for path in (
            f"/doc/standards/{killer}/versions",
            f"/doc/standards/{killer}",
            f"/id/standards/{killer}",
            f"/doc/standards/{killer}/check",
            f"/doc/standards/{killer}/compare?from=1&to=2",
        ):
            try:
                with urllib.request.urlopen(server.url + path, timeout=60) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            assert status in (400, 404, 414, 431), (path[:60], status)
        with urllib.request.urlopen(server.url + "/health", timeout=30) as health:
            assert health.status == 200
        assert server.process.poll() is None, "the server process ended"
        with urllib.request.urlopen(server.url + "/doc/standards/uprn.ttl", timeout=30) as page:
            assert page.status == 200
    finally:
        server.stop()


# --- the one escaping function --------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_no_hostile_reference_can_be_written_into_a_query_as_an_iri(value):
    """Even a value that got past the route's check cannot end the IRI it is written as."""
    candidate = f"{BASE}/id/standards/{value}"
    try:
        written = sparql_iri(candidate)
    except BadTerm:
        return
    assert written == f"<{candidate}>"
    assert not re.search(r'[\x00-\x20<>"{}|^`\\]', written[1:-1]), written


def test_the_internal_queries_refuse_a_hostile_iri_before_asking_the_store(store, model):
    hostile = f"{BASE}/id/standards/x> ?p ?o }} UNION {{ ?a ?b ?c"
    asked = []
    original = store.select
    store.select = lambda q: asked.append(q) or original(q)
    try:
        for call in (
            lambda: versions.history(store, model, hostile),
            lambda: versions.current_versions(store, model, [hostile]),
            lambda: versions.version_graph(store, model, hostile, 1),
        ):
            with pytest.raises(BadTerm):
                call()
    finally:
        store.select = original
    assert asked == []


@given(text=st.text(max_size=200))
@settings(max_examples=300, deadline=None, database=None)
def test_a_literal_is_written_so_that_its_text_cannot_end_it(text):
    written = sparql_literal(text)
    assert written.startswith('"') and written.endswith('"')
    inner = written[1:-1]
    # every quote is escaped, and no raw line break (which SPARQL strings may not hold) is left
    assert not re.search(r'(?<!\\)(?:\\\\)*"', inner)
    assert "\n" not in inner and "\r" not in inner


def test_a_literal_round_trips_through_the_engine(store):
    for text in [
        'a"b',
        "a\\b",
        "line\nbreak",
        "\x00\x1f",
        'x" } ; DROP ALL ; #',
        "\\u0022",
        "\u202e",
    ]:
        rows = store.select(f"SELECT ?v WHERE {{ BIND({sparql_literal(text)} AS ?v) }}")
        assert str(rows[0]["v"]) == text


def test_one_definition_of_a_reference():
    """The path check, the web form and the OpenAPI document use the same rule."""
    from api.openapi import build_openapi

    doc = build_openapi(BASE)
    param = next(
        p
        for p in doc["paths"]["/doc/{register}/{reference}/versions"]["get"]["parameters"]
        if p["name"] == "reference"
    )
    assert param["schema"]["pattern"] == identifiers.REFERENCE_PATTERN
    assert param["schema"]["maxLength"] == identifiers.REFERENCE_MAX
    assert is_reference("a" * identifiers.REFERENCE_MAX) and not is_reference(
        "a" * (identifiers.REFERENCE_MAX + 1)
    )
    for good in ("uprn", "govuk-notify", "7", "bs-7666"):
        assert is_reference(good)
