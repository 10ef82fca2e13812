"""The `ldr` command's entry point: a heavy command starts again with the allocator before the
rest of the registry is imported (0.25 s of imports, which `ldr restore` otherwise did twice)."""

from __future__ import annotations

import sys

from registry.runtime.allocator import start_again_with_allocator
from registry.runtime.settings import SettingsError, load_settings

#: the commands that start again with LDR_ALLOCATOR's library (cli._settings(heavy=True))
HEAVY = ("init", "load", "export", "restore", "reindex", "serve", "migrate-vocabulary")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in HEAVY:
        try:
            setting = load_settings()["LDR_ALLOCATOR"]
        except SettingsError:
            setting = "system"  # the command itself reports the settings' mistake
        start_again_with_allocator(setting)
    from registry import FilesError

    try:
        from registry.cli.commands import main as command

        command()
    except FilesError as exc:  # the registry's own files are broken: say where, no traceback
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(2)
