"""Custom association rules in a few readable lines, and rules derived from DMS rules.

Two factories make :class:`~asnkit.rules.Rule` objects that the engine applies
like the DMS rules (:func:`asnkit.apply_rules`, ``df.asn.apply_rules``):

* :func:`rule` -- a new rule: which exposures it takes (``select``), which
  columns must have one value inside an association (``agree``), which values
  exclude an exposure (``exclude``), and over what it groups (:class:`Scope`:
  the whole pool, each observation, each candidate);
* :func:`derive` -- a DMS rule (:func:`dms_rule`) with some columns ignored
  or conditions added: "the DMS Level 3 image rule, but ignore observation and
  target".

A rule set is a plain list of rules. Every rule made by :func:`rule` keeps, as
every DMS Level 3 rule does, one program and one instrument per association,
and needs at least one science member. ``rule.describe()`` prints all its
conditions; :func:`asnkit.explain` tells, for one exposure, which rule took it
or which condition did not (:mod:`asnkit.generation.explain`).

Examples
--------
One NIRCam mosaic per filter/pupil across all the observations of a program:

>>> import asnkit
>>> from asnkit.rules.custom import rule
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
>>> mosaic = rule("NircamMosaic", "image3", agree=["filter", "pupil"],
...               select={"instrume": "nircam", "exp_type": "nrc_image"})
>>> mosaic
Rule('NircamMosaic', level=3, asn_type='image3')
>>> asns = pool.asn.apply_rules([mosaic])
>>> [(a.product_names[0], len(a.members())) for a in asns]
[('jw99009-a3001_t000_nircam_clear-f277w', 14), ('jw99009-a3001_t000_nircam_clear-f090w', 56)]

The same from the DMS image rule, ignoring observation and target:

>>> from asnkit.rules.custom import derive, dms_rule
>>> wide = derive(dms_rule("Asn_Lv3Image"), "WideImage", ignore=["obs_num", "target"])
>>> sorted(len(a.members()) for a in pool.asn.apply_rules([wide]))
[14, 56]
>>> print(wide.describe().splitlines()[0])
WideImage (Level 3, asn_type image3, finalize multi_obs)

Why is an exposure in (or not in) an association of these rules?

>>> why = pool.asn.explain("jw_00001_uncal.fits", rules=[mosaic, dms_rule("Asn_Lv3AMI")])
>>> [(r.asn_file, r.exptype) for r in why.joined]
[('jw99009-a3001_image3_00002_asn.json', 'science')]
>>> print(why.result("Asn_Lv3AMI"))
Asn_Lv3AMI: exp_type is 'nrc_image', needs 'nis_ami'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from asnkit.errors import (
    AssociationError,
    AssociationKeyError,
    AssociationTypeError,
    close_matches,
)
from asnkit.rules import naming
from asnkit.rules import predicates as p
from asnkit.rules.model import (
    Finalize,
    Group,
    Node,
    Rule,
    WorkOver,
    all_of,
    any_of,
    attr,
    none_of,
    test,
)
from asnkit.rules.transform import add_to_rule_branch, ignored, leaf_keys, strip_conditions

__all__ = [
    "DMS_NAMES",
    "NameTemplate",
    "Scope",
    "derive",
    "dms_rule",
    "ignored",
    "is_candidate",
    "is_discovered",
    "rule",
]

#: Constraint names the DMS product-name builders read, by pool column.
DMS_NAMES = {
    "program": "program",
    "instrume": "instrument",
    "targetid": "target",
    "filter": "opt_elem",
    "pupil": "opt_elem2",
    "grating": "opt_elem2",
    "fxd_slit": "fxd_slit",
    "subarray": "subarray",
    "obs_num": "obs_num",
    "exp_type": "exp_type",
}

_OBSERVATION = ("obs_num", "observation")


class Scope(enum.Enum):
    """Over what a rule groups exposures (which associations are kept)."""

    POOL = "pool"  #: the whole pool: associations across candidates (asn_id ``a3001``)
    OBSERVATION = "observation"  #: one observation candidate (``oNNN``) at a time
    CANDIDATE = "candidate"  #: one candidate of any type (``oNNN``, ``c1NNN``) at a time
    DMS = "dms"  #: as the DMS rules: candidates and discovered


# --------------------------------------------------------------------------- validity checks


#: Validity: the association was made across the pool, not from one candidate.
is_discovered = p.CandidateKinds(
    "is_discovered",
    "keeps only pool-wide (discovered) associations",
    kinds=frozenset({"discovered"}),
)
#: Validity: the association was made from one candidate (observation, group, mosaic...).
is_candidate = p.CandidateKinds(
    "is_candidate",
    "keeps only candidate associations",
    kinds=frozenset({"discovered"}),
    exclude=True,
)


_SCOPE_CHECKS: dict[Scope, tuple[Callable[..., bool], ...]] = {
    Scope.POOL: (is_discovered,),
    Scope.OBSERVATION: (p.is_type_observation,),
    Scope.CANDIDATE: (is_candidate,),
    Scope.DMS: (),
}
_ALL_SCOPE_CHECKS = frozenset(check for checks in _SCOPE_CHECKS.values() for check in checks)


# --------------------------------------------------------------------------- product names


@dataclass(frozen=True)
class NameTemplate:
    """A product-name template, e.g. ``"jw{program}-{acid}_{instrument}_{opt_elem}"``.

    Fields: ``program``, ``acid`` (= ``asn_id``), ``target`` (``t001``),
    ``instrument``, ``opt_elem`` (filter/pupil/grating, DMS style),
    ``subarray``, and any pool column or constraint name of the rule (the
    values the association found, joined by ``-``). The name is lower-cased.

    >>> NameTemplate("jw{program}-{acid}_{filter}")
    NameTemplate('jw{program}-{acid}_{filter}')
    """

    text: str

    def __repr__(self) -> str:
        return f"NameTemplate({self.text!r})"

    @property
    def __name__(self) -> str:
        return repr(self)

    def fields(self) -> list[str]:
        """The field names used in the template."""
        return [m.group(1) for m in re.finditer(r"\{(\w+)\}", self.text)]

    def __call__(self, asn: Any) -> str:
        return self.text.format_map(_Fields(asn)).lower()


class _Fields(dict):
    def __init__(self, asn: Any) -> None:
        super().__init__()
        self.asn = asn

    def __missing__(self, key: str) -> str:
        asn = self.asn
        standard: dict[str, Callable[[], str]] = {
            "program": lambda: str(asn.data["program"]),
            "acid": lambda: asn.acid[0],
            "asn_id": lambda: asn.acid[0],
            "target": lambda: naming.get_target(asn),
            "instrument": lambda: naming.get_instrument(asn),
            "opt_elem": lambda: naming.get_opt_element(asn),
            "subarray": lambda: naming.get_subarray(asn),
        }
        if key in standard:
            return standard[key]()
        name = DMS_NAMES.get(key, key)
        for candidate in (key, name):
            values = asn.first_found(candidate)
            if values:
                return "-".join(str(v).replace("\\", "") for v in values)
        return ""


def _product_name(value: str | Callable[..., str] | None) -> Callable[..., str]:
    if value is None:
        return naming.product_name_default
    if isinstance(value, str):
        return NameTemplate(value)
    if not callable(value):
        raise AssociationTypeError(
            f"product_name must be a template string or a callable, not {value!r}"
        )
    return value


# --------------------------------------------------------------------------- building blocks


def _pattern(column: str, value: Any) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        values = tuple(str(v) for v in value)
        if not values or not all(values):
            raise AssociationError(f"{column}: empty value in {value!r}")
        return values
    return str(value)


class _Names:
    """Hands out constraint names: the DMS name of a column first, then the column."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def __call__(self, column: str) -> str | None:
        for name in (DMS_NAMES.get(column), column):
            if name and name not in self.taken:
                self.taken.add(name)
                return name
        return None


