"""Users, their organisations and roles, API tokens, web sessions and failed sign-ins, kept in their
own SQLite file (users).

May import the packages in the layers below it: search/, query/, records/, store/, vocab/, rdf/,
runtime/ (pyproject.toml's import contract; tests/test_house.py checks it)."""
