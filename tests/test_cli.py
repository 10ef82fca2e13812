"""The `ldr` command, run as a user runs it: a real process, real files, a real on-disk store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from registry.rdf.namespaces import VOCABULARY
from registry.store import EmbeddedStore
from tests.conftest import BASE

LDR = str(Path(sys.executable).parent / "ldr")
GOOD = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix reg: <http://purl.org/linked-data/registry#> .
@prefix ldr: <{vocabulary}ldr#> .
<{base}/id/platforms/test-platform> a ldr:Platform ;
    dcterms:title "Test platform"@en ;
    dcterms:description "A platform used only by the command-line tests."@en ;
    dcterms:publisher <{base}/id/organisations/government-digital-service> ;
    ldr:phase <{vocabulary}phase/beta> ;
    dcterms:source <https://example.org/test-platform> ;
    reg:status reg:statusSubmitted .
""".replace("{base}", BASE).replace("{vocabulary}", VOCABULARY)
BAD = GOOD.replace("test-platform", "bad-platform").replace(
    "dcterms:publisher <{base}/id/organisations/government-digital-service> ;".replace(
        "{base}", BASE
    ),
    "",
)


def run(
    *args: str, store: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    command = [LDR, *args] + (["--store", str(store)] if store else [])
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LDR_BASE": BASE, **(env or {})},
    )


def count_platform(store_dir: Path, ref: str) -> bool:
    store = EmbeddedStore(store_dir)
    try:
        return store.ask(f"ASK {{ GRAPH ?g {{ <{BASE}/id/platforms/{ref}> ?p ?o }} }}")
    finally:
        store.close()


@pytest.fixture
def files(tmp_path):
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    return good, bad


