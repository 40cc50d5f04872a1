"""Imports put off: public names imported on first use, a module imported after another.

:func:`lazy_getattr` makes a package's ``__getattr__`` (PEP 562) that imports a
public name when it is first asked for; :func:`import_after` imports a module as
soon as another is (``asnkit`` registers ``DataFrame.asn`` once pandas is
imported, without importing pandas itself).

>>> import asnkit.rules
>>> asnkit.rules.__getattr__("dms_level3").__module__
'asnkit.rules.level3'
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["collector_paused", "import_after", "lazy_getattr"]


def lazy_getattr(package: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from ``table[name]``.

    The value is kept in the package's namespace, so each name is imported once; a
    name whose module is ``package.name`` is that submodule itself.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    table : mapping of str to str
        Public name -> the module that defines it.
    """

    def __getattr__(name: str) -> Any:
        module_name = table.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(module_name)
        value = module if module_name == f"{package}.{name}" else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large package is imported.

    Importing pandas makes some 10^5 objects that live as long as the process: the
    collector would scan them again and again while they are made, and once more
    after (a tenth of the import's time). It is paused meanwhile, and what was made
    is then moved to the oldest generation unscanned, where a long-lived object ends
    up anyway (not when the program froze objects itself: unfreezing would release
    those too). The collector is left on or off as it was.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if collecting:
            gc.enable()


def import_after(trigger: str, module: str) -> None:
    """Import ``module`` as soon as the top-level module ``trigger`` has been imported.

    At once when ``trigger`` is imported already; else a finder on
    :data:`sys.meta_path` waits for ``trigger``'s import, runs it (with the
    collector paused, :func:`collector_paused`), imports ``module`` after it and
    removes itself. ``trigger`` itself is never imported here. An import of
    ``trigger`` that fails leaves the finder in place (a later import that works
    still imports ``module``); an import of ``module`` that fails after
    ``trigger`` loaded is a :class:`RuntimeWarning`, not a failed import of
    ``trigger``. Asking twice for the same pair installs one finder.

    Parameters
    ----------
    trigger : str
        A top-level module, such as ``"pandas"``.
    module : str
        The module to import after it, such as ``"asnkit.accessor"``.

    Examples
    --------
    >>> import json  # imported already: the module is imported at once
    >>> import_after("json", "asnkit.version")
    >>> import sys
    >>> "asnkit.version" in sys.modules
    True
    """
    if trigger in sys.modules:
        importlib.import_module(module)
        return
    finder = _ImportAfter(trigger, module)
    if finder not in sys.meta_path:
        sys.meta_path.insert(0, finder)


class _ImportAfter:
    """A :data:`sys.meta_path` finder: ``module`` is imported once ``trigger``'s loader ran.

    It finds ``trigger`` as the other finders do and wraps that loader's
    ``exec_module`` (on the loader object, which is made for this import); it
    finds nothing else.
    """

    def __init__(self, trigger: str, module: str) -> None:
        self.trigger = trigger
        self.module = module
        self.finding = False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ImportAfter) and (other.trigger, other.module) == (
            self.trigger,
            self.module,
        )

    def __hash__(self) -> int:
        return hash((self.trigger, self.module))

    def __repr__(self) -> str:
        return f"<import {self.module} after {self.trigger}>"

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.trigger or self.finding:
            return None
        self.finding = True  # the finders after this one find it (this one finds nothing)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self.finding = False
        loader = getattr(spec, "loader", None)
        run = getattr(loader, "exec_module", None)
        if run is None:
            return None  # nothing to wrap: the import goes on without this finder

        def exec_module(loaded: Any) -> None:
            try:
                with collector_paused():
                    run(loaded)
            finally:
                del loader.exec_module  # the loader's own method again
            self.remove()
            try:
                importlib.import_module(self.module)
            except Exception as exc:  # trigger itself was imported: its import stands
                if self.module in sys.modules:
                    return  # another thread is importing it (the two imports met): it ends it
                warnings.warn(
                    f"{self.module} was not imported after {self.trigger}: {exc!r}",
                    RuntimeWarning,
                    stacklevel=2,
                )

        try:
            loader.exec_module = exec_module
        except AttributeError:  # a loader that takes no attributes
            return None
        return spec

    def remove(self) -> None:
        """Take this finder off :data:`sys.meta_path` (if it is there)."""
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
