"""Users, their organisations and roles, API tokens, web sessions and failed sign-ins, kept in their
own SQLite file (users).

Imports vocab/, rdf/ and views/forms (naming an organisation as a form does)."""