def _conditions(
    names: _Names,
    select: Mapping[str, Any] | None,
    agree: Sequence[str],
    agree_if_set: Sequence[str],
    exclude: Mapping[str, Any] | None,
) -> list[Node]:
    if isinstance(agree, str) or isinstance(agree_if_set, str):
        raise AssociationTypeError(
            "agree and agree_if_set take a list of column names, not one string"
        )
    nodes: list[Node] = []
    agreed = [(c.lower(), True) for c in agree] + [(c.lower(), False) for c in agree_if_set]
    # agreement first: the DMS names (opt_elem...) go to the columns that must agree
    agree_nodes = [attr(c, name=names(c), required=required) for c, required in agreed]
    for column, value in (select or {}).items():
        column = column.lower()
        nodes.append(
            attr(column, name=names(column), value=_pattern(column, value), force_unique=False)
        )
    nodes.extend(agree_nodes)
    excluded = []
    for column, value in (exclude or {}).items():
        column = column.lower()
        if value is None:
            excluded.append(attr(column, force_unique=False))
        else:
            excluded.append(attr(column, value=_pattern(column, value), force_unique=False))
    if excluded:
        nodes.append(none_of(*excluded))
    return nodes


def _scope(value: Scope | str) -> Scope:
    if isinstance(value, Scope):
        return value
    try:
        return Scope(str(value).lower())
    except ValueError:
        known = ", ".join(s.value for s in Scope)
        raise AssociationError(f"unknown scope {value!r}; one of: {known}") from None


