"""The import contract of pyproject.toml's [tool.importlinter], checked with import-linter:
registry/ (the core, shared by the CLI and the web app) imports nothing of the web layer; its
packages are in layers, each importing only those below it; and neither package's modules import
each other in a circle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )


def test_the_code_keeps_the_import_contract():
    checked = lint_imports(ROOT)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert "BROKEN" not in checked.stdout and checked.stdout.count("KEPT") == 4


def test_the_contract_catches_the_core_reaching_for_the_web_and_an_import_circle(tmp_path):
    """On a copy of the code: a registry module that imports Flask, two that import each other,
    and a package that imports one above it each break the contract, and the report names the
    import."""
    for part in ("registry", "api", "pyproject.toml"):
        source = ROOT / part
        (
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
            if source.is_dir()
            else shutil.copy(source, tmp_path / part)
        )
    with open(tmp_path / "registry" / "views" / "presentation.py", "a") as module:
        module.write(
            "\nfrom flask import request  # the core reaching for the web\nfrom . import forms  # forms imports presentation\n"
        )
    with open(tmp_path / "registry" / "rdf" / "text.py", "a") as module:
        module.write("\nfrom registry.records import versions  # the bottom layer reaching up\n")
    checked = lint_imports(tmp_path)
    assert checked.returncode == 1
    assert "registry.views.presentation -> flask" in checked.stdout
    assert "registry/ imports nothing of the web layer BROKEN" in checked.stdout
    assert "no import circles between registry's modules BROKEN" in checked.stdout
    assert "registry/'s packages import only those below them BROKEN" in checked.stdout
    assert "registry.rdf.text -> registry.records.versions" in checked.stdout
