"""The base of computed conditions: :class:`Condition`, and marks for plain functions.

A rule is data; what it cannot say with a column and a value is a
:class:`Condition`: a small frozen object, callable with the signature of the
place it fills, that names itself, says what it checks and why something fails
it, and tells the engine which pool columns it reads. The DMS rules' own
conditions are in :mod:`asnkit.rules.roles` (member roles) and
:mod:`asnkit.rules.predicates` (everything else, and every name of both).

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, repr=False)
... class IsBig(Condition):
...     def __call__(self, item, asn=None):
...         return item["size"] > 10
>>> big = IsBig("is_big", "the exposure is big", columns=("size",))
>>> big, big({"size": 12}), describe(big), describe(len)
(is_big, True, 'is_big', 'len')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Condition", "asn_state", "describe", "reads"]


def reads(*columns: str) -> Callable[[Any], Any]:
    """Mark a plain function condition as reading only these pool columns of the exposure.

    The engine then checks it over the whole pool at once (as :attr:`Condition.columns`).
    """

    def mark(fn: Any) -> Any:
        fn.columns = tuple(columns)
        return fn

    return mark


def asn_state(fn: Any) -> Any:
    """Mark a plain function source as reading only the association, and staying once changed."""
    fn.state_only = True
    return fn


def describe(value: Any) -> str:
    """A short readable name for a condition, a plain function or any value."""
    if isinstance(value, Condition):
        return repr(value)
    return getattr(value, "__name__", None) or type(value).__name__


@dataclass(frozen=True, repr=False)
class Condition:
    """A computed condition: callable, named, and able to say what it checks and why it fails.

    Attributes
    ----------
    name : str
        What ``repr`` shows (``has_science``).
    text : str
        What it checks, for people.
    columns : tuple of str or None
        The pool columns of the exposure it reads; ``None`` when it reads the
        association too (then the engine checks it exposure by exposure).
    state_only : bool
        It reads only the association, and once it changes it stays changed
        (the engine then stops offering exposures to associations it closed).
    label : str
        The word explanations use for its value (``"role"``); default its name.
    """

    name: str = field(default="", compare=False)
    text: str = field(default="", compare=False)
    columns: tuple[str, ...] | None = field(default=None, compare=False)
    state_only: bool = field(default=False, compare=False)
    label: str = field(default="", compare=False)

    def __repr__(self) -> str:
        return self.name or type(self).__name__

    @property
    def __name__(self) -> str:  # reads like a function's name
        return repr(self)

    def __call__(self, *args: Any) -> Any:
        raise NotImplementedError

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        """Why the condition does not hold, in words, or None (explanations then say
        ``<label> is <got>, needs <value>``); ``value``: what was required, ``got``:
        what was found."""
        return None

    def accepts_candidate_type(self, kind: str) -> bool:
        """False if the condition never holds for associations of this candidate type.

        ``kind`` is a candidate type (``observation``, ``mosaic``...) or ``discovered``
        for associations made across the pool.
        """
        return True
