"""The search and listing index (index: SQLite FTS5, facets), where its files live (files) and the
index of a dump built beside a restore (dump_index).

Imports vocab/, rdf/ and store/."""
