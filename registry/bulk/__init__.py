"""The whole registry at once: loading files as one validated bundle (loader), exporting and restoring
dumps (dumps), moving a store to the one vocabulary namespace (migrate).

May import the packages in the layers below it: search/, query/, records/, store/, vocab/, rdf/,
runtime/ (pyproject.toml's import contract; tests/test_house.py checks it)."""
