"""The registry's own vocabulary as loaded: the ontology, concept schemes, registers and shapes
(model) and the compact JSON-LD context made from them (jsonld_context).

Imports only rdf/ (the layers are in pyproject.toml's import contract)."""
