"""Records made from others' published data: every UK council from the mySociety CSV (councils).

May import the packages in the layers below it: bulk/, conformance/, views/, accounts/, search/,
query/, records/, store/, vocab/, rdf/, runtime/ (pyproject.toml's import contract;
tests/test_house.py checks it)."""
