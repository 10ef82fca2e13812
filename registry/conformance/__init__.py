"""Checking a supplier's data against a standard's own validation resources (checker).

Imports vocab/, rdf/ and store/."""
