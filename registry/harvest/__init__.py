"""Harvesting: records kept in step with the metadata organisations already publish.

A harvest source is a record of its own (the sources register). A run fetches the source's
address safely (fetch), reads it with its kind's mapping (kinds/: publiccode.yml, DCAT and
ADMS-AP, the UK API catalogue and organisations' API lists) into records in the registry's
vocabulary, and brings the registry in step (sync): new records registered, changed ones given
a new version, unchanged ones left alone, missing ones withdrawn after the source's number of
runs. Each run's log is kept in the store (log). Runs are queued and scheduled with huey
(queue); `ldr harvest` and the sources' pages start them.

May import the packages in the layers below it: bulk/, conformance/, views/, accounts/, search/,
query/, records/, store/, vocab/, rdf/, runtime/ (pyproject.toml's import contract;
tests/test_house.py checks it)."""
