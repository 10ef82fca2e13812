"""The whole registry at once: loading files as one validated bundle (loader), exporting and
restoring dumps (dumps).

Imports vocab/, rdf/, store/, records/ and search/."""
