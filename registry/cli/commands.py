"""The `ldr` command: its group and shared helpers (base), and its subcommands, one module per
group of commands (store, records, accounts, conformance, harvest, serving). Each subcommand is a thin
wrapper over one registry function. Importing this module registers them all."""

from __future__ import annotations

from registry.cli import (  # noqa: F401 - they register
    accounts,
    conformance,
    harvest,
    records,
    serving,
    store,
)
from registry.cli.base import _settings, main

__all__ = ["_settings", "main"]

if __name__ == "__main__":
    main()
