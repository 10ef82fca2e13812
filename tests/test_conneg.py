"""Content negotiation remembers its choices per Accept header; a remembered choice must be the
one it would make afresh, and the memory must stay bounded whatever headers clients make up."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api import conneg
from api.sparql import RDF_TYPES, RESULT_TYPES

RANGES = st.sampled_from(
    [
        "*/*",
        "text/*",
        "application/*",
        "text/turtle",
        "text/csv",
        "application/ld+json",
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/html",
        "image/png",
        "bogus",
        "",
    ]
)
ENTRY = st.tuples(
    RANGES, st.one_of(st.none(), st.sampled_from(["0", "0.1", "0.5", "0.9", "1", "x"]))
).map(lambda e: e[0] if e[1] is None else f"{e[0]};q={e[1]}")
HEADERS = st.one_of(st.none(), st.lists(ENTRY, max_size=5).map(", ".join))


@settings(max_examples=300, deadline=None)
@given(HEADERS, st.sampled_from([RESULT_TYPES, RDF_TYPES, RDF_TYPES + ["text/html"]]))
def test_a_remembered_choice_is_the_fresh_one(header, offered):
    fresh = conneg._choose(header, offered)
    assert conneg.choose(header, offered) == fresh
    assert conneg.choose(header, offered) == fresh  # now from memory


def test_the_memory_stays_bounded():
    for n in range(conneg._CHOSEN_MAX * 2 + 5):
        assert conneg.choose(f"text/turtle;q=0.{n % 9 + 1}, x/y{n}", RDF_TYPES) == "text/turtle"
    assert len(conneg._CHOSEN) <= conneg._CHOSEN_MAX
    assert conneg.choose("text/csv, */*;q=0.1", RESULT_TYPES) == "text/csv"
