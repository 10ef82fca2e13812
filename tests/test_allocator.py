"""The registry's processes run with the allocator LDR_ALLOCATOR names (registry/runtime/allocator.py):
the server and the commands that load in bulk start themselves again with it preloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.runtime.allocator import allocator_library
from registry.runtime.settings import SettingsError, load_settings
from tests.server import Server
from tests.test_cli import run


def test_the_setting_names_a_library_or_none(tmp_path):
    assert allocator_library("system") == ""
    library = tmp_path / "liballoc.so"
    library.write_bytes(b"")
    assert allocator_library(str(library)) == str(library)
    assert load_settings(environ={"LDR_ALLOCATOR": str(library)})["LDR_ALLOCATOR"] == str(library)
    with pytest.raises(SettingsError, match="LDR_ALLOCATOR.*shared library that exists"):
        load_settings(environ={"LDR_ALLOCATOR": str(tmp_path / "missing.so")})


def mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.parametrize("setting", ["auto", "system"])
def test_the_server_runs_with_the_allocator_it_is_given(store_dir, setting):
    library = allocator_library(setting)
    if setting == "auto":  # `make test` installs Debian's libmimalloc2.0
        assert library, "no allocator library found: sudo apt-get install libmimalloc2.0"
    server = Server(store_dir, LDR_ALLOCATOR=setting)
    try:
        loaded = mapped(server.process.pid)  # the same process, started again with the library
        if library:
            assert Path(library).name in loaded
        else:
            assert "mimalloc" not in loaded and "jemalloc" not in loaded
    finally:
        server.stop()


def test_a_bulk_command_started_again_with_the_allocator_still_does_its_work(tmp_path, store_dir):
    """`ldr export` then `ldr restore` of what it wrote: both start again with the allocator and
    finish with their usual output and exit status."""
    dump = tmp_path / "registry.nq"
    exported = run("export", "--format", "nquads", "-o", str(dump), store=store_dir)
    assert exported.returncode == 0, exported.stderr
    restored = run("restore", str(dump), store=tmp_path / "restored")
    assert restored.returncode == 0, restored.stderr
    assert "indexed" in restored.stdout


def test_a_bulk_command_starts_again_before_the_registry_is_imported(tmp_path):
    """The `ldr` entry point starts a heavy command again before importing the rest of the
    registry (rdflib, pyshacl: a quarter of a second that `ldr restore` of a small dump paid
    twice)."""
    import os
    import subprocess
    import sys

    library = tmp_path / "liballoc.so"
    library.write_bytes(b"")
    probe = (
        "import os, sys\n"
        "def execve(path, args, env):\n"
        "    print(args[1], env['LD_PRELOAD'], 'registry.cli.commands' in sys.modules, 'rdflib' in sys.modules)\n"
        "    sys.exit(0)\n"
        "os.execve = execve\n"
        "sys.argv = ['ldr', 'restore', 'registry.nq']\n"
        "from registry.cli.launch import main\n"
        "main()\n"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "LDR_ALLOCATOR_PRELOADED")
    }
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "LDR_ALLOCATOR": str(library)},
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.stdout.split() == ["restore", str(library), "False", "False"], done.stderr


def test_the_entry_point_knows_which_commands_start_again():
    """registry/cli/launch.py names the heavy commands without importing the CLI; they must be the
    ones whose settings are read with heavy=True."""
    import inspect

    from registry.cli import commands as cli
    from registry.cli.launch import HEAVY

    heavy = {
        name
        for name, command in cli.main.commands.items()
        if "heavy=True" in inspect.getsource(command.callback)
    }
    assert heavy == set(HEAVY)
