"""What pyshacl would otherwise work out again on every validation, worked out once per process.

pyshacl's validate() starts from nothing each time: it parses the SPARQL of the shapes'
constraints, builds an object for every shape, looks up the prefixes of every SPARQL-based
constraint, and checks each predicate of each shape against its list of constraint parameters
one by one. For a submission that is most of its validation (profiled with pyinstrument and
cProfile on an exemplar submitted into a store of 1M triples: 23 ms, 15 ms with what is here).

Each adjustment below reaches into pyshacl's internals, so pyshacl's version is pinned in
pyproject.toml; each is made only if the part it adjusts is still there, and
tests/test_constraints.py checks that all are in effect and that reports are the same with them
as without.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache

import pyshacl.shape as _shape
import pyshacl.validator as _validator
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph
from rdflib.plugins.sparql import processor as _sparql

# --- the SPARQL of SELECT-based constraints, parsed once -----------------------------------------
# pyshacl runs it as text, once per value, and rdflib parsed the text every time: three quarters
# of a submission's validation before this. A prepared query is what rdflib itself offers for reuse.
_unprepared_query = _sparql.SPARQLProcessor.query


@lru_cache(maxsize=1024)
def _prepared(text: str, base: str | None, namespaces: frozenset):
    return _sparql.translateQuery(_sparql.parseQuery(text), base, dict(namespaces))


def _query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803 - rdflib's names
    if isinstance(strOrQuery, str):
        strOrQuery = _prepared(strOrQuery, base, frozenset((initNs or {}).items()))
    return _unprepared_query(self, strOrQuery, initBindings, initNs, base, DEBUG)


_sparql.SPARQLProcessor.query = _query  # type: ignore[method-assign]  # patched on purpose

# --- one ShapesGraph (pyshacl's objects for every shape) per shapes graph -------------------------
_using = threading.local()
_building = threading.Lock()


def shapes_graph(graph: Graph, memo: dict) -> ShapesGraph:
    """pyshacl's ShapesGraph for `graph`, built once and kept in `memo` (a Model's), its shapes
    harvested at once under a lock: request threads share it and only read it afterwards."""
    with _building:
        if "shacl_shapes_graph" not in memo:
            built = ShapesGraph(graph)
            list(built.shapes), built.custom_constraints  # noqa: B018 - harvested now, not by two threads later
            memo["shacl_shapes_graph"] = built
    return memo["shacl_shapes_graph"]


@contextmanager
def reusing(shapes: ShapesGraph):
    """Within this block, this thread's pyshacl validations against shapes.graph use `shapes`."""
    _using.shapes = shapes
    try:
        yield
    finally:
        _using.shapes = None


_new_shapes_graph = _validator.ShapesGraph


def _shapes_graph_for_validator(graph, *args, **kwargs):
    kept = getattr(_using, "shapes", None)
    if kept is not None and kept.graph is graph:
        return kept
    return _new_shapes_graph(graph, *args, **kwargs)


# --- the prefixes of each SPARQL-based constraint, looked up once per ShapesGraph ----------------
_collect_prefixes = SPARQLQueryHelper.collect_prefixes


def _collect_prefixes_once(self) -> None:
    found = self.shape.sg.__dict__.setdefault("_prefixes_by_node", {})
    if self.node not in found:
        _collect_prefixes(self)
        found[self.node] = dict(self.prefixes)
    else:
        self.prefixes.update(found[self.node])


# --- which predicates of a shape are constraint parameters: by hash, not by a walk of a list -----
class _Parameters(list):
    """pyshacl's list of constraint parameters, answering `in` from a set. A copy (which pyshacl
    makes to add the advanced ones) is a plain list again."""

    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._members


def _install() -> list[str]:
    """Make each adjustment whose target is still where it was; the names of those made."""
    made = ["prepared queries"]
    if getattr(_validator, "ShapesGraph", None) is ShapesGraph:
        # the validator's name for the class, pointed at a function on purpose
        _validator.ShapesGraph = _shapes_graph_for_validator  # type: ignore[misc, assignment]
        made.append("shapes graph")
    if callable(getattr(SPARQLQueryHelper, "collect_prefixes", None)):
        # patched on purpose
        SPARQLQueryHelper.collect_prefixes = _collect_prefixes_once  # type: ignore[method-assign]
        made.append("prefixes")
    if hasattr(_shape, "module"):  # where Shape.validate looks for them (and keeps them once found)
        # a name pyshacl's module defines only once Shape.validate has run: set here on purpose
        _shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )
        made.append("parameters")
    return made


IN_EFFECT = _install()
