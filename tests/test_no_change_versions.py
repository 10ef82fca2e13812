"""Issue 25, point 13: `ldr init` on a store that already has records leaves them as they are
(a steward's decision stands), and no write makes a version in which nothing changed — from the
command line or over HTTP."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from registry.store import EmbeddedStore
from tests.conftest import BASE, ROOT
from tests.server import Server
from tests.test_cli import run
from tests.test_registration import exemplar

VERSIONS = """SELECT ?item (COUNT(DISTINCT ?v) AS ?n) WHERE { GRAPH ?h { ?item <http://purl.org/dc/terms/hasVersion> ?v } }
GROUP BY ?item"""


def versions(store_dir: Path) -> dict[str, int]:
    """How many versions each record has."""
    store = EmbeddedStore(store_dir)
    try:
        return {str(row["item"]): int(row["n"]) for row in store.select(VERSIONS)}
    finally:
        store.close()


def status_of(store_dir: Path, iri: str) -> str:
    store = EmbeddedStore(store_dir)
    try:
        return str(
            store.select(
                f"SELECT ?s WHERE {{ <{iri}> <http://purl.org/linked-data/registry#status> ?s }}"
            )[0]["s"]
        )
    finally:
        store.close()


def test_init_again_keeps_a_stewards_decision_and_makes_no_version(store_dir):
    steward = (
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
    retired = run(
        "status",
        "exemplars/bops",
        "retired",
        "--note",
        "Replaced by a newer service",
        store=store_dir,
        env={"LDR_TOKEN": steward},
    )
    assert retired.returncode == 0, retired.stderr
    before = versions(store_dir)
    assert before[f"{BASE}/id/exemplars/bops"] == 2 and len(before) > 50

    again = run("init", "--quiet", store=store_dir)
    assert again.returncode == 0, again.stdout + again.stderr
    assert status_of(store_dir, f"{BASE}/id/exemplars/bops").endswith("statusRetired")
    assert versions(store_dir) == before
    history = run("history", "exemplars/bops", store=store_dir).stdout.splitlines()
    assert len(history) == 2 and "Replaced by a newer service" in history[1]
    assert "already registered and were left as they are" in again.stdout


def test_loading_the_same_records_again_makes_no_version(store_dir):
    before = versions(store_dir)
    # every starter file, as `ldr init` read them: times, numbers and language tags come back
    # from the store exactly as they went in, or this would make new versions
    loaded = run("load", *sorted(str(p) for p in (ROOT / "data").glob("*.ttl")), store=store_dir)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert versions(store_dir) == before
    assert f"{len(before)} of them were already registered exactly as described" in loaded.stdout


def test_a_put_that_changes_nothing_keeps_the_version(store_dir, tmp_path):
    publisher = (
        run(
            "token", "create", "--org", "leeds-city-council", "--role", "publisher", store=store_dir
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    body = tmp_path / "record.ttl"
    body.write_text(exemplar(), encoding="utf-8")
    server = Server(store_dir)
    try:

        def curl(*args: str) -> tuple[int, dict]:
            out = subprocess.run(
                [
                    "curl",
                    "-s",
                    "-w",
                    "\n%{http_code}",
                    "-H",
                    f"Authorization: Bearer {publisher}",
                    "-H",
                    "Content-Type: text/turtle",
                    *args,
                ],
                capture_output=True,
                text=True,
                timeout=120,
            ).stdout
            text, status = out.rsplit("\n", 1)
            return int(status), json.loads(text) if text.strip() else {}

        status, _ = curl("--data-binary", f"@{body}", f"{server.url}/exemplars")
        assert status == 201
        path = f"{server.url}/doc/exemplars/damp-and-mould-reporting"
        status, answer = curl(
            "-X", "PUT", "-H", 'If-Match: "v1"', "--data-binary", f"@{body}", path
        )
        assert status == 200 and answer["version"] == 1
        changed = tmp_path / "changed.ttl"
        changed.write_text(exemplar(title="Damp and mould reporting online"), encoding="utf-8")
        status, answer = curl(
            "-X", "PUT", "-H", 'If-Match: "v1"', "--data-binary", f"@{changed}", path
        )
        assert status == 200 and answer["version"] == 2
    finally:
        server.stop()
    assert versions(store_dir)[f"{BASE}/id/exemplars/damp-and-mould-reporting"] == 2
