"""The registry's own vocabulary as loaded: the ontology, concept schemes, registers and shapes
(model) and the compact JSON-LD context made from them (jsonld_context).

May import the packages in the layers below it: rdf/, runtime/ (pyproject.toml's import contract;
tests/test_house.py checks it)."""
