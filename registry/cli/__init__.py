"""The `ldr` command: its entry point (launch, which restarts a heavy command with the allocator
first), its group and shared helpers (base), and one module per group of subcommands: store (init,
export, restore, reindex, migrate-vocabulary), records (validate, load, submit, status, history,
import-councils), accounts (user, token), conformance (check, fetch-schemas) and serving (serve),
gathered by commands. Each subcommand is a thin wrapper over one registry function.

May import every other package of the registry."""
