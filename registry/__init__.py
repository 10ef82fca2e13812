"""Local Digital Registry core: everything but the web pages. Never imports Flask.

One package per concern (docs/architecture.md has the map):
vocab/ the registry's own vocabulary and shapes; rdf/ reading and writing RDF; store/ the triple
store and where every graph lives; records/ submitting, validating and versioning records;
accounts/ users, tokens and sessions; search/ the listing and search index; query/ the public
SPARQL service and stored queries; bulk/ whole-registry loads, dumps and restores; importers/
records from others' data; views/ what pages and reports show; conformance/ checking a supplier's
data against a standard; runtime/ settings and running processes; cli/ the `ldr` command.
"""
from pathlib import Path

#: The folder holding ontology/, shapes/ and data/ (the checkout, or the installed distribution).
ROOT = Path(__file__).resolve().parent.parent
