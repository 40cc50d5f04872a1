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

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AsnReads", "Condition", "Reading", "asn_state", "describe", "reading", "reads"]


def reads(*columns: str) -> Callable[[Any], Any]:
    """Mark a plain function condition as reading only these pool columns of the exposure.

    The engine then checks it over the whole pool at once (as :attr:`Condition.columns`)
    and remembers its outcomes by these columns' values. That is a promise: the
    function reads no other column and nothing of the association (its ``asn``
    argument); one that does gives wrong associations, silently. Leave such a
    function unmarked (it is then called for every exposure and association).
    """

    def mark(fn: Any) -> Any:
        fn.columns = tuple(columns)
        return fn

    return mark


def asn_state(fn: Any) -> Any:
    """Mark a plain function source as reading only the association, and staying once changed."""
    fn.state_only = True
    return fn


class AsnReads(enum.IntEnum):
    """How much of the association a condition reads (each level includes the ones below).

    ``NOTHING``: only the exposure; ``STATES``: the association's constraint states
    (values pinned, found, matched) and what follows from them (its id); ``ROLE``:
    also the role the association computed last, which it may set (the reference's
    ``original_exposure_type``); ``MEMBERS``: also its members (whether it has
    science...). Nothing else of the association is read or changed.
    """

    NOTHING = 0
    STATES = 1
    ROLE = 2
    MEMBERS = 3


@dataclass(frozen=True)
class Reading:
    """What a condition reads: the exposure's ``columns``, how much of the
    ``association`` (:class:`AsnReads`), and the ``names`` of the constraints whose
    states it looks up (None: any constraint's)."""

    columns: tuple[str, ...] = ()
    association: AsnReads = AsnReads.NOTHING
    names: tuple[str, ...] | None = ()

    def __post_init__(self) -> None:
        # the engine's column names are lower case; ``reads("FILTER")`` names ``filter``
        object.__setattr__(self, "columns", tuple(str(c).lower() for c in self.columns))


def reading(fn: Any, rule: Any = None) -> Reading | None:
    """What a condition (or a plain function) reads in ``rule``, or None if unknown.

    A :class:`Condition` says it (:meth:`Condition.reading`); a plain function marked
    with :func:`reads` reads only those columns, one marked with :func:`asn_state` only
    the association.

    >>> reading(reads("exp_type")(lambda item, asn: True))
    Reading(columns=('exp_type',), association=<AsnReads.NOTHING: 0>, names=())
    >>> reading(len) is None
    True
    """
    if isinstance(fn, Condition):
        return fn.reading(rule)
    columns = getattr(fn, "columns", None)
    if columns is not None:
        return Reading(tuple(columns))
    if getattr(fn, "state_only", False):
        return Reading((), AsnReads.MEMBERS, None)
    return None


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
        The pool columns of the exposure it reads, and nothing else (the engine
        remembers its outcomes by their values: declaring fewer than it reads gives
        wrong associations); ``None`` when it reads the association too (then the
        engine checks it exposure by exposure).
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

    def reading(self, rule: Any = None) -> Reading | None:
        """What it reads (:class:`Reading`) when ``rule`` uses it, or None if not known:
        its :attr:`columns` alone if it declares them; a condition that reads the
        association says how much (subclasses)."""
        if self.columns is not None and not self.state_only:
            return Reading(tuple(self.columns))
        return None

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
