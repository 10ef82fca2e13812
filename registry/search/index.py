"""The search and listing index: what every engine behind list pages, facets and search answers
(SearchIndex), and the one place an engine is chosen (index_for). The registry's engine is
SQLite FTS5 (search/sqlite_fts.py); another (OpenSearch, Postgres) implements the same methods
over the documents of search/documents.py and is named in index_for.
"""

from __future__ import annotations

from typing import Protocol

from registry.search.documents import FacetValues, Hit
from registry.search.files import index_path
from registry.store import Store
from registry.store.base import StoreError
from registry.vocab.model import Model


class SearchIndex(Protocol):
    """An index of the store's current records. The store stays the source of truth: an index
    can always be thrown away and rebuilt from it."""

    def rebuild(self, store: Store, model: Model) -> int:
        """Index every record afresh; the number indexed."""
        ...

    def catch_up(self, store: Store, model: Model) -> SearchIndex:
        """Index what changed in the store since the index last looked, whoever changed it."""
        ...

    def update(
        self, store: Store, model: Model, iris: list[str], seen: tuple[str, str] | None = None
    ) -> None:
        """Index these records again (those gone from the store are dropped)."""
        ...

    def count(self, register: str | None = None) -> dict[str, int]:
        """Records indexed, by register."""
        ...

    def listing(
        self,
        register: str | None,
        filters: dict[str, list[str]],
        *,
        query: str = "",
        sort: str = "title",
        page: int = 1,
        per_page: int = 20,
    ) -> tuple[list[Hit], int]:
        """One page of the records of a register (or all) that match the filters and words,
        and how many match in all."""
        ...

    def facet_counts(
        self, register: str | None, filters: dict[str, list[str]], query: str = "", limit: int = 0
    ) -> dict[str, FacetValues]:
        """For each facet, how many of the matching records have each value."""
        ...

    def check_filters(self, model: Model, filters: dict[str, list[str]]) -> None:
        """Raise UnknownFilterValues for filter values that name nothing."""
        ...

    def with_selected(
        self, model: Model, facets: dict[str, FacetValues], filters: dict[str, list[str]]
    ) -> dict[str, FacetValues]:
        """The facets with every selected value among them (with 0 if nothing matches it)."""
        ...

    def register_counts(
        self, filters: dict[str, list[str]], query: str = ""
    ) -> list[tuple[str, int]]:
        """How many matching records each register has."""
        ...

    def recent(self, limit: int = 10) -> list[Hit]:
        """The records changed last."""
        ...

    def titles(self, register: str) -> dict[str, str]:
        """Every record of a register by its title in lower case: its IRI."""
        ...

    def similar_candidates(self, register: str, text: str, limit: int = 40) -> list[dict]:
        """Records of the register sharing the text's rarer words: candidates for
        'similar records', ranked by the caller."""
        ...

    def close(self) -> None: ...


def index_for(settings, fresh: bool = False) -> SearchIndex:
    """The index these settings name, as it is (see open_index to bring it up to date); with
    `fresh`, empty: what it held is thrown away first, for a rebuild."""
    from registry.search.files import remove_index_files
    from registry.search.sqlite_fts import SqliteSearchIndex

    if fresh:
        remove_index_files(index_path(settings))
    return SqliteSearchIndex(index_path(settings))


def open_index(store: Store, model: Model, settings) -> SearchIndex:
    """Open the index of these settings, brought up to date with the store (built first if it is
    empty). The composition root (registry.assembly) keeps it in step with every later change."""
    index = index_for(settings)
    try:
        index.catch_up(store, model)
    except StoreError:
        pass  # the store is not answering yet: the first request that needs the index catches up
    return index
