"""The public SPARQL service: the guard deciding what may run (guard), the pool of worker processes
(service, worker) or the SPARQL server (remote), stored queries with stable URLs (stored), the
service description and what the query page opens with (page).

Imports store/, vocab/, rdf/ and runtime/."""
