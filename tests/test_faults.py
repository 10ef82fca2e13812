"""Faults: a full disk during writes, and a restart while writes stream in. Every acknowledged
write is kept, a refused one leaves nothing behind, and the store opens again intact.

The full disk is a file-size limit (RLIMIT_FSIZE) on the server process: writes past it fail
as they would on a full disk (EFBIG instead of ENOSPC), with no privileges needed."""

from __future__ import annotations

import contextlib
import resource
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib.compare import isomorphic

from registry.records.versions import current_versions, version_graph
from registry.store import EmbeddedStore
from registry.vocab.model import load_model
from tests.conftest import BASE, TEST_STORE
from tests.server import Server
from tests.test_cli import run
from tests.test_registration import exemplar
from tests.waiting import wait_for


def post(url: str, token: str, ref: str, size: int = 0) -> int:
    body = exemplar(ref=ref, title=f"Fault test {ref}", topic=f"fault {ref} " + "x" * size).encode()
    request = urllib.request.Request(
        f"{url}/exemplars",
        data=body,
        method="POST",
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # no answer: the server is going away


#: what a reader asks for while the disk is full: the home page, a listing, search (page and
#: JSON), a record page in two formats, /sparql (a lookup and a query the workers run)
READS = [
    "/",
    "/exemplars",
    "/exemplars?page=2",
    "/search?q=fault",
    "/search.json?q=fault+test",
    "/doc/exemplars/full-disk-0.ttl",
    "/doc/exemplars/full-disk-0.html",
    "/sparql?query="
    + urllib.parse.quote(
        "SELECT ?t WHERE { <" + BASE + "/id/exemplars/full-disk-0> "
        "<http://purl.org/dc/terms/title> ?t }"
    ),
    "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
]


def reads_go_on(url: str) -> None:
    """Every read answers 200 while writes are refused (docs/security.md, Faults)."""
    answers = {}
    for path in READS:
        request = urllib.request.Request(
            url + path,
            headers={
                "Accept": "text/html" if "sparql" not in path else "application/sparql-results+json"
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answers[path] = response.status
        except urllib.error.HTTPError as exc:
            answers[path] = f"{exc.code} {exc.read()[:300]!r}"
    assert all(status == 200 for status in answers.values()), "\n".join(
        f"{p}: {s}" for p, s in answers.items()
    )


def token_for(store_dir) -> str:
    created = run(
        "token", "create", "--org", "leeds-city-council", "--role", "publisher", store=store_dir
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def check_intact(store_dir, acknowledged: list[str], refused: list[str]) -> None:
    """Every acknowledged record is current and equal to its latest version; refused ones left nothing."""
    model = load_model(BASE)
    store = EmbeddedStore(store_dir)
    try:
        numbers = current_versions(store, model, acknowledged + refused)
        for iri in acknowledged:
            assert iri in numbers, f"{iri} was acknowledged but is gone"
            current = store.construct(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri.replace('/id/', '/doc/')}> {{ ?s ?p ?o }} }}"
            )
            assert isomorphic(current, version_graph(store, model, iri, numbers[iri]))
        for iri in refused:
            assert iri not in numbers and not store.ask(
                f"ASK {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"
            ), f"{iri} half-written"
    finally:
        store.close()


@contextlib.contextmanager
def small_filesystem(tmp_path, store_dir):
    """A 16 MB tmpfs holding a copy of the store (mounting needs root; None if not permitted)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        yield None
        return
    try:
        shutil.copytree(store_dir, mount / "store")
        yield mount / "store"
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.parametrize("disk", ["tmpfs", "file-size limit"])
def test_a_full_disk_refuses_the_write_clearly_and_keeps_the_store_intact(
    store_dir, tmp_path, disk
):
    """With a really full filesystem (a small tmpfs, where the machine allows mounting) and with a
    file-size limit on the server process (EFBIG instead of ENOSPC; no privileges needed)."""
    with contextlib.ExitStack() as stack:
        limited = None
        if disk == "tmpfs":
            small = stack.enter_context(small_filesystem(tmp_path, store_dir))
            if small is None:
                pytest.skip(
                    "this machine does not allow mounting a tmpfs; the file-size limit case covers it"
                )
            store_dir = small
            mount = small.parent
            more_room = lambda: subprocess.run(
                ["mount", "-o", "remount,size=64m", str(mount)], check=True
            )  # noqa: E731
        else:
            more_room = lambda: None  # noqa: E731 - a restart without the limit is room enough
            files = [p for p in store_dir.parent.rglob("*") if p.is_file()]
            limit = max(p.stat().st_size for p in files) + 512 * 1024

            def limited():
                signal.signal(
                    signal.SIGXFSZ, signal.SIG_IGN
                )  # a write past the limit fails instead of killing
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        full_disk_case(store_dir, limited, more_room)


def full_disk_case(store_dir, limited, more_room) -> None:
    token = token_for(store_dir)
    server = Server(store_dir, preexec=limited)
    acknowledged, refused, statuses = [], [], []
    try:
        for n in range(400):
            ref = f"full-disk-{n}"
            status = post(server.url, token, ref, size=40_000)
            statuses.append(status)
            (acknowledged if status == 201 else refused).append(f"{BASE}/id/exemplars/{ref}")
            if status != 201:
                break
        # On the embedded store the registry's own write fails (507); on a SPARQL server the server's
        # does, and the registry says the store is not answering (503). Either way: refused, clearly.
        assert acknowledged and statuses[-1] == (507 if TEST_STORE != "sparql" else 503), statuses[
            -5:
        ]
        reads_go_on(
            server.url
        )  # what is registered can still be read, listed, searched and queried
        assert post(server.url, token, "full-disk-again", size=40_000) in (507, 503)
        reads_go_on(server.url)
        refused.append(f"{BASE}/id/exemplars/full-disk-again")
    finally:
        server.stop()
        server.log.seek(0)  # shown by pytest if the test fails: what the server logged
        print(server.log.read().decode("utf-8", "replace")[-6000:])
    more_room()  # opening a store writes to disk too, so the operator frees space first
    check_intact(store_dir, acknowledged, refused)
    restarted = Server(store_dir)  # with room again, writes work
    try:
        assert post(restarted.url, token, "after-the-disk-was-freed") == 201
    finally:
        restarted.stop()


def test_a_restart_under_load_loses_no_acknowledged_write(store_dir):
    token = token_for(store_dir)
    server = Server(store_dir)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(prefix: str):
        for n in range(300):
            if stop.is_set():
                return
            if post(server_ref[0].url, token, f"{prefix}-{n}") == 201:
                acknowledged.append(f"{BASE}/id/exemplars/{prefix}-{n}")

    server_ref = [server]
    threads = [threading.Thread(target=writer, args=(f"restart-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(acknowledged) >= 20, within=120, what="twenty acknowledged writes")
    server.process.send_signal(signal.SIGTERM)  # an operator restarting it, mid-stream
    server.process.wait(30)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert len(acknowledged) >= 20
    server.stop()
    check_intact(store_dir, acknowledged, [])


def test_a_snapshot_that_cannot_be_taken_keeps_no_worker_from_the_pool():
    """A full disk makes the snapshot for queries fail; the pool used to take a worker first and
    never give it back, so after one such failure per worker every query was "busy" for good."""
    from registry.query.pool import QueryError, QueryPool

    def full_disk() -> str:
        raise QueryError("unavailable", "the disk is full")

    pool = QueryPool(full_disk, size=1, timeout=2)
    try:
        for _ in range(3):
            with pytest.raises(QueryError) as refused:
                pool.run(
                    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                    result_type="application/sparql-results+json",
                    rdf_type="text/turtle",
                )
            assert refused.value.kind == "unavailable"
    finally:
        pool.close()
