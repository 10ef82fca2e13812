"""The `ldr` command: its entry point (launch, which restarts a heavy command with the allocator
first) and its subcommands (commands), each a thin wrapper over one registry function.

May import every other package of the registry."""
