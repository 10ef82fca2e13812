"""Records made from others' published data: every UK council from the mySociety CSV (councils).

Imports bulk/ and what it imports."""
