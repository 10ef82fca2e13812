"""The `ldr` command (commands): each subcommand a thin wrapper over one registry function.

May import everything in the registry."""
