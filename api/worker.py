"""The app as one worker process of `ldr serve` builds it."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

from . import create_app

PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """Ask Linux to kill this worker when the server's main process ends, however it ends: a
    worker left behind after a SIGKILL would keep the store locked, and a restarted server could
    not open it (found by tests/test_durability.py)."""
    parent = os.getppid()
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:   # the parent ended before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def app():
    """Settings come from the environment (`ldr serve` puts the store's location there)."""
    _end_with_parent()
    return create_app()
