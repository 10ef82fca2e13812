"""The public SPARQL service: the guard deciding what may run (guard), the service that picks
(service): the pool of worker processes (pool, worker) or the SPARQL server (remote), stored
queries with stable URLs (stored), the service description and what the query page opens with
(page).

May import the packages in the layers below it: records/, store/, vocab/, rdf/, runtime/
(pyproject.toml's import contract; tests/test_house.py checks it)."""
