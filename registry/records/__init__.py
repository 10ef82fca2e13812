"""Records and their life: splitting a document into records (split), SHACL validation and its
findings, the work pyshacl would otherwise repeat (shacl_reuse), how people name records (naming),
submitting and changing records with permissions (registration), versions written and records and
history read (versions), and the work a server does once at start (warm_up).

May import the packages in the layers below it: store/, vocab/, rdf/, runtime/ (pyproject.toml's
import contract; tests/test_house.py checks it)."""
