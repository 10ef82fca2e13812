"""Which memory allocator the registry's processes run with (LDR_ALLOCATOR).

pyoxigraph allocates through the C library's malloc, and glibc's malloc slowed its engine down
under load: profiled on this 2-core machine, `ldr restore` of 5M quads took 35.9-38.2 s with it
and 28.8-29.2 s with Debian's mimalloc (`oxigraph load`: 28.8 s), and three query processes ran
the OPTIONAL-heavy listing at 350 queries a second with it and 408 with mimalloc. An allocator
can only be chosen before a process starts, so the heavy commands start themselves again with
it preloaded (`LD_PRELOAD`), and the query workers are started with it.
"""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path

#: What Debian packages (libmimalloc2.0, libjemalloc2), in order of preference.
LIBRARIES = ("libmimalloc.so.2", "libjemalloc.so.2")
#: Set in the environment of a process started again with the allocator, so it is done once.
PRELOADED = "LDR_ALLOCATOR_PRELOADED"


def allocator_library(setting: str) -> str:
    """The shared library to preload for LDR_ALLOCATOR, or "" for the C library's malloc."""
    if setting == "system":
        return ""
    if setting != "auto":
        return setting if Path(setting).is_file() else ""  # checked when read from the environment
    for name in LIBRARIES:
        found = sorted(glob.glob(f"/usr/lib/*/{name}")) or sorted(glob.glob(f"/usr/lib/{name}"))
        if found:
            return found[0]
    return ""


def with_allocator(env: dict[str, str], library: str) -> dict[str, str]:
    """`env` for a process that is to run with `library` preloaded (as it is, if "")."""
    if not library:
        return env
    preloaded = env.get("LD_PRELOAD", "").split()
    return {
        **env,
        PRELOADED: library,
        "LD_PRELOAD": " ".join(preloaded if library in preloaded else [library, *preloaded]),
    }


def start_again_with_allocator(setting: str) -> None:
    """Replace this process by the same command with the allocator preloaded, unless it already
    runs with it or none is wanted or installed. Called before a heavy command does anything."""
    library = allocator_library(setting)
    command = _this_command()
    if not library or os.environ.get(PRELOADED) == library or command is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, with_allocator(dict(os.environ), library))


def _this_command() -> list[str] | None:
    """How to start this command again: the `ldr` script as it was run, or `python -m
    registry.cli.commands`; None when this process is not the `ldr` command (a program calling into it)."""
    started = Path(sys.argv[0])
    if started.name == "ldr":
        return sys.argv
    if started.resolve() == (Path(__file__).parent.parent / "cli" / "commands.py").resolve():
        return [sys.executable, "-m", "registry.cli.commands", *sys.argv[1:]]
    return None