def _check_template(product_name: Any, names: Iterable[str], columns: Iterable[str]) -> None:
    if not isinstance(product_name, NameTemplate):
        return
    known = {"program", "acid", "asn_id", "target", "instrument", "opt_elem", "subarray"}
    known |= set(names) | set(columns)
    unknown = [f for f in product_name.fields() if f not in known]
    if unknown:
        raise AssociationError(
            f"product_name {product_name.text!r}: unknown field(s) {unknown}; "
            f"known: {sorted(known)}"
        )


# --------------------------------------------------------------------------- rule()


def rule(
    name: str,
    asn_type: str = "image3",
    *,
    select: Mapping[str, str | Sequence[str]] | None = None,
    agree: Sequence[str] = (),
    agree_if_set: Sequence[str] = (),
    exclude: Mapping[str, str | Sequence[str] | None] | None = None,
    scope: Scope | str = Scope.POOL,
    acquisitions: bool = False,
    product_name: str | Callable[..., str] | None = None,
    exposure_type: Callable[..., str] = p.exposure_type_level3,
    finalize: Finalize = Finalize.DEFAULT,
    description: str = "",
) -> Rule:
    """A custom Level 3 rule from a few readable conditions.

    Parameters
    ----------
    name : str
        The rule name (``asn_rule`` is ``discover_<name>`` or ``candidate_<name>``).
    asn_type : str
        The association type, e.g. ``"image3"``, ``"spec3"``.
    select : mapping of column to value(s), optional
        Which exposures the rule takes: the column must match the value, a
        regular expression matched in full, case-insensitive
        (``"nrc_image|mir_image"``), or a list of them (any one).
    agree : list of str
        Columns whose value must be the same for every member (one
        association per value); an exposure without a value is not taken.
    agree_if_set : list of str
        As ``agree``, but an exposure without a value may join any association.
    exclude : mapping of column to value(s) or None, optional
        Exposures whose column matches are not taken; ``None``: excluded when
        the column has any value (e.g. ``{"bkgdtarg": None}``).
    scope : Scope or str
        What the rule groups over (default :attr:`Scope.POOL`: the whole pool,
        across observations and candidates).
    acquisitions : bool
        Also take the target acquisitions of the observations the association
        has science from (role ``target_acquisition``), as the DMS rules do.
    product_name : str or callable, optional
        A template (:class:`NameTemplate`) or ``f(asn) -> str``; default the
        DMS name ``jw{program}-{acid}_{target}_{instrument}_{opt_elem}``.
    exposure_type : callable
        ``f(item, asn) -> str``: the member role (default: the exposure's own,
        as the DMS Level 3 rules).
    finalize : Finalize
        The finalize step (default: keep if valid).
    description : str
        One line for people.

    Returns
    -------
    Rule
        Program and instrument always agree (one of each per association), and
        an association needs a science member.

    Examples
    --------
    >>> r = rule("AllFilters", "image3", select={"exp_type": ["nrc_image", "nis_image"]},
    ...          agree=["targetid"], product_name="jw{program}-{acid}_{target}_{instrument}")
    >>> print(r.describe())  # doctest: +ELLIPSIS
    AllFilters (Level 3, asn_type image3, finalize default)
      takes exp_type=['nrc_image', 'nis_image']; one association per targetid; over pool
      exposure type: exposure_type_level3
      product name: NameTemplate('jw{program}-{acid}_{target}_{instrument}')
      validity: has_science, is_discovered
      all_of [AllFilters]
        all_of [base]
          attr('program', name='program')
          attr('instrume', name='instrument')
        attr('exp_type', name='exp_type', value=('nrc_image', 'nis_image'), force_unique=False)
        attr('targetid', name='target')
        attr('obs_num', name='obs_num', force_unique=False, required=False)
    """
    if not name or not isinstance(name, str):
        raise AssociationError("a rule needs a name")
    scope = _scope(scope)
    names = _Names(["program", "instrument", "obs_num"])
    nodes = _conditions(names, select, agree, agree_if_set, exclude)
    base = all_of(attr("program", name="program"), attr("instrume", name="instrument"), name="base")
    # collects the observations (for explanations, templates and target acquisitions)
    observations = attr("obs_num", name="obs_num", force_unique=False, required=False)
    if acquisitions:
        science = all_of(*nodes, observations, name="rule")
        constraints = all_of(base, any_of(science, _acquisition(), name="acq_check"), name=name)
    else:
        constraints = all_of(base, *nodes, observations, name=name)
    product = _product_name(product_name)
    columns = [*(select or {}), *agree, *agree_if_set]
    named = tuple(dict.fromkeys(str(c).lower() for c in columns))
    _check_template(product, names.taken, [c.lower() for c in columns])
    if not description:
        description = _summary(select, agree, agree_if_set, exclude, scope)
    return Rule(
        name=name,
        level=3,
        asn_type=asn_type,
        constraints=constraints,
        exposure_type=exposure_type,
        product_name=product,
        finalize=finalize,
        validity=(p.has_science, *_SCOPE_CHECKS[scope]),
        description=description,
        columns=named,
    )


