"""Users, their organisations and roles, API tokens, web sessions and failed sign-ins, kept in their
own SQLite file (users).

Imports records/, runtime/ and what they import."""
