"""Checking a supplier's data against a standard's own validation resources (checker).

May import the packages in the layers below it: search/, query/, records/, store/, vocab/, rdf/,
runtime/ (pyproject.toml's import contract; tests/test_house.py checks it)."""
