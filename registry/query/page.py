"""What the SPARQL query page (/query) opens with: the registry's prefixes, and a first query
that answers a real question, so an analyst sees results and the shape of the data at once."""

from __future__ import annotations

from registry.rdf.namespaces import Base

OPENING_QUERY = """\
# Exemplar projects, who leads each, and the shared platforms they use.
# Press the triangle to run it; the stored queries are in the other tabs.
SELECT ?title ?leadName (GROUP_CONCAT(DISTINCT ?platformName; separator=", ") AS ?platforms) ?exemplar
WHERE {
  ?exemplar a ldr:Exemplar ;
            dcterms:title ?title ;
            ldr:leadOrganisation ?lead .
  ?lead dcterms:title ?leadName .
  OPTIONAL { ?exemplar ldr:usesPlatform/dcterms:title ?platformName }
}
GROUP BY ?title ?leadName ?exemplar
ORDER BY ?title
LIMIT 100
"""


def opening_query(base: Base) -> str:
    """The first tab's query: every prefix the registry uses, then OPENING_QUERY."""
    return base.sparql_prefixes() + "\n" + OPENING_QUERY
