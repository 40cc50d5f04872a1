"""Old public names kept for one release, each saying what replaces it.

>>> import warnings
>>> def read_thing(x):
...     return x
>>> load_thing = renamed(read_thing, "load_thing")
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     load_thing(1), str(caught[0].message)
(1, 'load_thing is deprecated: use read_thing (the same arguments)')
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["deprecated_property", "renamed"]


def renamed(new: Callable[..., Any], old_name: str) -> Callable[..., Any]:
    """``new`` under its old name: the same call, with a :class:`DeprecationWarning`."""

    @functools.wraps(new)
    def old(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{old_name} is deprecated: use {new.__name__} (the same arguments)",
            DeprecationWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    old.__name__ = old.__qualname__ = old_name
    old.__doc__ = f"Deprecated: use :func:`{new.__name__}`."
    return old


def deprecated_property(method: str, old_name: str) -> property:
    """A property ``old_name`` calling the method ``method``, with a :class:`DeprecationWarning`."""

    def get(self: Any) -> Any:
        warnings.warn(
            f"{type(self).__name__}.{old_name} is deprecated: use .{method}()",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, method)()

    return property(get, doc=f"Deprecated: use :meth:`{method}`.")
