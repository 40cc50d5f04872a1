"""Debounce widget callbacks: run once the user has paused typing or clicking.

In a Jupyter kernel an asyncio loop is running, and :class:`Debouncer` schedules the
call ``wait`` seconds after the last trigger (earlier triggers are cancelled). Without a
running loop (plain Python, tests) or with ``wait=0`` it calls at once, so the widgets
stay synchronous and deterministic outside the notebook.

Examples
--------
>>> calls = []
>>> d = Debouncer(lambda: calls.append(1), wait=0.2)
>>> d(); d()           # no running loop here: immediate
>>> calls
[1, 1]
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["Debouncer"]


class Debouncer:
    """Call ``function`` ``wait`` seconds after the last trigger (immediately if no loop)."""

    def __init__(self, function: Callable[[], Any], wait: float = 0.15) -> None:
        self.function = function
        self.wait = float(wait)
        self._handle: asyncio.TimerHandle | None = None

    def __call__(self, *_: Any) -> None:
        if self.wait <= 0:
            self.function()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.function()
            return
        self.cancel()
        self._handle = loop.call_later(self.wait, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.function()

    def cancel(self) -> None:
        """Drop a pending call."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    @property
    def pending(self) -> bool:
        """Whether a call is scheduled."""
        return self._handle is not None
