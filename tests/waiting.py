"""Waiting for an event rather than for the clock: a test on a loaded machine must not fail
because something took longer than usual, only because it never happened."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T],
    *,
    within: float = 60.0,
    every: float = 0.05,
    what: str = "the event",
) -> T:
    """Call `condition` until it returns something true and return that; fail the test after
    `within` seconds (a generous bound: it is reached only when the event never comes)."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within:g} s")
        time.sleep(every)
