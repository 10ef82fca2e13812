"""Checking a supplier's data against a standard's own validation resources (checker).

Imports records/, store/, vocab/, rdf/ and runtime/."""
