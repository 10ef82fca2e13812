"""The harvest queue's scale-out backend: a real Redis server (Debian's redis-server, started on
127.0.0.1 by the test) shared by two registries, as two web machines would share it. A run asked
for on one is done by the other's worker; a source is run by one worker at a time."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from registry.assembly import Registry
from tests.conftest import close_app
from tests.harvest_server import HarvestServer
from tests.ports import free_port
from tests.test_harvest import BINS, ROADS, app_over, catalogue, register_and_approve, tokens  # noqa: F401
from tests.waiting import wait_for

REDIS = shutil.which("redis-server")


@pytest.fixture
def redis_url(tmp_path):
    if REDIS is None:
        pytest.fail("redis-server is not installed: `make test` installs it (make queue-server)")
    port = free_port()
    server = subprocess.Popen(
        [
            REDIS,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return None

        wait_for(answers, within=60, what="redis-server to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(30)


@pytest.fixture
def app(store_dir, redis_url):
    app = app_over(store_dir, LDR_HARVEST_ALLOW="127.0.0.1", LDR_QUEUE=redis_url)
    yield app
    close_app(app)


def test_a_run_queued_on_one_machine_is_done_by_anothers_worker(app, tokens, tmp_path, redis_url):  # noqa: F811
    (tmp_path / "apis.ttl").write_bytes(catalogue(BINS, ROADS))
    server = HarvestServer(tmp_path)
    try:
        client = app.test_client()
        source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
        # another machine: the same settings, its own process state, no store of its own opened
        other = Registry(app.extensions["ldr.registry"].settings)
        assert other.harvests.huey.storage.__class__.__name__ == "RedisStorage"
        other.harvests.enqueue(source)
        assert other.harvests.pending() == 1
        # only the run asked for: the schedule's own runs (every ten minutes) are tested apart
        app.extensions["ldr.registry"].harvests.start_worker(schedule=False)

        def logged():
            answer = client.get(
                "/doc/sources/leeds-apis/runs",
                headers={"Authorization": f"Bearer {tokens['leeds']}"},
            )
            return answer.json["runs"] or None

        runs = wait_for(logged, within=60, what="the run queued on the other machine")
        assert len(runs) == 1 and runs[0]["counts"]["created"] == 2
        assert other.harvests.pending() == 0
        assert [r for r in server.requests if r == "/apis.ttl"] == ["/apis.ttl"]
    finally:
        server.close()


def test_a_source_is_run_by_one_worker_at_a_time(app, tokens, tmp_path):  # noqa: F811
    (tmp_path / "apis.ttl").write_bytes(catalogue(BINS))
    server = HarvestServer(tmp_path)
    try:
        source = register_and_approve(
            app.test_client(), tokens, "leeds-apis", server.url("apis.ttl")
        )
        queue = app.extensions["ldr.registry"].harvests
        with queue.huey.lock_task(f"harvest {source}"):  # as if another machine were running it
            assert queue.harvest_task.call_local(source) is None  # dropped, not run twice
        assert server.requests == []
        assert queue.harvest_task.call_local(source) == {
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "withdrawn": 0,
            "reinstated": 0,
            "failed": 0,
            "skipped": 0,
        }
    finally:
        server.close()