def test_every_command_explains_itself_and_takes_store():
    for command in ("init", "validate", "load", "export", "import-councils", "serve"):
        result = run(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "--store" in result.stdout and "DIR" in result.stdout, command


def test_validate_exit_codes(files, store_dir):
    good, bad = files
    ok = run("validate", str(good), store=store_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 errors" in ok.stdout and "warning" in ok.stdout  # warnings are shown but do not fail
    failing = run("validate", str(bad), store=store_dir)
    assert failing.returncode == 1
    assert "A platform must name the organisation that owns it" in failing.stdout
    missing = run("validate", str(good.with_name("absent.ttl")), store=store_dir)
    assert missing.returncode == 2


def test_validate_without_a_store_checks_a_new_record_as_a_submission(tmp_path):
    """A council officer checks a new record before submitting it, with no store on the machine:
    the registered organisation it names is not called unregistered, and the registration
    status (which submission sets) is not demanded; a link of the wrong kind still is an error."""
    record = tmp_path / "new.ttl"
    record.write_text(
        f"""@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ldr: <{VOCABULARY}ldr#> .
<{BASE}/id/exemplars/garden-waste> a ldr:Exemplar ;
    dcterms:title "Garden waste subscriptions"@en ;
    dcterms:description "Residents subscribe and pay for garden waste collection online."@en ;
    ldr:problem "Every council builds its own garden waste subscription form and payments."@en ;
    ldr:leadOrganisation <{BASE}/id/organisations/leeds-city-council> ;
    ldr:serviceArea <{VOCABULARY}service-area/housing> ;
    dcterms:source <https://example.org/garden-waste> .
""",
        encoding="utf-8",
    )
    nowhere = {"LDR_STORE_DIR": str(tmp_path / "no-store")}
    checked = run("validate", str(record), env=nowhere)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout and "Registration status" not in checked.stdout
    assert "give --store DIR" in checked.stdout  # says what was not checked, and how to check it
    wrong_kind = record.with_name("wrong.ttl")
    wrong_kind.write_text(
        record.read_text().replace("organisations/leeds-city-council", "exemplars/bops")
    )
    refused = run("validate", str(wrong_kind), env=nowhere)
    assert refused.returncode == 1 and "Lead organisation" in refused.stdout


def test_syntax_error_names_file_line_and_column(tmp_path, store_dir):
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        '@prefix dcterms: <http://purl.org/dc/terms/> .\n<x> dcterms:title "unterminated .\n',
        encoding="utf-8",
    )
    result = run("validate", str(broken), store=store_dir)
    assert result.returncode == 2
    assert f"{broken}, line 2, column" in result.stderr
    assert "Traceback" not in result.stderr


def test_load_is_all_or_nothing(files, store_dir):
    good, bad = files
    refused = run("load", str(good), str(bad), store=store_dir)
    assert refused.returncode == 1
    assert "Nothing was loaded." in refused.stderr
    assert not count_platform(store_dir, "test-platform")
    loaded = run("load", str(good), store=store_dir)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "Loaded 1 record(s)." in loaded.stdout
    assert count_platform(store_dir, "test-platform")


def test_load_shows_progress_as_plain_lines_when_not_a_terminal(files, store_dir):
    result = run("load", str(files[0]), store=store_dir)
    assert (
        "ldr: reading" in result.stderr
        and "ldr: validating" in result.stderr
        and "ldr: writing" in result.stderr
    )


@pytest.mark.parametrize(
    "fmt,parse_as,dataset",
    [
        ("turtle", "turtle", False),
        ("ntriples", "nt", False),
        ("rdfxml", "xml", False),
        ("jsonld", "json-ld", False),
        ("nquads", "nquads", True),
        ("trig", "trig", True),
    ],
)
def test_export_writes_the_whole_registry_in_each_format(
    fmt, parse_as, dataset, store_dir, tmp_path
):
    out = tmp_path / f"export.{fmt}"
    result = run("export", "--format", fmt, "--output", str(out), store=store_dir)
    assert result.returncode == 0, result.stderr
    graph = Dataset() if dataset else Graph()
    graph.parse(out, format=parse_as)
    triples = {(s, p, o) for s, p, o, *_ in (graph.quads() if dataset else graph)}
    assert len(triples) > 2000
    text = out.read_text(encoding="utf-8")
    assert f"{BASE}/id/standards/uprn" in text and "Greater Manchester Care Record" in text
    if dataset:  # each record keeps its own named graph
        assert f"{BASE}/doc/standards/uprn" in text


def test_init_creates_a_store_with_the_starter_data(tmp_path):
    store = tmp_path / "fresh"
    result = run("init", "--quiet", store=store)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "starter records" in result.stdout
    assert count_platform(store, "govuk-notify")


def test_commands_on_a_missing_store_say_how_to_create_it(tmp_path, files):
    result = run("load", str(files[0]), store=tmp_path / "nowhere")
    assert result.returncode != 0
    assert "ldr init --store" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "fmt,suffix",
    [
        ("turtle", "ttl"),
        ("nt", "nt"),
        ("xml", "rdf"),
        ("json-ld", "jsonld"),
        ("nquads", "nq"),
        ("trig", "trig"),
    ],
)
def test_load_reads_every_rdf_syntax(fmt, suffix, tmp_path, store_dir):
    if fmt in ("nquads", "trig"):
        graph = Dataset()
        graph.graph(URIRef("http://example.org/some-graph")).parse(data=GOOD, format="turtle")
    else:
        graph = Graph().parse(data=GOOD, format="turtle")
    path = tmp_path / f"record.{suffix}"
    graph.serialize(path, format=fmt)
    result = run("load", str(path), store=store_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert count_platform(store_dir, "test-platform")


def test_tokens_submit_status_and_history_from_the_command_line(store_dir, tmp_path):
    publisher = run(
        "token",
        "create",
        "--org",
        "leeds-city-council",
        "--role",
        "publisher",
        "--user",
        "amy",
        store=store_dir,
    )
    assert publisher.returncode == 0, publisher.stderr
    publisher_token = publisher.stdout.strip().splitlines()[-1]
    assert publisher_token.startswith("ldr_")
    steward_token = (
        run(
            "token",
            "create",
            "--org",
            "government-digital-service",
            "--role",
            "steward",
            store=store_dir,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    listed = run("token", "list", store=store_dir).stdout
    assert "amy" in listed and publisher_token not in listed  # only ids, never the tokens
    unknown_org = run(
        "token", "create", "--org", "nowhere-council", "--role", "publisher", store=store_dir
    )
    assert (
        unknown_org.returncode != 0
        and "is not the title, reference or address of a registered organisation"
        in unknown_org.stderr
    )

    record = tmp_path / "record.ttl"
    record.write_text(GOOD, encoding="utf-8")
    submitted = run(
        "submit",
        str(record),
        "--note",
        "From the command line",
        store=store_dir,
        env={"LDR_TOKEN": publisher_token},
    )
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "status submitted" in submitted.stdout
    refused = run(
        "status",
        "platforms/test-platform",
        "stable",
        store=store_dir,
        env={"LDR_TOKEN": publisher_token},
    )
    assert refused.returncode == 2 and "Only stewards" in refused.stderr
    accepted = run(
        "status",
        "platforms/test-platform",
        "stable",
        "--note",
        "Looks right",
        store=store_dir,
        env={"LDR_TOKEN": steward_token},
    )
    assert accepted.returncode == 0, accepted.stderr
    illegal = run(
        "status",
        "platforms/test-platform",
        "submitted",
        store=store_dir,
        env={"LDR_TOKEN": steward_token},
    )
    assert illegal.returncode == 2 and "Allowed: invalid, retired, superseded" in illegal.stderr
    history = run("history", "platforms/test-platform", store=store_dir).stdout.splitlines()
    assert len(history) == 2
    assert (
        history[0].startswith("v1")
        and "Submission" in history[0]
        and "amy" in history[0]
        and "From the command line" in history[0]
    )
    assert (
        history[1].startswith("v2") and "StatusChange" in history[1] and "Looks right" in history[1]
    )

    token_id = next(line.split()[0] for line in listed.splitlines() if " amy " in line)
    assert run("token", "revoke", token_id, store=store_dir).returncode == 0
    after = run("submit", str(record), store=store_dir, env={"LDR_TOKEN": publisher_token})
    assert after.returncode != 0 and "not valid" in after.stderr


def test_user_create_from_the_command_line(store_dir):
    created = subprocess.run(
        [
            LDR,
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
            str(store_dir),
        ],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        env={**os.environ, "LDR_BASE": BASE},
    )
    assert created.returncode == 0, created.stderr
    short = subprocess.run(
        [
            LDR,
            "user",
            "create",
            "--user",
            "bob",
            "--org",
            "leeds-city-council",
            "--role",
            "publisher",
            "--password-stdin",
            "--store",
            str(store_dir),
        ],
        input="short\n",
        capture_output=True,
        text=True,
        env={**os.environ, "LDR_BASE": BASE},
    )
    assert short.returncode != 0 and "at least 12 characters" in short.stderr
    from registry.accounts.users import Accounts

    accounts = Accounts(store_dir.with_name(store_dir.name + ".accounts.sqlite"))
    try:
        assert accounts.sign_in("amy", "a long enough password").role == "publisher"
    finally:
        accounts.close()


def test_restore_loads_a_dump_into_a_new_store_and_refuses_a_full_one(store_dir, tmp_path):
    dump = tmp_path / "registry.nq"
    assert run("export", "--format", "nquads", "-o", str(dump), store=store_dir).returncode == 0
    restored = run("restore", str(dump), store=tmp_path / "new")
    assert restored.returncode == 0, restored.stderr
    assert "indexed" in restored.stdout
    before, after = EmbeddedStore(store_dir), EmbeddedStore(tmp_path / "new")
    try:
        assert len(before.dump("nquads").splitlines()) == len(after.dump("nquads").splitlines())
        assert after.graph_names() == before.graph_names()
    finally:
        before.close()
        after.close()
    again = run("restore", str(dump), store=tmp_path / "new")
    assert again.returncode == 2 and "not empty" in again.stderr
    wrong = run("restore", str(tmp_path / "registry.ttl"), store=tmp_path / "other")
    assert wrong.returncode == 2 and "N-Quads" in wrong.stderr


def test_restore_starts_without_rdflib_or_the_validator(store_dir, tmp_path):
    """A restore moves a whole dump and builds no graph; importing rdflib cost a quarter of a
    second of a 100k-quad restore (docs/benchmarks-notes.md, tenth round). Python lists every
    module the command imports (the indexing process beside it reports to a pipe of its own)."""
    dump = tmp_path / "registry.nq"
    assert run("export", "--format", "nquads", "-o", str(dump), store=store_dir).returncode == 0
    restored = run(
        "restore", str(dump), store=tmp_path / "new", env={"PYTHONPROFILEIMPORTTIME": "1"}
    )
    assert restored.returncode == 0, restored.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in restored.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "registry.bulk.dumps" in imported and "pyoxigraph" in imported
    assert not {name for name in imported if name.split(".")[0] in ("rdflib", "pyshacl")}


def test_the_index_restore_builds_beside_the_load_is_the_one_a_rebuild_makes(store_dir, tmp_path):
    """`ldr restore` indexes the dump in a second process while the store loads it; that index
    must hold exactly what `ldr reindex` makes from the loaded store — and a dump that fails to
    load leaves no half-built index behind and an empty store to restore into again."""
    import gzip
    import sqlite3

    dump = tmp_path / "registry.nq.gz"
    plain = run("export", "--format", "nquads", store=store_dir).stdout
    dump.write_bytes(gzip.compress(plain.encode("utf-8")))
    assert run("restore", str(dump), store=tmp_path / "new").returncode == 0
    index = tmp_path / "new.index.sqlite"
    tables = (
        "SELECT iri, register, title, description, status, modified FROM records ORDER BY iri",
        "SELECT r.iri, f.facet, f.key, f.label FROM facets f JOIN records r ON r.rowid = f.rid "
        "ORDER BY 1, 2, 3",
        "SELECT * FROM facet_totals ORDER BY 1, 2, 3",
        "SELECT * FROM seen ORDER BY 1",
        "SELECT r.iri, s.keywords, s.organisations FROM search s JOIN records r ON r.rowid = s.rowid ORDER BY 1",
    )

    def contents():
        with sqlite3.connect(index) as db:
            found = [db.execute(sql).fetchall() for sql in tables]
        # the words of a record's search text, in whatever order the store listed its values
        found[-1] = [
            (iri, sorted(keywords.split()), sorted(organisations.split()))
            for iri, keywords, organisations in found[-1]
        ]
        return found

    beside_the_load = contents()
    assert len(beside_the_load[0]) > 100 and beside_the_load[3]
    assert run("reindex", store=tmp_path / "new").returncode == 0
    assert contents() == beside_the_load
    broken = tmp_path / "broken.nq"
    lines = plain.splitlines()
    broken.write_text(
        "\n".join(
            lines[: len(lines) // 2] + ["<http://example.org/a> <oops"] + lines[len(lines) // 2 :]
        )
    )
    failed = run("restore", str(broken), store=tmp_path / "other")
    assert failed.returncode == 2 and "broken.nq" in failed.stderr
    assert not [p.name for p in tmp_path.iterdir() if ".building" in p.name]
    assert (
        run("restore", str(dump), store=tmp_path / "other").returncode == 0
    )  # nothing half-loaded in the way


def test_restore_onto_a_sparql_server_indexes_what_the_server_holds(store_dir, tmp_path):
    """On a SPARQL server there is no indexing beside the load: the index is rebuilt from the
    server once the dump is in, and a search finds the restored records."""
    import sqlite3

    from tests.oxigraph_server import OxigraphServer

    dump = tmp_path / "registry.nq"
    assert run("export", "--format", "nquads", "-o", str(dump), store=store_dir).returncode == 0
    server = OxigraphServer(tmp_path / "server")
    try:
        restored = run("restore", str(dump), store=tmp_path / "beside", env=server.settings())
        assert restored.returncode == 0, restored.stderr
        with sqlite3.connect(tmp_path / "beside.index.sqlite") as db:
            standards = db.execute(
                "SELECT count(*) FROM records WHERE register = 'standards'"
            ).fetchone()[0]
            records = db.execute("SELECT count(*) FROM records").fetchone()[0]
            found = db.execute(
                "SELECT r.iri FROM search s JOIN records r ON r.rowid = s.rowid "
                "WHERE search MATCH 'uprn'"
            ).fetchall()
        assert standards == 32 and f"indexed {records:,} records" in restored.stdout
        assert (f"{BASE}/id/standards/uprn",) in found
    finally:
        server.stop()


def test_restore_indexes_from_the_dump_lines_it_needs_and_drops_only_quads_surely_in_other_graphs():
    """The indexing process skips, without parsing them, the N-Quads lines of named graphs it
    never reads; a line it cannot be sure of (a literal with spaces and a datatype, a comment,
    tabs) is kept for the parser, and a blank node keeps its identity across read chunks."""
    import io

    import pyoxigraph as ox

    from registry.search.dump_index import HISTORY, _Chunks, _lines_to_index

    state = ox.NamedNode("http://example.org/catalogue/state")
    lines = [
        b"<http://e/s> <http://e/p> <http://e/o> .\n",  # default graph: kept
        b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n",  # another graph: dropped
        b'<http://e/s> <http://e/p> "two words" <http://e/g> .\n',
        b"_:b <http://e/p> <http://e/o>  <http://e/g> .\n",
        b'<http://e/s> <http://e/p> "see <http://e/x>"^^<http://e/dt> .\n',  # default graph, odd text
        b'<http://e/s> <http://e/p> "a" ^^ <http://e/dt> .\n',
        b"<http://e/s>\t<http://e/p>\t<http://e/tabs>\t.\n",
        b"<http://e/s> <http://e/p> <http://e/commented> <http://e/g> . # a comment\n",
        b"<http://e/s> <http://purl.org/linked-data/version#currentVersion> <http://e/v> <http://e/h> .\n",
        b'<http://e/v> <http://www.w3.org/ns/prov#generatedAtTime> "2026-01-01T00:00:00Z" <http://e/h> .\n',
        b'<http://e/c> <http://e/p> "state" <http://example.org/catalogue/state> .\n',
    ]
    every = set(ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS))
    kept = set(ox.parse(b"".join(_lines_to_index(iter(lines), state)), format=ox.RdfFormat.N_QUADS))
    needed = {
        q
        for q in every
        if type(q.graph_name) is ox.DefaultGraph or q.predicate in HISTORY or q.graph_name == state
    }
    assert needed <= kept
    assert len(needed) == 7 and len(every - kept) == 3
    assert all(q.graph_name == ox.NamedNode("http://e/g") for q in every - kept)

    store = ox.Store()
    store.bulk_load(
        input=io.BufferedReader(
            _Chunks(iter([b'_:a <http://e/p> "1" .\n_:', b'a <http://e/p> "2" .\n'])), 4
        ),
        format=ox.RdfFormat.N_QUADS,
    )
    assert len({q.subject for q in store}) == 1 and len(store) == 2
