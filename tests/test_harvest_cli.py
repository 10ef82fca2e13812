"""`ldr harvest`: add a source, have it approved, check an address without writing, run it, read
its log; and a run asked for while the server has the store is queued for the server."""

from __future__ import annotations

import json

import pytest

from tests.conftest import BASE
from tests.harvest_server import HarvestServer
from tests.test_cli import run
from tests.test_harvest import BINS, OGL, ROADS, catalogue

ALLOW = {"LDR_HARVEST_ALLOW": "127.0.0.1"}


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "apis.ttl").write_bytes(catalogue(BINS, ROADS))
    server = HarvestServer(root)
    yield server, root
    server.close()


def token(store_dir, org: str, role: str) -> str:
    made = run("token", "create", "--org", org, "--role", role, store=store_dir)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def test_add_approve_check_run_and_log(store_dir, served):
    server, root = served
    publisher = token(store_dir, "leeds-city-council", "publisher")
    steward = token(store_dir, "leeds-city-council", "steward")
    address = server.url("apis.ttl")

    checked = run(
        "harvest",
        "check",
        "--kind",
        "dcat",
        "--org",
        "leeds-city-council",
        address,
        store=store_dir,
        env=ALLOW,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Would make: 2 created" in checked.stdout

    added = run(
        "harvest",
        "add",
        "--reference",
        "leeds-apis",
        "--title",
        "Leeds APIs",
        "--kind",
        "dcat",
        "--address",
        address,
        "--licence",
        OGL,
        "--org",
        "leeds-city-council",
        "--token",
        publisher,
        store=store_dir,
    )
    assert added.returncode == 0, added.stderr
    assert "a steward approves it" in added.stdout

    early = run("harvest", "run", "leeds-apis", store=store_dir, env=ALLOW)
    assert early.returncode == 1 and "has not been approved" in early.stderr

    approved = run(
        "status", f"{BASE}/id/sources/leeds-apis", "stable", "--token", steward, store=store_dir
    )
    assert approved.returncode == 0, approved.stderr

    first = run("harvest", "run", "leeds-apis", "--json", store=store_dir, env=ALLOW)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["counts"]["created"] == 2
    again = run("harvest", "run", "leeds-apis", store=store_dir, env=ALLOW)
    assert "Done: 2 unchanged." in again.stdout

    log = run("harvest", "log", "leeds-apis", store=store_dir)
    assert log.returncode == 0, log.stderr
    lines = log.stdout.strip().splitlines()
    assert len(lines) == 3 and "2 unchanged" in lines[0] and "2 created" in lines[1]
    assert "failed: The source 'Leeds APIs' has not been approved" in lines[2]


def test_check_reports_an_unreadable_file_and_a_refused_address(store_dir, served, tmp_path):
    server, root = served
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(b"@prefix nope <not turtle")
    result = run(
        "harvest",
        "check",
        "--kind",
        "dcat",
        "--org",
        "leeds-city-council",
        str(broken),
        store=store_dir,
    )
    assert result.returncode == 1 and "line 1" in result.stderr
    refused = run(
        "harvest",
        "check",
        "--kind",
        "dcat",
        "--org",
        "leeds-city-council",
        server.url("apis.ttl"),
        store=store_dir,
    )
    assert refused.returncode == 1 and "non-public address" in refused.stderr
    assert server.requests == []
