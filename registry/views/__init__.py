"""Read models for pages and reports: one item's description (item), its rows for a page
(presentation), forms generated from the shapes (forms), programme reports (reports), the DCAT
catalogue (catalogue), which standards apply (applicable), the /def/ page (vocabulary) and the
records in others' formats: ADMS-AP, publiccode.yml, schema.org (exports). Nothing here is HTTP.

May import the packages in the layers below it: search/, query/, records/, store/, vocab/, rdf/,
runtime/ (pyproject.toml's import contract; tests/test_house.py checks it)."""
