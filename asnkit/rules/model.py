"""The rule model: small frozen declarative objects that describe association rules.

A rule says which exposures it takes and which values must agree inside one
association as a tree of constraints:

* :class:`Attr` -- a pool column (or the first of several columns) whose value
  must match a regular expression, or, with no ``value``, must agree with the
  value the association took from its first exposure (``force_unique``);
* :class:`Test` -- a computed condition (a callable on the exposure and the
  association, e.g. "the exposure is science" or "the detector is valid");
* :class:`Group` -- children combined with :class:`Reduce` (all, any, none,
  not all).

A :class:`Rule` adds what the association is (``asn_type``, level), how members
are typed and named, the product-name template, validity checks and the
finalize step. The engine (:mod:`asnkit.engine`) applies rules; the rules hold
no state and never change.

The semantics follow the reference generator (jwst 3.0.0) so the DMS rule sets
in :mod:`asnkit.rules.level3` and :mod:`asnkit.rules.level2b` give the same
associations.

Examples
--------
>>> from asnkit.rules import attr, all_of
>>> same_program = attr("program", name="program")
>>> images = attr("exp_type", value="nrc_image|mir_image")
>>> all_of(same_program, images)
all_of(attr('program', name='program'), attr('exp_type', value='nrc_image|mir_image'))
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from asnkit.errors import AssociationError, AssociationTypeError
from asnkit.rules.patterns import pattern_matcher

__all__ = [
    "Attr",
    "DirectImage",
    "Finalize",
    "Group",
    "Node",
    "Reduce",
    "Rule",
    "Test",
    "WorkOver",
    "all_of",
    "any_of",
    "attr",
    "callable_name",
    "missing_columns",
    "none_of",
    "not_all",
    "test",
    "value_matches",
]


class WorkOver(enum.IntEnum):
    """What a reprocessed exposure is matched against (and its priority in the queue)."""

    RULES = 0  #: only creates new associations
    BOTH = 1  #: existing associations, then new ones
    EXISTING = 2  #: existing associations only
    NONSCIENCE = 3  #: existing associations only, after everything else


class Reduce(enum.Enum):
    """How a :class:`Group` combines its children."""

    ALL = "all_of"
    ANY = "any_of"
    NOT_ANY = "none_of"
    NOT_ALL = "not_all"


class Finalize(enum.Enum):
    """What happens to an association when generation ends."""

    DEFAULT = "default"  #: kept if valid
    MULTI_OBS = "multi_obs"  #: Level 3: group/background/mosaic candidates need >= 2 obs_num
    FIXEDSLIT_BKG = "fixedslit_bkg"  #: Level 3 nod targets: each science x1d is a background
    NOD = "nod"  #: Level 2: one association per science, other nods as background
    IMPRINT = "imprint"  #: Level 2: keep only the imprints that fit the science
    IMPRINT_NOD = "imprint_nod"  #: Level 2: imprint pruning, then nod splitting
    WFSS = "wfss"  #: Level 2 WFSS: direct image replaced by the Level 3 catalog members


class DirectImage(enum.Enum):
    """Which direct image a WFSS Level 2b association takes its catalog from (``Finalize.WFSS``)."""

    CLOSEST = "closest"  #: the next one in the exposure sequence after the science (``expspcin``)
    LONG_CHANNEL = "long channel"  #: the first long-wavelength one (pure parallels: no sequence)


def value_matches(value: str, patterns: str | Sequence[str]) -> bool:
    """True if ``value`` matches one of the regular expressions in full, ignoring case.

    What an :class:`Attr` value means (as in the reference generator, which
    matches ``"^" + pattern + "$"``).

    >>> value_matches("NRC_IMAGE", "nrc_image|mir_image"), value_matches("nrc_image", ("mir_.*",))
    (True, False)
    """
    if isinstance(patterns, str):
        return pattern_matcher(patterns)(value)
    return any(pattern_matcher(p)(value) for p in patterns)


def callable_name(value: Any) -> str:
    """A short readable name for a callable (used in reprs and constraint text)."""
    return getattr(value, "__name__", None) or type(value).__name__


def _fmt(value: Any) -> str:
    if callable(value):
        return callable_name(value)
    return repr(value)


@dataclass(frozen=True, repr=False)
class Attr:
    """A pool column that must match a value, or agree within the association.

    Parameters
    ----------
    sources : tuple of str
        Columns to read; the first one holding a valid (non-empty) value is used.
    name : str, optional
        Name of the constraint (product names and checks look values up by name).
    value : str, tuple of str, callable or None
        Regular expression(s) the value must match in full (case-insensitive).
        A callable takes the association and returns the expression. ``None``:
        any value, and with ``force_unique`` the first value found becomes the
        value every later exposure must have.
    force_unique : bool
        Pin the value found first.
    required : bool
        An exposure without a value fails (else it passes).
    force_undefined : bool
        The exposure must NOT have a value.
    onlyif : callable, optional
        ``onlyif(item, association)``; when false the constraint passes (and
        reprocesses with ``force_reprocess``).
    force_reprocess : WorkOver, optional
        On a pass, send the exposure back to be matched again over this category.
    only_on_match : bool
        Reprocess only if the whole association matched.
    evaluate : bool
        Parse the value as a Python literal (``asn_candidate``).
    is_acid : bool
        This constraint's value gives the association id.
    """

    sources: tuple[str, ...]
    name: str | None = None
    value: str | tuple[str, ...] | Callable[..., str] | None = None
    force_unique: bool = True
    required: bool = True
    force_undefined: bool = False
    onlyif: Callable[..., bool] | None = None
    force_reprocess: WorkOver | None = None
    only_on_match: bool = False
    evaluate: bool = False
    is_acid: bool = False

    def __repr__(self) -> str:
        args = [", ".join(repr(s) for s in self.sources)]
        defaults = Attr(self.sources)
        for key in (
            "name",
            "value",
            "force_unique",
            "required",
            "force_undefined",
            "onlyif",
            "force_reprocess",
            "only_on_match",
            "evaluate",
            "is_acid",
        ):
            value = getattr(self, key)
            if value != getattr(defaults, key):
                shown = value.name if isinstance(value, enum.Enum) else _fmt(value)
                args.append(f"{key}={shown}")
        return f"attr({', '.join(args)})"

    @property
    def pins_own_value(self) -> bool:
        """It pins a value of the exposure's own columns: the first value found (escaped)
        is the one every later exposure must have (``force_unique``), read as text (not
        evaluated) from columns other than ``asn_candidate``, with no fixed part computed
        from the association, and not an absence (``force_undefined``).

        Examples
        --------
        >>> Attr(("filter",)).pins_own_value
        True
        >>> Attr(("exp_type",), value="nrc_image", force_unique=False).pins_own_value
        False
        >>> Attr(("asn_candidate",), evaluate=True).pins_own_value
        False
        """
        return (
            self.force_unique
            and "asn_candidate" not in self.sources
            and not self.force_undefined
            and not self.evaluate
            and not callable(self.value)
        )


@dataclass(frozen=True, repr=False)
class Test:
    """A computed condition on the exposure (and the association).

    ``source(item, association)`` gives a value (the item itself if ``None``);
    it passes when ``test(value, source_value, association)`` is true (equality
    if ``test`` is ``None``), or always when ``value`` is ``None``. With
    ``force_unique`` the passing source value replaces ``value``, as the
    reference generator does.
    """

    value: Any = None
    source: Callable[..., Any] | None = None
    test: Callable[..., bool] | None = None
    name: str | None = None
    force_unique: bool = True
    reprocess_on_match: bool = False
    reprocess_on_fail: bool = False
    work_over: WorkOver = WorkOver.BOTH
    reprocess_rules: tuple[str, ...] | None = None

    __test__ = False  # not a pytest test class

    def __repr__(self) -> str:
        args = []
        defaults = Test()
        for key in (
            "value",
            "source",
            "test",
            "name",
            "force_unique",
            "reprocess_on_match",
            "reprocess_on_fail",
            "work_over",
            "reprocess_rules",
        ):
            value = getattr(self, key)
            if value != getattr(defaults, key):
                shown = value.name if isinstance(value, enum.Enum) else _fmt(value)
                args.append(f"{key}={shown}")
        return f"test({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class Group:
    """Children combined by ``reduce`` (all of, any of, none of, not all)."""

    children: tuple[Node, ...]
    reduce: Reduce = Reduce.ALL
    name: str | None = None
    reprocess_on_match: bool = False
    reprocess_on_fail: bool = False
    work_over: WorkOver = WorkOver.BOTH

    def __repr__(self) -> str:
        args = [repr(child) for child in self.children]
        if self.name:
            args.append(f"name={self.name!r}")
        if self.reprocess_on_match:
            args.append("reprocess_on_match=True")
        if self.reprocess_on_fail:
            args.append("reprocess_on_fail=True")
        if self.work_over is not WorkOver.BOTH:
            args.append(f"work_over={self.work_over.name}")
        return f"{self.reduce.value}({', '.join(args)})"


Node = Union[Attr, Test, Group]  # noqa: UP007 (runtime alias, py3.10)


@dataclass(frozen=True, repr=False)
class Rule:
    """One association rule.

    Parameters
    ----------
    name : str
        The rule name, e.g. ``"Asn_Lv3Image"`` (written as ``asn_rule`` with the
        ``candidate_``/``discover_`` prefix).
    level : int
        2 (Level 2b: one product per science exposure) or 3.
    asn_type : str
        e.g. ``"image3"``.
    constraints : Group
        The constraint tree.
    exposure_type : callable
        ``exposure_type(item, association) -> str``: the member role of an exposure.
    product_name : callable
        ``product_name(association) -> str``.
    finalize : Finalize
        The finalize step.
    validity : tuple of callables
        ``check(member, association) -> bool``; each must pass for at least one
        member for the association to be kept.
    integrations : callable, optional
        ``integrations(item, association) -> bool``: the member uses ``*ints`` files
        (default :data:`asnkit.rules.predicates.default_integrations`).
    direct_image : DirectImage
        With ``Finalize.WFSS``: which direct image gives the catalog.
    description : str
        One line for people.
    columns : tuple of str
        Pool columns the rule's own conditions name (``select``, ``agree`` of
        :func:`~asnkit.rules.custom.rule`): generation raises
        :class:`~asnkit.PoolError` when the pool lacks one (see :func:`missing_columns`).

    The candidate types whose associations the rule keeps follow from its
    validity checks (:meth:`keeps_candidate_type`); the engine makes no
    association of the others.
    """

    name: str
    level: int
    asn_type: str
    constraints: Group
    exposure_type: Callable[..., str]
    product_name: Callable[..., str]
    finalize: Finalize = Finalize.DEFAULT
    validity: tuple[Callable[..., bool], ...] = ()
    integrations: Callable[..., bool] | None = None
    direct_image: DirectImage = DirectImage.CLOSEST
    description: str = field(default="", compare=False)
    columns: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Rule({self.name!r}, level={self.level}, asn_type={self.asn_type!r})"

    def keeps_candidate_type(self, kind: str) -> bool:
        """False if no association of this candidate type can pass the validity checks.

        ``kind`` is a candidate type (``observation``, ``mosaic``...) or
        ``discovered`` (associations made across the pool).
        """
        return all(
            getattr(check, "accepts_candidate_type", _accepts_any)(kind) for check in self.validity
        )

    def describe(self) -> str:
        """A multi-line readable description of the rule and its constraints."""
        lines = [
            f"{self.name} (Level {self.level}, asn_type {self.asn_type}, "
            f"finalize {self.finalize.value})",
        ]
        if self.description:
            lines.append(f"  {self.description}")
        lines.append(f"  exposure type: {callable_name(self.exposure_type)}")
        lines.append(f"  product name: {callable_name(self.product_name)}")
        if self.validity:
            lines.append("  validity: " + ", ".join(callable_name(v) for v in self.validity))
        if self.finalize is Finalize.WFSS:
            lines.append(f"  direct image: {self.direct_image.value}")
        lines.extend(_describe(self.constraints, "  "))
        return "\n".join(lines)


def _accepts_any(kind: str) -> bool:
    return True


def missing_columns(rules: Any, columns: Any) -> list[tuple[str, str]]:
    """``(rule name, column)`` for each column a rule names that ``columns`` lacks.

    Examples
    --------
    >>> from asnkit.rules.custom import rule
    >>> missing_columns([rule("Mosaic", agree=["filtr"])], ["filename", "filter"])
    [('Mosaic', 'filtr')]
    """
    have = {str(c).lower() for c in columns}
    return [(r.name, c) for r in rules for c in r.columns if c.lower() not in have]


def _describe(node: Node, indent: str) -> list[str]:
    if isinstance(node, Group):
        head = f"{indent}{node.reduce.value}" + (f" [{node.name}]" if node.name else "")
        out = [head]
        for child in node.children:
            out.extend(_describe(child, indent + "  "))
        return out
    return [f"{indent}{node!r}"]


# --------------------------------------------------------------------------- factories


def attr(*sources: str, **options: Any) -> Attr:
    """An :class:`Attr` constraint on one or more columns (see :class:`Attr`).

    >>> attr("filter", "band", name="opt_elem")
    attr('filter', 'band', name='opt_elem')
    """
    if not sources:
        raise AssociationError("attr() needs at least one column")
    value = options.get("value")
    if isinstance(value, list):
        options["value"] = tuple(value)
    return Attr(tuple(s.lower() for s in sources), **options)


def test(value: Any = None, **options: Any) -> Test:
    """A :class:`Test` constraint (see :class:`Test`).

    >>> def is_science(item, asn):
    ...     return True
    >>> test(True, source=is_science)
    test(value=True, source=is_science)
    """
    return Test(value, **options)


test.__test__ = False  # type: ignore[attr-defined]  # a factory, not a pytest test


def _group(reduce: Reduce, children: tuple[Node, ...], options: dict[str, Any]) -> Group:
    for child in children:
        if not isinstance(child, (Attr, Test, Group)):
            raise AssociationTypeError(
                f"not a constraint: {child!r} (use attr(), test() or a group of them)"
            )
    return Group(tuple(children), reduce, **options)


def all_of(*children: Node, **options: Any) -> Group:
    """All children must match."""
    return _group(Reduce.ALL, children, options)


def any_of(*children: Node, **options: Any) -> Group:
    """The first matching child wins."""
    return _group(Reduce.ANY, children, options)


def none_of(*children: Node, **options: Any) -> Group:
    """No child may match."""
    return _group(Reduce.NOT_ANY, children, options)


def not_all(*children: Node, **options: Any) -> Group:
    """Not every child may match."""
    return _group(Reduce.NOT_ALL, children, options)
