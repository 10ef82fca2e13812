"""Running the registry's processes: every setting (settings), the memory allocator (allocator) and
per-client rate limits (rate_limit).

May import nothing else of the registry (the layers are in pyproject.toml's import contract)."""
