"""Running the registry's processes: every setting (settings), the memory allocator (allocator)
and per-client rate limits (rate_limit).

Imports nothing else of the registry."""
