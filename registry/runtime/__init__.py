"""Running the registry: every setting (settings), the memory allocator (allocator), the `ldr`
entry point (launch), work done once at start (warm_up) and per-client rate limits (rate_limit)."""
