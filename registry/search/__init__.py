"""The search and listing index: what every engine answers and where one is chosen (index),
what each record is indexed as (documents: facets, text, labels), the SQLite FTS5 engine
(sqlite_fts), where its files live (files) and the index of a dump built beside a restore
(dump_index). It follows the store's record events (registry.assembly subscribes it).

May import the packages in the layers below it: records/, store/, vocab/, rdf/, runtime/
(pyproject.toml's import contract; tests/test_house.py checks it)."""
