"""The search and listing index (index: SQLite FTS5, facets), where its files live (files) and the
index of a dump built beside a restore (dump_index). It subscribes to the store's record events.

Imports records/, store/, vocab/, rdf/ and runtime/."""
