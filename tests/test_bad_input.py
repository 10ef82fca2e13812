"""Bad input gets a clear, specific error and changes nothing in the store."""

from __future__ import annotations

import pytest

from registry.store import EmbeddedStore
from tests.test_cli import GOOD, run


def snapshot(store_dir) -> bytes:
    store = EmbeddedStore(store_dir)
    try:
        return store.dump("nquads")
    finally:
        store.close()


CASES = {
    "empty": ("empty.ttl", b"", "the input is empty"),
    "whitespace only": ("blank.ttl", b"   \n\n  ", "the input is empty"),
    "turtle in an RDF/XML file": ("turtle.rdf", GOOD.encode(), "not valid RDF/XML"),
    "binary junk": ("junk.ttl", bytes(range(256)) * 64, "the input is binary, not text"),
    "latin-1 text": (
        "latin.ttl",
        '<http://a/x> <http://a/p> "caf\xe9" .'.encode("latin-1"),
        "not UTF-8",
    ),
    "unknown extension": (
        "data.txt",
        GOOD.encode(),
        "cannot tell the RDF syntax from the extension",
    ),
    "prefixes only": (
        "prefixes.ttl",
        b"@prefix dcterms: <http://purl.org/dc/terms/> .\n",
        "no RDF statements",
    ),
    "malformed JSON-LD": ("bad.jsonld", b'{"@id": "x", ', "not valid JSON-LD"),
    "malformed N-Triples": ("bad.nt", b"<http://a/x> <http://a/p> .\n", "not valid N-Triples"),
    "remote JSON-LD context": (
        "remote.jsonld",
        b'{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://a/x", "title": "X"}',
        "never fetches remote documents",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unreadable_input_is_refused_clearly_and_changes_nothing(name, tmp_path, store_dir):
    filename, data, expected = CASES[name]
    path = tmp_path / filename
    path.write_bytes(data)
    before = snapshot(store_dir)
    result = run("load", str(path), store=store_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(store_dir) == before


def test_a_50_mb_file_is_refused_with_the_limit_before_parsing(tmp_path, store_dir):
    big = tmp_path / "big.nt"
    with big.open("wb") as out:
        line = b'<http://example.org/s> <http://example.org/p> "' + b"x" * 1000 + b'" .\n'
        for _ in range(50 * 1024):
            out.write(line)
    assert big.stat().st_size > 50 * 1000 * 1000
    before = snapshot(store_dir)
    result = run("load", str(big), store=store_dir)
    assert result.returncode == 2
    assert "more than the limit of 10,485,760 bytes" in result.stderr
    assert "LDR_MAX_INPUT_BYTES" in result.stderr
    assert snapshot(store_dir) == before


def test_statements_outside_any_record_are_reported_not_dropped(tmp_path, store_dir):
    path = tmp_path / "stray.ttl"
    path.write_text(
        GOOD + '\n<https://example.org/elsewhere> <http://purl.org/dc/terms/title> "Stray" .\n',
        encoding="utf-8",
    )
    result = run("load", str(path), store=store_dir)
    assert result.returncode == 1
    assert "not a record IRI" in result.stdout
    assert "Nothing was loaded." in result.stderr


def test_a_record_in_the_wrong_register_is_refused(tmp_path, store_dir):
    path = tmp_path / "wrong.ttl"
    path.write_text(GOOD.replace("/id/platforms/", "/id/standards/"), encoding="utf-8")
    result = run("validate", str(path), store=store_dir)
    assert result.returncode == 1
    assert "A record in the standards register must have the type" in result.stdout
