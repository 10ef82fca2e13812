"""The record-events spine: each committed change to the records publishes one event per record
that changed, and everything kept in step with the records subscribes here instead of being
called by hand after each kind of write.

Every subscriber is registered in one place, the composition root (registry.assembly.Registry):
today the search and listing index and the SPARQL service's snapshot. Feeds, webhooks and harvest
logs subscribe the same way.

The change is already safe in the store when its events are published: a subscriber that fails
is logged and the others still run; the write is never reported as failed because of it.
Imports: the standard library only, so that every layer may use it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

LOG = logging.getLogger("ldr")


@dataclass(frozen=True)
class RecordEvent:
    """One record's committed change."""

    record: str  # the record's IRI
    version: int  # the version the change made
    activity: str  # Submission, Revision, StatusChange, Load or Restore
    agent: str  # the user name (or the command) that made it
    organisation: str | None  # for whom, if the agent acted for an organisation
    status: str | None  # the record's registration status after the change (an IRI)
    at: str  # when, as xsd:dateTime text
    note: str = ""


Subscriber = Callable[[list[RecordEvent]], None]


class Events:
    """The subscribers to record events, each under a name for the log; publish calls each in
    the order they subscribed, with the events of one committed change."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []
        self._lock = threading.Lock()

    def subscribe(self, name: str, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append((name, subscriber))

    def subscribers(self) -> list[str]:
        return [name for name, _ in self._subscribers]

    def publish(self, events: Iterable[RecordEvent]) -> None:
        batch = list(events)
        if not batch:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for name, subscriber in subscribers:
            try:
                subscriber(batch)
            except Exception:  # noqa: BLE001 - derived data; the write itself succeeded
                LOG.exception(
                    "%s failed after a committed change to %s",
                    name,
                    ", ".join(event.record for event in batch[:5])
                    + (" …" if len(batch) > 5 else ""),
                )
