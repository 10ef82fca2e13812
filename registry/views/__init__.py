"""Read models for pages and reports: one item's description (item), its rows for a page
(presentation), forms generated from the shapes (forms), programme reports (reports), the DCAT
catalogue (catalogue) and which standards apply (applicable). Nothing here is HTTP.

Imports vocab/, rdf/, store/, records/, search/ and query/."""
