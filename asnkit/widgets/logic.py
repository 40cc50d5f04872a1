"""The logic behind the widgets, as plain functions on DataFrames and arrays.

Nothing here imports ipywidgets: filtering a pool, counting the options of each
filter, the colourings on offer, and building and checking an association from a
selection are all testable (and fast) without a browser. The selection geometry of the
sky view is in :mod:`asnkit.widgets.selection`.

Filtering a large pool is done on codes computed once (:func:`build_index`): each
filter column is factorised to integers, so a selection is a vectorised ``isin`` on an
integer array and option counts a ``bincount`` -- a 50,000-row pool updates in
milliseconds.

Examples
--------
>>> import pandas as pd
>>> pool = pd.DataFrame({"filename": ["a.fits", "b.fits", "c.fits"],
...                      "filter": ["F090W", "f200w", "f090w"]})
>>> index = build_index(pool, ["filter"])
>>> index["filter"].values
('f090w', 'f200w')
>>> filter_mask(index, {"filter": ["f090w"]}, n=3).tolist()
[True, False, True]
"""

from __future__ import annotations

import fnmatch
import html
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from asnkit.dms.members import MEMBER_TYPES
from asnkit.dms.values import natural_key
from asnkit.errors import PoolKeyError, close_matches

__all__ = [
    "ASN_TYPES",
    "FILTER_COLUMNS",
    "MEMBER_ROLES",
    "TABLE_COLUMNS",
    "BuildResult",
    "ColumnIndex",
    "build_association",
    "build_index",
    "color_options",
    "column_masks",
    "export_association",
    "facet_counts",
    "filename_mask",
    "filter_columns",
    "filter_mask",
    "finding_text",
    "frame_html",
    "group_members",
    "grouping_labels",
    "known_names",
    "option_counts",
    "option_labels",
    "plain_message",
]

#: Columns offered as filters, in this order, when the pool has them with 2+ values.
FILTER_COLUMNS = (
    "program",
    "obs_num",
    "visit",
    "instrume",
    "exp_type",
    "detector",
    "channel",
    "filter",
    "pupil",
    "grating",
    "fxd_slit",
    "band",
    "subarray",
    "targname",
    "pntgtype",
    "patttype",
    "mostilno",
    "dithptin",
    "patt_num",
    "is_psf",
    "is_imprt",
    "bkgdtarg",
    "tsovisit",
    "exposerr",
)

#: Columns shown in the selection tables (those the pool has).
TABLE_COLUMNS = (
    "filename",
    "obs_num",
    "visit",
    "exp_type",
    "detector",
    "filter",
    "pupil",
    "grating",
    "patt_num",
    "mostilno",
)

#: Association types offered by the builder (Level 3 first).
ASN_TYPES = (
    "image3",
    "spec3",
    "coron3",
    "ami3",
    "tso3",
    "image2",
    "spec2",
    "tso-image2",
    "tso-spec2",
)

#: Member roles offered by the builder ("auto" = the pipeline's own choice).
MEMBER_ROLES = ("auto", *MEMBER_TYPES)

_MISSING = "(missing)"


# --------------------------------------------------------------------------- filtering
@dataclass(frozen=True)
class ColumnIndex:
    """A filter column factorised once: ``codes[i]`` indexes ``values`` (-1 = missing)."""

    column: str
    codes: np.ndarray
    values: tuple[str, ...]

    def __repr__(self) -> str:
        return f"ColumnIndex({self.column!r}, {len(self.values)} values)"


