"""Set-up on a fresh machine (issue 25, part A): the tests leave the developer's own registry
alone, `make` installs from Debian only what it needs, and a first `make serve` prints nothing
that looks like a fault."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request

from tests.conftest import ROOT


def test_make_installs_debian_packages_without_their_recommendations():
    """Each package `make` installs from Debian (or tells the user to) comes without the packages
    it merely recommends: chromium with them was 115 packages, 479 MB, and upgraded systemd."""
    shown = subprocess.run(
        ["make", "--dry-run", "--always-make", "browser", "allocator", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    installs = re.findall(r"apt-get install[^;\"]*", shown.stdout)
    assert len(installs) == 6, (
        shown.stdout
    )  # as root and as advice to others: chromium, mimalloc, wrk
    assert [i for i in installs if "--no-install-recommends" not in i] == []


def test_the_server_starts_without_a_warning(store_dir):
    """`ldr serve` says where it listens and nothing that looks like a fault, even with more
    request threads than twice the cores (granian warned of that; the number is chosen)."""
    from tests.server import Server

    many = str((os.cpu_count() or 1) * 2)  # threads: the query workers, this many waiting, and two
    server = Server(store_dir, LDR_QUERY_WAITING=many)
    try:
        assert urllib.request.urlopen(server.url + "/health", timeout=30).status == 200
    finally:
        server.stop()
    server.log.seek(0)
    said = server.log.read().decode("utf-8", "replace")
    assert "Listening at" in said
    assert [
        line for line in said.splitlines() if "WARNING" in line.upper() or "ERROR" in line.upper()
    ] == []


def test_a_test_that_changes_the_developers_var_fails(tmp_path):
    """The suite guards the registry a developer serves from this checkout: a test that leaves a
    file under var/ fails, and says which file."""
    guarded = tmp_path / "var"  # not the real var/: the other suite may be running beside this one
    probe = guarded / f"guard-probe-{os.getpid()}.txt"
    careless = tmp_path / "test_careless.py"
    careless.write_text(
        "from pathlib import Path\n\n\ndef test_writes_beside_the_store():\n"
        f"    Path({str(probe)!r}).parent.mkdir(exist_ok=True)\n"
        f"    Path({str(probe)!r}).write_text('left behind')\n",
        encoding="utf-8",
    )
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            "--rootdir",
            str(tmp_path),
            str(careless),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LDR_TESTS_GUARDED_VAR": str(guarded)},
    )
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "changed the developer's registry under var/" in ran.stdout
    assert f"var/{probe.name}" in ran.stdout


def test_a_first_make_serve_names_the_store_it_made(tmp_path):
    """The first `make serve` builds the store and says where: its real place, not the name it had
    while it was built (`var/store.new`), and nothing is left under that name."""
    import signal

    from tests.conftest import BASE
    from tests.server import free_port, wait_until_answering

    store, port = tmp_path / "store", free_port()
    with open(tmp_path / "make.log", "w+b") as log:
        make = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-o",
                "install",
                "-o",
                "allocator",
                "serve",
                f"STORE={store}",
                f"PORT={port}",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LDR_BASE": BASE},
            start_new_session=True,
        )
        try:
            wait_until_answering(port)
        finally:
            os.killpg(
                make.pid, signal.SIGTERM
            )  # make and the server it started, in their own session
            make.wait(60)
        log.seek(0)
        said = log.read().decode("utf-8", "replace")
    assert f"starter records into {store}." in said, said[-3000:]
    assert (
        ".new" not in said and sorted(p.name for p in tmp_path.iterdir() if ".new" in p.name) == []
    )
    assert (tmp_path / "store.index.sqlite").exists()  # the file made beside it moved with it
