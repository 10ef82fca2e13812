"""The whole registry at once: loading files as one validated bundle (loader), exporting and
restoring dumps (dumps), moving a store to the one vocabulary namespace (migrate).

Imports search/, records/, store/, vocab/ and rdf/."""
