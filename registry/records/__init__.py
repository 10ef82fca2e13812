"""Records and their life: splitting a document into records (split), SHACL validation and its
findings, the work pyshacl would otherwise repeat (shacl_reuse), submitting and changing records
with permissions (registration), versions written and history read (versions), and the events
each committed change publishes (events).

Imports vocab/, rdf/, store/ and search/ (similar records)."""
