"""Which exposure belongs to which group: associations, mappings, or pool columns.

Association members name the *product* of an exposure (``jw..._cal.fits``) while a pool
names the raw file (``jw..._uncal.fits``); both reduce to the same :func:`exposure_key`.
:func:`membership` turns an :class:`~asnkit.AssociationSet`, its ``to_frame()``, any frame
with an association column, or a plain mapping ``filename -> group(s)`` into one table of
``(key, group, role)`` rows, so plots and widgets accept all of them.

Examples
--------
>>> exposure_key("/data/jw01075001001_03105_00009_nrca2_uncal.fits")
'jw01075001001_03105_00009_nrca2'
>>> membership({"a_uncal.fits": "asn1", "b_rate.fits": ["asn1", "asn2"]}).values.tolist()
[['a', 'asn1', None], ['b', 'asn1', None], ['b', 'asn2', None]]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from asnkit.dms.names import SUFFIXES, exposure_key
from asnkit.errors import AssociationError, AssociationTypeError, PoolError, PoolTypeError

__all__ = ["GROUP_COLUMNS", "PIPELINE_SUFFIXES", "exposure_key", "membership", "pool_and_groups"]

#: Pipeline file-name suffixes removed by :func:`exposure_key` (:data:`asnkit.dms.SUFFIXES`).
PIPELINE_SUFFIXES = SUFFIXES

#: Columns naming the group of a row in a frame, in order of preference.
GROUP_COLUMNS = ("association", "product", "asn_file", "asn_id", "group")


def _association_rows(associations: Iterable[Any]) -> pd.DataFrame:
    """Rows of association objects: label = product name, or file name when several."""
    rows = []
    for number, asn in enumerate(associations, start=1):
        products = list(asn.products)
        if len(products) == 1 and products[0].name:
            label = str(products[0].name)
        else:
            name = getattr(asn, "filename", None) or f"association {number}"
            label = re.sub(r"_asn\.json$", "", str(name))
        for product in products:
            rows.extend((exposure_key(m.expname), label, m.exptype) for m in product.members())
    return pd.DataFrame(rows, columns=["key", "group", "role"]).drop_duplicates(ignore_index=True)


def membership(groups: Any) -> pd.DataFrame:
    """Rows ``(key, group, role)`` of a grouping of exposures.

    Parameters
    ----------
    groups : AssociationSet, Association, DataFrame or mapping
        * an association set or a single association (anything with ``to_frame()`` or
          ``products``): one group per association, labelled by its product name
          (or its file name when it has several products), role = member exptype;
        * a DataFrame with ``expname`` or ``filename`` and one of :data:`GROUP_COLUMNS`;
        * a mapping ``filename -> group`` or ``filename -> [groups]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` (:func:`exposure_key`), ``group`` and ``role`` (or None).
    """
    if hasattr(groups, "products") and not isinstance(groups, (pd.DataFrame, Mapping)):
        return _association_rows([groups])
    if hasattr(groups, "to_frame") and not isinstance(groups, pd.DataFrame):
        return _association_rows(groups)  # an AssociationSet: a sequence of associations
    if isinstance(groups, pd.DataFrame):
        name_col = next((c for c in ("expname", "filename") if c in groups.columns), None)
        group_col = next((c for c in GROUP_COLUMNS if c in groups.columns), None)
        if name_col is None or group_col is None:
            raise AssociationError(
                "a grouping frame needs a file column ('expname' or 'filename') and a group "
                f"column (one of {', '.join(GROUP_COLUMNS)}); it has {list(groups.columns)}"
            )
        role = groups["exptype"] if "exptype" in groups.columns else None
        out = pd.DataFrame(
            {
                "key": groups[name_col].map(exposure_key),
                "group": groups[group_col].astype(object),
                "role": role.astype(object) if role is not None else None,
            }
        )
        return out.dropna(subset=["group"]).drop_duplicates(ignore_index=True)
    if isinstance(groups, Mapping):
        rows = []
        for name, value in groups.items():
            labels = [value] if isinstance(value, str) or not isinstance(value, Iterable) else value
            rows.extend((exposure_key(name), label, None) for label in labels)
        return pd.DataFrame(rows, columns=["key", "group", "role"])
    raise AssociationTypeError(
        "groups must be an AssociationSet, an Association, a DataFrame or a mapping "
        f"filename -> group, not {type(groups).__name__}"
    )


def _is_grouping(data: Any) -> bool:
    """Whether ``data`` is what :func:`membership` reads as associations (not a frame)."""
    if isinstance(data, pd.Series):  # (a column has to_frame too)
        return False
    return hasattr(data, "products") or hasattr(data, "to_frame") or isinstance(data, Mapping)


def pool_and_groups(
    function: str, data: Any, pool: Any, associations: Any
) -> tuple[pd.DataFrame, Any]:
    """The pool and the grouping of a plot's or an export's arguments, checked.

    ``data`` is the pool (a DataFrame; ``associations`` is then the grouping), or
    associations (an AssociationSet, an Association, a mapping) drawn from
    ``pool``.

    Parameters
    ----------
    function : str
        The caller's name, for the messages (``"plot_sky"``).
    data, pool, associations
        The caller's arguments of these names.

    Returns
    -------
    (DataFrame, grouping or None)

    Raises
    ------
    asnkit.PoolTypeError
        ``data`` is neither a DataFrame nor associations (a path, a list of files...),
        or ``pool=`` is not a DataFrame; the message says what reads one.
    asnkit.PoolError
        Associations without ``pool=``.

    Examples
    --------
    >>> pool_and_groups("plot_sky", "pool.csv", None, None)
    Traceback (most recent call last):
    ...
    asnkit.errors.PoolTypeError: plot_sky: data must be a pool DataFrame ...
    """
    if isinstance(data, pd.DataFrame):
        return data, associations
    if not _is_grouping(data):
        raise PoolTypeError(
            f"{function}: data must be a pool DataFrame (asnkit.read_pool(path), or "
            "asnkit.pool_from_files(files) for exposure files) or associations given with "
            f"pool=, not {type(data).__name__} {_short_repr(data)}"
        )
    if pool is None:
        raise PoolError(
            f"{function} needs the pool the associations came from: "
            f"{function}(associations, pool=df)"
        )
    if not isinstance(pool, pd.DataFrame):
        raise PoolTypeError(
            f"{function}: pool= must be a DataFrame (asnkit.read_pool(path)), "
            f"not {type(pool).__name__} {_short_repr(pool)}"
        )
    return pool, data


def _short_repr(value: Any) -> str:
    import reprlib  # only on an error

    return reprlib.repr(value)
