"""The registry as an installable package: `pip wheel .` gives a wheel that carries the code, the
vocabulary, shapes, starter data, stored queries, templates and front-end assets; installed into a
fresh virtual environment outside the checkout, `ldr init` and `ldr serve` serve the starter
registry with its styles."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BASE, ROOT
from tests.server import free_port, wait_until_answering

#: what is copied to build from: the committed sources the wheel is made of, and the front-end
#: packages npm installed (the wheel carries the few files the pages use)
pytestmark = pytest.mark.package

SOURCES = ("pyproject.toml", "README.md", "registry", "api", "ontology", "shapes", "data")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout (a build leaves build/ and *.egg-info beside
    its sources), with the setuptools of this environment: nothing is downloaded."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        (
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
            if (ROOT / name).is_dir()
            else shutil.copy(ROOT / name, source / name)
        )
    for package in ("govuk-frontend", "@zazuko/yasgui"):
        shutil.copytree(ROOT / "node_modules" / package, source / "node_modules" / package)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
        ],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "BuildBackendWarning" not in built.stdout + built.stderr
    [made] = out.glob("ldr-*.whl")
    return made


def test_the_wheel_carries_what_the_registry_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/data/")[0] for n in names if ".data/data/" in n) + "/data/share/ldr/"
    for needed in (
        "registry/cli/launch.py",
        "api/serving.py",
        "api/templates/item.html",
        "api/static/ldr.css",
        "registry/query/queries/standards-by-adoption-status.rq",
        data + "ontology/ldr.ttl",
        data + "shapes/registry-shapes.ttl",
        data + "data/standards.ttl",
        data + "data/standard-schemas.json",
        data + "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css",
        data + "node_modules/@zazuko/yasgui/build/yasgui.min.js",
    ):
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_installed_outside_the_checkout_it_serves_the_starter_registry_with_its_styles(
    wheel, tmp_path
):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    # the dependencies are this environment's (nothing is downloaded in a test); the registry's
    # own code is the wheel's, since this environment's editable install is not read from here
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LDR_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["LDR_BASE"] = BASE
    where = subprocess.run(
        [str(python), "-c", "import registry; print(registry.__file__, registry.ROOT)"],
        cwd=away,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)) and str(ROOT) not in where, where

    store = tmp_path / "store"
    ldr = str(venv / "bin" / "ldr")
    init = subprocess.run(
        [ldr, "init", "--store", str(store)],
        cwd=away,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert init.returncode == 0, init.stderr[-3000:]
    assert f"starter records into {store}." in init.stdout + init.stderr
    port = free_port()
    with open(tmp_path / "serve.log", "w+b") as log:
        server = subprocess.Popen(
            [ldr, "serve", "--store", str(store), "--port", str(port)],
            cwd=away,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_answering(port)
            url = f"http://127.0.0.1:{port}"

            def get(path: str, accept: str = "text/html"):
                request = urllib.request.Request(url + path, headers={"Accept": accept})
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status, response.headers.get_content_type(), response.read()

            status, kind, home = get("/")
            assert (
                status == 200
                and b"/assets/govuk-frontend.min.css" in home
                and b"/static/ldr.css" in home
            )
            assert get("/assets/govuk-frontend.min.css")[:2] == (200, "text/css")
            assert get("/static/ldr.css")[:2] == (200, "text/css")
            assert get("/vendor/yasgui/yasgui.min.js")[0] == 200
            status, kind, uprn = get("/doc/standards/uprn", "text/turtle")
            assert (
                status == 200
                and kind == "text/turtle"
                and b"Unique Property Reference Number" in uprn
            )
            status, kind, rows = get(
                "/queries/standards-by-adoption-status.csv?status=mandated", "text/csv"
            )
            assert status == 200 and rows.count(b"\n") > 1
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)
