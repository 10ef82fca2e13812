"""The composition root: the one place the registry's parts are built from settings and wired
together. The web app, every `ldr` command and the test fixtures get their store, vocabulary,
search index, accounts and query service from a Registry, and every subscriber to the record
events (registry.store.events) is registered here.

Each part is made when first asked for, so a command takes only what it uses (`ldr restore`
never loads the vocabulary; `ldr validate` without a store opens none).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from registry.runtime.settings import load_settings


class Registry:
    """One registry: its settings and, made on first use, its parts."""

    def __init__(self, settings: Mapping[str, Any], *, create: bool = False):
        self.settings = settings
        self._create = create

    @cached_property
    def model(self):
        """The vocabulary, concept schemes, registers and shapes (registry.vocab.model)."""
        from registry.vocab.model import load_model

        return load_model(self.settings["LDR_BASE"], tuple(self.settings["LDR_LANGUAGES"]))

    @cached_property
    def store(self):
        """The triple store of these settings (registry.store); StoreError if it cannot be opened."""
        from registry.store import open_store

        return open_store(self.settings, create=self._create)

    @property
    def events(self):
        """The store's record events: one per record each committed change wrote."""
        return self.store.events

    @cached_property
    def index(self):
        """The search and listing index, brought up to date and kept in step with every change."""
        from registry.search.index import open_index

        index = open_index(self.store, self.model, self.settings)
        self.events.subscribe(
            "the search index",
            lambda events: index.update(self.store, self.model, [e.record for e in events]),
        )
        return index

    @cached_property
    def accounts(self):
        """Users, tokens and sessions, in their own SQLite file (registry.accounts)."""
        from registry.accounts.users import open_accounts

        return open_accounts(self.settings)

    @cached_property
    def queries(self):
        """The public SPARQL service; its snapshot goes stale with every change."""
        from registry.query.service import QueryService

        service = QueryService(self.store, self.settings)
        self.events.subscribe("the SPARQL answers", lambda events: service.refresh())
        return service

    @cached_property
    def harvests(self):
        """The harvest job queue (registry.harvest.queue): its jobs run on this registry."""
        from registry.harvest.queue import HarvestQueue

        return HarvestQueue(self.settings, lambda: (self.store, self.model, self.settings))

    def open_all(self) -> None:
        """Make every part now (a server does, as it starts), not when a request first needs it."""
        from registry.records.versions import keep_vocabulary_current

        keep_vocabulary_current(self.store, self.model)  # before the index reads its labels
        for part in ("model", "store", "queries", "accounts", "index"):
            getattr(self, part)

    def close(self) -> None:
        """Close what was opened: the query workers, the index, the accounts file, the store."""
        opened = self.__dict__
        if "harvests" in opened:
            opened["harvests"].stop_worker()
        if "queries" in opened:
            opened["queries"].close()
        if "index" in opened:
            opened["index"].close()
        if "accounts" in opened:
            opened["accounts"].close()
        if "store" in opened:
            opened["store"].close()


def open_registry(
    config: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    create: bool = False,
) -> Registry:
    """The registry of these settings (LDR_* variables, the LDR_CONFIG file, then `config`: see
    registry.runtime.settings); its parts are opened when first used."""
    return Registry(load_settings(config, environ), create=create)
