"""Local Digital Registry core: store, validation, loading, CLI. Never imports Flask."""
