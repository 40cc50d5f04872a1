"""The browser code shipped with the widgets (``asnkit/widgets/static``), read on first use."""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["asset"]


@functools.cache
def asset(name: str) -> str:
    """The text of ``asnkit/widgets/static/<name>`` (an ES module or a style sheet)."""
    return resources.files("asnkit.widgets").joinpath("static", name).read_text("utf-8")
