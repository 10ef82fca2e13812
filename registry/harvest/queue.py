"""The harvest job queue, on huey: a maintained task queue with an SQLite backend that needs no
server (the default: a file beside the store) and a Redis backend for several web machines
sharing one queue (LDR_QUEUE=redis://…). docs/harvesting.md says why huey.

Two tasks: `harvest` runs one source; `schedule`, a periodic task every ten minutes, queues the
approved sources whose schedule says they are due. A source is run by one worker at a time (a
huey lock named after it, held in the queue's storage, so across machines too); a second
request while it runs is dropped, not queued behind it.

The web process runs the jobs itself, in a thread (start_worker), because an embedded store is
written by one process only; `ldr harvest worker` runs them in the foreground instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException

from registry.runtime.settings import beside_store

LOG = logging.getLogger("ldr.harvest")

#: (store, model, settings) for a job: the registry of the process that runs it
Parts = Callable[[], tuple[Any, Any, Mapping[str, Any]]]


def make_huey(settings: Mapping[str, Any]) -> Huey:
    url = str(settings.get("LDR_QUEUE") or "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("ldr-harvest", url=url)
    path = beside_store(settings, None, ".queue.sqlite")
    return SqliteHuey("ldr-harvest", filename=str(path))


class _InProcessConsumer(Consumer):
    """huey's consumer without its signal handlers: in the web process the server owns those."""

    def _set_signal_handlers(self) -> None:
        pass


class HarvestQueue:
    def __init__(self, settings: Mapping[str, Any], parts: Parts):
        self.huey = make_huey(settings)
        self._parts = parts
        self._consumer: Consumer | None = None
        huey = self.huey

        @huey.task(name="harvest")
        def harvest_task(source: str) -> dict | None:
            from registry.harvest.service import harvest

            try:
                with huey.lock_task(f"harvest {source}"):
                    store, model, settings = self._parts()
                    report = harvest(store, model, settings, source)
                    LOG.info("harvested %s: %s", source, report.error or report.counts)
                    return report.counts
            except TaskLockedException:
                LOG.info("%s is being harvested already; this request is dropped", source)
                return None

        @huey.periodic_task(crontab(minute="*/10"), name="schedule")
        def schedule_task() -> list[str]:
            from registry.harvest.service import due

            store, model, _ = self._parts()
            found = due(store, model)
            for source in found:
                harvest_task(source)
            return found

        self.harvest_task = harvest_task
        self.schedule_task = schedule_task

    def enqueue(self, source: str) -> str:
        """Queue a run of the source, unless one is waiting already (asking twice, or five
        times, makes one run); the job's id."""
        for task in self.huey.pending():
            if task.name == "harvest" and tuple(task.args) == (source,):
                return task.id
        return self.harvest_task(source).id

    def start_worker(self, workers: int = 1, schedule: bool = True) -> None:
        """Run queued jobs (and, with `schedule`, the schedule) in threads of this process
        until stop_worker."""
        if self._consumer is not None:
            return
        consumer = _InProcessConsumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            periodic=schedule,
            scheduler_interval=1,
        )
        consumer.start()
        self._consumer = consumer

    def run_worker(self, workers: int = 1) -> None:
        """Run queued jobs and the schedule in the foreground (`ldr harvest worker`)."""
        Consumer(self.huey, workers=workers, worker_type="thread", periodic=True).run()

    def stop_worker(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None

    def pending(self) -> int:
        return self.huey.pending_count()