def _normalised(values: pd.Series) -> pd.Series:
    """Stripped lowercase text, missing for empty cells (worked on the distinct values)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(distinct, dtype=object).astype("string").str.strip().str.lower()
    text = text.where(text.notna() & (text != "")).to_numpy(dtype=object)
    out = np.where(codes >= 0, text[np.maximum(codes, 0)] if len(text) else None, None)
    return pd.Series(out, index=values.index, dtype="string")


def filter_columns(df: pd.DataFrame, *, max_values: int = 200) -> list[str]:
    """Columns worth a filter control: :data:`FILTER_COLUMNS` with 2 to ``max_values`` values.

    Junk rows (``set acid``) are ignored when counting values.
    """
    from asnkit.sky.schematic import is_junk

    exposures = df.loc[~is_junk(df)]
    out = []
    for column in FILTER_COLUMNS:
        if column in exposures.columns:
            n = _normalised(exposures[column]).nunique(dropna=False)
            if 2 <= n <= max_values:
                out.append(column)
    return out


def build_index(
    df: pd.DataFrame, columns: Iterable[str], *, rows: np.ndarray | None = None
) -> dict[str, ColumnIndex]:
    """Factorise the filter columns (case-insensitive; missing values get ``-1``).

    ``rows`` (a boolean mask) limits the values to those rows; the others get code
    ``-2`` and never match a selection (junk rows of a pool).
    """
    index = {}
    for column in columns:
        text = _normalised(df[column])
        if rows is not None:
            text = text.where(rows)
        values = sorted(text.dropna().unique(), key=natural_key)
        lookup = {v: i for i, v in enumerate(values)}
        codes = text.map(lookup).fillna(-1).to_numpy(dtype=np.int64, copy=True)
        if rows is not None:
            codes[~rows] = -2
        index[column] = ColumnIndex(column, codes, tuple(values))
    return index


def column_masks(
    index: Mapping[str, ColumnIndex], selections: Mapping[str, Iterable[str]]
) -> dict[str, np.ndarray]:
    """One mask per constrained column (OR of its chosen values, lowercase).

    ``"(missing)"`` selects missing cells; an empty selection gives no mask.
    """
    masks = {}
    for column, chosen in selections.items():
        chosen = [str(v).lower() for v in chosen]
        if not chosen:
            continue
        col = index[column]
        lookup = {v: i for i, v in enumerate(col.values)}
        wanted = [lookup[v] for v in chosen if v in lookup]
        if _MISSING in chosen:
            wanted.append(-1)
        masks[column] = np.isin(col.codes, np.asarray(wanted, dtype=np.int64))
    return masks


def filter_mask(
    index: Mapping[str, ColumnIndex],
    selections: Mapping[str, Iterable[str]],
    n: int,
) -> np.ndarray:
    """Rows matching every column's selection (OR within a column, AND across columns).

    An empty selection puts no constraint on its column. ``"(missing)"`` selects
    missing cells. Values are compared lowercase.
    """
    mask = np.ones(n, dtype=bool)
    for column_mask in column_masks(index, selections).values():
        mask &= column_mask
    return mask


def facet_counts(
    index: Mapping[str, ColumnIndex],
    masks: Mapping[str, np.ndarray],
    base: np.ndarray,
) -> dict[str, dict[str, int]]:
    """Counts of each column's values under every *other* column's filter (faceted search).

    ``base`` is the mask every count respects (exposures, file-name pattern).
    Choosing a value of a column thus never hides the other values of that column.
    """
    out = {}
    for column, col in index.items():
        mask = base.copy()
        for other, other_mask in masks.items():
            if other != column:
                mask &= other_mask
        out[column] = option_counts(col, mask)
    return out


def filename_mask(names: pd.Series, pattern: str) -> np.ndarray:
    """File names containing ``pattern`` (case-insensitive), or matching it as a glob.

    Examples
    --------
    >>> import pandas as pd
    >>> names = pd.Series(["jw01_nrca1_cal.fits", "jw01_nrcb1_cal.fits"])
    >>> filename_mask(names, "NRCA").tolist(), filename_mask(names, "*b1_*").tolist()
    ([True, False], [False, True])
    """
    pattern = (pattern or "").strip().lower()
    lowered = names.astype("string").str.lower()
    if not pattern:
        return np.ones(len(names), dtype=bool)
    if set("*?[") & set(pattern):
        regex = fnmatch.translate(pattern)
        return lowered.str.match(regex).fillna(False).to_numpy(dtype=bool)
    return lowered.str.contains(pattern, regex=False).fillna(False).to_numpy(dtype=bool)


def option_counts(col: ColumnIndex, mask: np.ndarray) -> dict[str, int]:
    """How many selected rows have each value of a column (``"(missing)"`` included)."""
    counts = np.bincount(col.codes[mask] + 1, minlength=len(col.values) + 1)
    out = {value: int(counts[i + 1]) for i, value in enumerate(col.values)}
    if counts[0]:
        out[_MISSING] = int(counts[0])
    return out


def option_labels(col: ColumnIndex, counts: Mapping[str, int]) -> list[tuple[str, str]]:
    """``(label, value)`` pairs for a multiple-choice control: ``"f090w (12)"``."""
    values = list(col.values)
    if (col.codes == -1).any():
        values.append(_MISSING)
    return [(f"{v} ({counts.get(v, 0)})", v) for v in values]


def frame_html(
    df: pd.DataFrame, *, max_rows: int = 50, columns: Sequence[str] | None = None
) -> str:
    """A compact HTML table of the first ``max_rows`` rows (escaped), with a row count."""
    shown = [c for c in (columns or TABLE_COLUMNS) if c in df.columns] or list(df.columns)
    head = df[shown].head(max_rows)
    table = head.to_html(index=False, na_rep="", escape=True, border=0, classes="asnkit-table")
    more = len(df) - len(head)
    note = f"<div><i>... and {more} more rows</i></div>" if more > 0 else ""
    return table + note


# --------------------------------------------------------------------------- groupings
def grouping_labels(pool: pd.DataFrame, grouping: str, associations: Any = None) -> pd.DataFrame:
    """One row per (pool row, group) of a grouping: association, dither, tile or a column.

    Returns a frame with ``row`` (pool row label) and ``group`` (text), as
    :func:`asnkit.sky.plot.color_labels` gives for ``color_by=grouping``.
    """
    from asnkit.sky.colors import color_labels

    labels, _ = color_labels(pool, grouping, associations)
    return labels


def color_options(pool: pd.DataFrame, associations: Any = None) -> list[tuple[str, str]]:
    """``(label, color_by)`` choices for a pool: associations first, then positions, columns."""
    from asnkit.sky.colors import ColorBy, level3_associations

    options: list[tuple[str, str]] = []
    if associations is not None:
        if level3_associations(associations) is not None:
            options.append(("Level 3 association", ColorBy.LEVEL3.value))
        options.append(("association", ColorBy.ASSOCIATION.value))
    options += [
        ("dither position", ColorBy.DITHER.value),
        ("mosaic tile", ColorBy.TILE.value),
        ("role", ColorBy.ROLE.value),
    ]
    options += [(column, column) for column in filter_columns(pool)]
    options.append(("nothing", ColorBy.NONE.value))
    return options


def known_names(names: Iterable[Any], known: Collection[str]) -> list[str]:
    """``names`` as text, once each in order, after checking they are all ``known`` (the
    pool's file names): a typo would choose nothing, silently.

    Raises
    ------
    asnkit.errors.PoolKeyError
        Naming the names not in the pool, with close matches of the first.

    Examples
    --------
    >>> known_names(["a.fits", "a.fits"], {"a.fits", "b.fits"})
    ['a.fits']
    >>> known_names(["b.fit"], {"a.fits", "b.fits"})
    Traceback (most recent call last):
    ...
    asnkit.errors.PoolKeyError: 1 name not in the pool: b.fit (close matches: b.fits, a.fits)
    """
    names = list(dict.fromkeys(str(n) for n in names))
    unknown = [n for n in names if n not in known]
    if unknown:
        close = close_matches(unknown[0], sorted(known), n=3)
        raise PoolKeyError(
            f"{len(unknown)} name{'s' if len(unknown) != 1 else ''} not in the pool: "
            f"{', '.join(unknown[:3])}{', ...' if len(unknown) > 3 else ''}"
            + (f" (close matches: {', '.join(close)})" if close else "")
        )
    return names


def group_members(pool: pd.DataFrame, labels: pd.DataFrame, group: str) -> pd.DataFrame:
    """The pool rows of one group (in pool order)."""
    rows = labels.loc[labels["group"] == group, "row"]
    return pool.loc[pool.index.isin(rows)]


# --------------------------------------------------------------------------- building
@dataclass(frozen=True)
class BuildResult:
    """An association built from a selection, and what is wrong with it.

    ``errors``, ``warnings`` and ``infos`` are the :func:`asnkit.check` findings as
    sentences for a person (:func:`finding_text`); ``findings`` the records.
    """

    association: Any
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    infos: tuple[str, ...] = ()
    findings: tuple[Any, ...] = ()

    @property
    def ok(self) -> bool:
        """Built, and no error found."""
        return self.association is not None and not self.errors


def finding_text(finding: Any) -> str:
    """A finding of :func:`asnkit.check` as a sentence for a person, with its fix and code.

    Examples
    --------
    >>> from asnkit.documents.findings import Finding
    >>> finding_text(Finding("ASN203", "products[0]", "the science members mix filters: "
    ...                      "f150w, f444w", "make one association per filter"))
    'The science members mix filters: f150w, f444w. Fix: make one association per filter. [ASN203]'
    """
    message = finding.message[:1].upper() + finding.message[1:]
    fix = f" Fix: {finding.hint}." if finding.hint else ""
    return f"{message}.{fix} [{finding.code}]"


def build_association(
    pool: pd.DataFrame,
    filenames: Sequence[str],
    *,
    asn_type: str,
    product_name: str = "",
    roles: Mapping[str, str] | None = None,
    index: Any = None,
) -> BuildResult:
    """Build and check an association of the chosen exposures.

    Parameters
    ----------
    pool : DataFrame
        The pool the exposures come from.
    filenames : sequence of str
        The chosen exposures (pool ``filename`` values), in order.
    asn_type : str
        One of :data:`ASN_TYPES` (or any type :func:`asnkit.to_association` accepts).
    product_name : str
        Level 3 product name; empty for the DMS default.
    roles : mapping, optional
        ``filename -> role`` for members whose role is not the pipeline's ("auto").
    index : PoolIndex, optional
        The pool indexed for :func:`asnkit.check` (made from ``pool`` if not given).

    Returns
    -------
    BuildResult
        The association (None when it cannot be built) and the findings of
        :func:`asnkit.check` (with the pool: filters, exposure types, targets...)
        as sentences for a person.
    """
    from asnkit.documents.build import to_association
    from asnkit.documents.checks import check

    if not filenames:
        return BuildResult(None, ("select at least one exposure",), ())
    rows = pool.loc[pool["filename"].isin(list(filenames))]
    order = {name: i for i, name in enumerate(filenames)}
    rows = rows.iloc[np.argsort(rows["filename"].map(order).to_numpy(), kind="stable")]
    user_roles = {k: v for k, v in (roles or {}).items() if v and v != "auto" and k in order}
    try:
        asn = to_association(
            rows,
            asn_type=asn_type,
            product_name=product_name.strip() or None,
            roles=user_roles or None,
            check=False,
        )
    except (ValueError, KeyError) as exc:
        return BuildResult(None, (str(exc).strip("\"'"),), ())
    findings = check(asn, pool=pool if index is None else index)
    return BuildResult(
        asn,
        tuple(finding_text(f) for f in findings.errors),
        tuple(finding_text(f) for f in findings.warnings),
        tuple(finding_text(f) for f in findings.infos),
        tuple(findings),
    )


def export_association(asn: Any, path: str | Path, *, overwrite: bool = False) -> tuple[bool, str]:
    """Write the association; never replace an existing file unless ``overwrite``.

    A folder gets the association's DMS file name. Returns ``(written, message)``; the
    message names the absolute path (``written /abs/path_asn.json``).
    """
    from asnkit.atomic import file_name_problem

    target = Path(path).expanduser().absolute()
    if target.is_dir():
        name = asn.filename or "association_asn.json"
        problem = file_name_problem(name)  # never a file outside the folder asked for
        if problem:
            return False, f"could not write into {target}: {problem}"
        target = target / name
    if target.exists() and not overwrite:
        return False, f"{target} exists: tick 'overwrite' to replace it"
    try:
        written = asn.write(target, overwrite=overwrite)
    except (OSError, ValueError) as exc:
        return False, f"could not write {target}: {exc}"
    return True, f"written {Path(written).absolute()}"


_NO_SCIENCE = re.compile(
    r"none of the (\d+) rows is a science exposure \(roles from the pool flags: ([^)]*)\)"
)


def plain_message(text: str) -> str:
    """A build or validation message as the builder shows it: words, not Python.

    Examples
    --------
    >>> print(plain_message("to_association: none of the 2 rows is a science exposure (roles "
    ...                     "from the pool flags: background); mark the science rows with "
    ...                     "roles={file: 'science'}"))  # doctest: +NORMALIZE_WHITESPACE
    None of the 2 chosen exposures is a science exposure (the pool flags them as background):
    give at least one the role 'science' in the table's role column.
    """
    text = str(text).strip()
    if text == "select at least one exposure":
        return "Choose at least one exposure: tick it in the table or select it on the sky."
    match = _NO_SCIENCE.search(text)
    if match:
        return (
            f"None of the {match[1]} chosen exposures is a science exposure (the pool flags "
            f"them as {match[2]}): give at least one the role 'science' in the table's role "
            "column."
        )
    text = re.sub(r"^(to_association|asn_from_files): ", "", text)
    text = re.sub(r"roles=\{[^}]*\}", "the role column of the table", text)
    text = text.replace("product_name", "the product name")
    return text[:1].upper() + text[1:]


def escape(text: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(text))
