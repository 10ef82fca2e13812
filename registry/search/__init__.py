"""The search and listing index (index: SQLite FTS5, facets), where its files live (files) and the
index of a dump built beside a restore (dump_index). It follows the store's record events
(registry.assembly subscribes it).

May import the packages in the layers below it: records/, store/, vocab/, rdf/, runtime/
(pyproject.toml's import contract; tests/test_house.py checks it)."""
