"""RDF in and out, and the names in it: the syntaxes and media types (formats), parsing with limits
and serialising (rdfio), every namespace and the IRIs made from the base (namespaces), what
references and IRIs may be and how a term is written into SPARQL (identifiers), and which
characters text may hold (text).

May import nothing else of the registry (the layers are in pyproject.toml's import contract)."""