def _acquisition() -> Group:
    """Target acquisitions of the observations the association has science from.

    An acquisition met before its science is sent back to be matched again
    against the existing associations once everything else is done (as the
    DMS rule ``Asn_Lv3ACQ_Reprocess`` does for the DMS rules).
    """
    return all_of(
        test("target_acquisition", name="target_acq", source=p.exposure_type_of_item),
        any_of(
            attr("obs_num", name="acq_obsnum", value=p.acq_obsnum_pattern, force_unique=False),
            test(
                "later",
                name="acq_later",
                test=p.always_false,
                force_unique=False,
                reprocess_on_fail=True,
                work_over=WorkOver.NONSCIENCE,
            ),
        ),
        name="acq_constraint",
    )


def _summary(
    select: Mapping[str, Any] | None,
    agree: Sequence[str],
    agree_if_set: Sequence[str],
    exclude: Mapping[str, Any] | None,
    scope: Scope,
) -> str:
    parts = []
    if select:
        parts.append("takes " + ", ".join(f"{k}={v!r}" for k, v in select.items()))
    if agree or agree_if_set:
        parts.append("one association per " + ", ".join([*agree, *agree_if_set]))
    if exclude:
        parts.append("excludes " + ", ".join(f"{k}={v!r}" for k, v in exclude.items()))
    parts.append(f"over {scope.value}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- DMS rules


def dms_rule(name: str) -> Rule:
    """A DMS rule by name (Level 2b or Level 3), e.g. ``dms_rule("Asn_Lv3Image")``.

    Raises
    ------
    asnkit.errors.AssociationKeyError (a KeyError)
        No DMS rule has that name; the message suggests close names.

    Examples
    --------
    >>> dms_rule("Asn_Lv3Image")
    Rule('Asn_Lv3Image', level=3, asn_type='image3')
    >>> dms_rule("Lv3Image")
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationKeyError: no DMS rule 'Lv3Image'; did you mean: Asn_Lv3Image, ...
    """
    from asnkit.rules import dms_rules

    rules = {r.name: r for r in dms_rules()}
    for known, found in rules.items():
        if known.lower() == name.lower():
            return found
    close = close_matches(name, rules, n=4)
    hint = f"did you mean: {', '.join(close)}" if close else f"known: {', '.join(rules)}"
    raise AssociationKeyError(f"no DMS rule {name!r}; {hint}")


# --------------------------------------------------------------------------- derive()


def derive(
    base: Rule,
    name: str | None = None,
    *,
    ignore: Sequence[str] = (),
    select: Mapping[str, str | Sequence[str]] | None = None,
    agree: Sequence[str] = (),
    agree_if_set: Sequence[str] = (),
    exclude: Mapping[str, str | Sequence[str] | None] | None = None,
    scope: Scope | str | None = None,
    asn_type: str | None = None,
    product_name: str | Callable[..., str] | None = None,
    description: str | None = None,
) -> Rule:
    """A new rule from an existing one: some columns ignored, some conditions added.

    Parameters
    ----------
    base : Rule
        E.g. ``dms_rule("Asn_Lv3Image")``.
    name : str, optional
        Default ``"<base name>_custom"``.
    ignore : list of str
        Columns (``"targetid"``) or constraint names (``"target"``,
        ``"opt_elem"``) whose conditions no longer reject an exposure or split
        associations: they only collect the values (product names show them
        all, e.g. ``f090w-f277w``). ``"obs_num"`` (or ``"observation"``): observations are
        no longer kept apart, i.e. the scope becomes :attr:`Scope.POOL`.
    select, agree, agree_if_set, exclude
        Conditions added, as in :func:`rule`.
    scope : Scope or str, optional
        Default: the base rule's (candidates and discovered for DMS rules).
    asn_type, product_name, description
        Replace the base rule's.

    Raises
    ------
    asnkit.AssociationError (a ValueError)
        A name in ``ignore`` matches no condition of the rule (the message
        lists those that exist), or is ``asn_candidate``.

    Examples
    --------
    >>> image = dms_rule("Asn_Lv3Image")
    >>> any_target = derive(image, "ImageAnyTarget", ignore=["target"])
    >>> [line.strip() for line in any_target.describe().splitlines() if "targetid" in line]
    ["attr('targetid', name='target', force_unique=False, required=False)"]
    >>> derive(image, ignore=["colour"])
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: Asn_Lv3Image has no condition on 'colour'; ...
    """
    if isinstance(ignore, str):
        raise AssociationTypeError(
            "ignore takes a list of column or constraint names, not one string"
        )
    ignore_set = frozenset(str(i).lower() for i in ignore)
    known = leaf_keys(base.constraints) | set(_OBSERVATION)
    for key in sorted(ignore_set):
        if key not in known:
            close = close_matches(key, sorted(known), n=5)
            hint = ", ".join(close) if close else ", ".join(sorted(known))
            raise AssociationError(f"{base.name} has no condition on {key!r}; known: {hint}")
    if "asn_candidate" in ignore_set:
        raise AssociationError("asn_candidate cannot be ignored (use scope= instead)")
    top = strip_conditions(base.constraints, ignore_set - set(_OBSERVATION))
    extra = _conditions(_Names(leaf_keys(top)), select, agree, agree_if_set, exclude)
    if extra:
        top = add_to_rule_branch(top, extra)
    validity = tuple(base.validity)
    if scope is None and ignore_set & set(_OBSERVATION):
        scope = Scope.POOL
    if scope is not None:
        validity = tuple(v for v in validity if v not in _ALL_SCOPE_CHECKS)
        validity = (*validity, *_SCOPE_CHECKS[_scope(scope)])
    product = base.product_name if product_name is None else _product_name(product_name)
    if description is None:
        changes = []
        if ignore_set:
            changes.append("ignoring " + ", ".join(sorted(ignore_set)))
        if select or agree or agree_if_set or exclude:
            changes.append(_summary(select, agree, agree_if_set, exclude, _scope(scope or "dms")))
        elif scope is not None:
            changes.append(f"over {_scope(scope).value}")
        description = f"{base.name}, " + "; ".join(changes) if changes else base.description
    return replace(
        base,
        name=name or f"{base.name}_custom",
        asn_type=asn_type or base.asn_type,
        constraints=top,
        product_name=product,
        validity=validity,
        description=description,
        columns=tuple(
            dict.fromkeys(
                [*base.columns, *(str(c).lower() for c in [*(select or {}), *agree, *agree_if_set])]
            )
        ),
    )
