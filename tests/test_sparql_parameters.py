"""/sparql reads its query string and form bodies with a percent-decoder of its own (in C, for
speed: docs/benchmarks-notes.md, tenth round); whatever a client sends, it must read the same
fields and values as the standard library's parse_qs."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.sparql import form_fields
from tests.conftest import close_app, make_app

# the characters that matter to the decoder, mixed with any text
PIECES = st.sampled_from(
    [
        "%",
        "%2",
        "%41",
        "%zz",
        "%C3%A9",
        "%E2%82",
        "%5C",
        "%25",
        "\\",
        "\\x41",
        "\\n",
        "+",
        "&",
        "=",
        "&&",
        "==",
        "query",
        "é",
        "\u2028",
        "%00",
        "%FF",
        "%c3",
        "%a9",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_the_fields_are_those_parse_qs_reads(text):
    assert form_fields(text) == parse_qs(text, keep_blank_values=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_a_query_encoded_either_way_reads_back_as_sent(query, graph):
    for encode in (quote, quote_plus):
        fields = form_fields(
            f"query={encode(query, safe='')}&default-graph-uri={encode(graph, safe='')}&x"
        )
        assert fields == {"query": [query], "default-graph-uri": [graph], "x": [""]}


@pytest.fixture(scope="module")
def client(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "parameters", LDR_RATE_LIMIT=0)
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize("encode", [quote, quote_plus])
def test_a_query_with_escapes_and_non_ascii_text_is_answered_as_written(client, encode):
    """The words, with their dash, are the starter data's own, and `&&` and `+` are SPARQL: only a
    query read exactly as sent finds the record."""
    query = (
        'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "alerts \u2014 in one place") && '
        "STRLEN(STR(?o)) + 1 > 1) }"
    )
    found = client.get(
        "/sparql?query=" + encode(query), headers={"Accept": "application/sparql-results+json"}
    )
    assert found.status_code == 200 and len(found.get_json()["results"]["bindings"]) == 1, (
        found.get_data(as_text=True)
    )
    lookup = (
        'ASK { ?s <http://purl.org/dc/terms/title> "Caf\u00e9 \\\\ 100% + more & less = none"@en }'
    )
    answered = client.get(
        "/sparql?query=" + encode(lookup), headers={"Accept": "application/sparql-results+json"}
    )
    assert answered.status_code == 200 and answered.get_json() == {"head": {}, "boolean": False}
    broken = client.get(
        "/sparql?query=" + encode(lookup) + "%zz", headers={"Accept": "application/json"}
    )
    assert broken.status_code == 400 and broken.get_json()["title"] == "Query syntax error"
