"""The registry's own vocabulary: the ontology, concept schemes, registers and shapes as loaded
(model), every namespace and the IRIs made from the base (namespaces), the JSON-LD context, the
/def/ page's model (page) and moving a store to the one vocabulary namespace (migrate).

Imports only rdf/ and store/ of the registry."""
