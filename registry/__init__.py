"""Local Digital Registry core: everything but the web pages. Never imports Flask.

One package per concern (docs/architecture.md has the map):
vocab/ the registry's own vocabulary and shapes; rdf/ reading and writing RDF; store/ the triple
store and where every graph lives; records/ submitting, validating and versioning records;
accounts/ users, tokens and sessions; search/ the listing and search index; query/ the public
SPARQL service and stored queries; bulk/ whole-registry loads, dumps and restores; importers/
records from others' data; views/ what pages and reports show; conformance/ checking a supplier's
data against a standard; runtime/ settings and running processes; cli/ the `ldr` command.
"""

import sys
from pathlib import Path


def _home() -> Path:
    """The folder holding ontology/, shapes/, data/ and the front-end packages: the checkout this
    package is in, or, installed from a wheel, the `share/ldr` folder the wheel put them in."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "ldr"


#: The folder holding ontology/, shapes/, data/ and node_modules/ (see _home).
ROOT = _home()


class FilesError(RuntimeError):
    """The registry's own files (ontology/, shapes/) cannot be read into what it needs; the
    message names the file and what to change. The registry cannot start until they are fixed."""
