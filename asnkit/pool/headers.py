"""Build a pool from exposure files: what jwst's ``asn_make_pool`` does, from headers only.

Each exposure gives one row: the keywords of its primary header, plus those of
its ``SCI`` extension header that the primary lacks (this is where the sky
keywords ``S_REGION``, ``RA_REF``... of level-1b and later products live).
Only headers are read (``astropy.io.fits`` with ``lazy_load_hdus``); the data
are never touched, so large exposures cost no more than small ones.

Columns that no header holds are filled as the DMS fills them:

* ``filename``: the file's name (no folder), as in DMS pools;
* ``asn_candidate``: the observation candidate ``[('oNNN', 'observation')]``
  from ``OBSERVTN``, followed by any extra candidates given;
* ``obs_num``: ``OBSERVTN`` when the header has no ``OBS_NUM``;
* ``targetid``: targets numbered ``1, 2, ...`` by target name (``TARGNAME``)
  in the order the files first show them;
* ``pntgtype``: ``target_acquisition`` for acquisition exposure types,
  otherwise ``science`` (``asn_make_pool`` writes ``science`` for all);
* ``is_imprt``: ``f`` unless the header says otherwise; ``mostilno`` and
  ``dithptin``: ``1`` unless the header has them; ``dms_note``: missing.

Values are text as in every pool; header booleans become ``t`` / ``f`` (the
DMS spelling); empty values (e.g. an empty ``S_REGION``) and ``NULL`` are missing.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from asnkit.dms import exposures
from asnkit.dms.candidates import format_candidates, observation_id, parse_candidates
from asnkit.dms.values import POOL_MISSING
from asnkit.errors import PoolError, PoolFileNotFoundError, PoolWarning

__all__ = [
    "ACQ_EXP_TYPES",
    "IGNORED_KEYWORDS",
    "SKY_COLUMNS",
    "STRUCTURAL_KEYWORDS",
    "exposure_row",
    "pool_from_files",
]

#: Sky and pointing columns (from the SCI header when present).
SKY_COLUMNS = (
    "s_region",
    "ra_ref",
    "dec_ref",
    "roll_ref",
    "v2_ref",
    "v3_ref",
    "v3i_yang",
    "vparity",
    "apername",
    "targ_ra",
    "targ_dec",
)

#: Header cards that are not keywords.
IGNORED_KEYWORDS = frozenset({"", "COMMENT", "HISTORY"})

#: Keywords of an extension header that describe the HDU, not the exposure.
STRUCTURAL_KEYWORDS = frozenset(
    {"XTENSION", "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "BSCALE", "BZERO", "BUNIT", "EXTNAME",
     "EXTVER", "EXTLEVEL", "CHECKSUM", "DATASUM", "INHERIT", "TFIELDS"}
)  # fmt: skip

#: Target-acquisition exposure types (pointing type ``target_acquisition``).
ACQ_EXP_TYPES = frozenset(exposures.ACQ_EXP_TYPES)

_DEFAULTS = {"is_imprt": "f", "mostilno": "1", "dithptin": "1"}


def pool_from_files(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    *,
    candidates: Sequence[tuple[str, str]] | str | None = None,
    pntgtype: str | None = None,
    is_imprt: str | None = None,
    dms_note: str | None = None,
) -> pd.DataFrame:
    """A pool with one row per exposure file, from the files' FITS headers.

    Parameters
    ----------
    paths : path or iterable of paths
        The exposure files (any level: ``_uncal``, ``_rate``, ``_cal``...).
    candidates : list of (id, type) or str, optional
        Extra candidates for every exposure, after its observation candidate,
        e.g. ``[("c1000", "background")]`` or the same as text.
    pntgtype, is_imprt, dms_note : str, optional
        Values for these columns in every row, instead of the defaults
        described in the module documentation.

    Returns
    -------
    pandas.DataFrame
        Lowercase columns, ``filename`` first then in alphabetical order,
        text values, missing values as ``NaN``; ``attrs`` as
        :func:`asnkit.read_pool` sets them (``asn_pool`` and ``pool_file``
        are ``"in-memory"`` until the pool is written).

    Raises
    ------
    FileNotFoundError
        A file does not exist; the message names it.
    asnkit.PoolError
        No file was given, a file is not FITS or has no ``OBSERVTN``
        keyword, or ``candidates`` cannot be read; the message names the file.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from astropy.io import fits
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> header = fits.Header({"OBSERVTN": "001", "TARGNAME": "NGC 104",
    ...                       "EXP_TYPE": "NRC_IMAGE", "S_REGION": ""})
    >>> name = "jw01234001001_02101_00001_nrca1_uncal.fits"
    >>> fits.PrimaryHDU(header=header).writeto(folder / name)
    >>> pool = pool_from_files([folder / name])
    >>> pool[["filename", "asn_candidate", "targetid", "pntgtype"]].iloc[0].tolist()
    ['jw01234001001_02101_00001_nrca1_uncal.fits', "[('o001', 'observation')]", '1', 'science']
    >>> bool(pool["s_region"].isna().all())  # an empty S_REGION is missing
    True
    >>> shutil.rmtree(folder)
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise PoolError("no exposure files given")
    extra = _extra_candidates(candidates)
    overrides = {
        key: value
        for key, value in (("pntgtype", pntgtype), ("is_imprt", is_imprt), ("dms_note", dms_note))
        if value is not None
    }
    rows = [exposure_row(path, candidates=extra) for path in paths]
    _number_targets(rows)
    for row in rows:
        row.update(overrides)
    _warn_duplicates(rows)
    return _to_frame(rows)


def exposure_row(
    path: str | os.PathLike, *, candidates: Sequence[tuple[str, str]] = ()
) -> dict[str, str | None]:
    """The pool row of one exposure file (without ``targetid``, which needs all files).

    Parameters
    ----------
    path : str or path-like
        The exposure file.
    candidates : list of (id, type), optional
        Extra candidates after the observation candidate.

    Returns
    -------
    dict
        Lowercase column name to text value (``None`` when missing).
    """
    path = Path(path)
    primary, science = _headers(path)
    row: dict[str, str | None] = {}
    for header in (primary, science):
        for keyword, value in _keyword_values(header, skip_structural=header is science):
            row.setdefault(keyword.lower(), _text(value))
    row["filename"] = path.name
    observtn = row.get("observtn")
    if observtn is None:
        raise PoolError(
            "no OBSERVTN keyword: cannot make the observation candidate", file=str(path)
        )
    observtn = observtn.zfill(3) if observtn.isdigit() else observtn
    row.setdefault("obs_num", observtn)
    row["asn_candidate"] = format_candidates(
        [(observation_id(observtn), "observation"), *candidates]
    )
    for column, default in _DEFAULTS.items():
        if row.get(column) is None:
            row[column] = default
    if row.get("pntgtype") is None:
        exp_type = (row.get("exp_type") or "").lower()
        row["pntgtype"] = "target_acquisition" if exp_type in ACQ_EXP_TYPES else "science"
    row.setdefault("dms_note", None)
    return row


# --------------------------------------------------------------------------- helpers


def _headers(path: Path) -> tuple[Any, Any]:
    """Primary and SCI headers (the latter ``None`` when absent); data never read."""
    from astropy.io import fits

    if not path.exists():
        raise PoolFileNotFoundError("exposure file not found", file=str(path))
    if path.is_dir():
        raise PoolError("is a directory, not an exposure file", file=str(path))
    try:
        with fits.open(path, lazy_load_hdus=True, memmap=False) as hdul:
            primary = hdul[0].header.copy()
            try:
                science = hdul["SCI"].header.copy()
            except (KeyError, IndexError):
                science = None
    except (OSError, ValueError, TypeError) as exc:
        raise PoolError(f"not a readable FITS file ({exc})", file=str(path)) from exc
    return primary, science


def _keyword_values(header: Any, *, skip_structural: bool) -> Iterable[tuple[str, Any]]:
    if header is None:
        return
    for card in header.cards:
        keyword = card.keyword
        if keyword in IGNORED_KEYWORDS:
            continue
        if skip_structural and (keyword in STRUCTURAL_KEYWORDS or keyword.startswith("NAXIS")):
            continue
        yield keyword, card.value


def _text(value: Any) -> str | None:
    """A header value as pool text; ``None`` for empty or undefined values."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if value is None or type(value).__name__ == "Undefined":
        return None
    text = str(value).strip()
    return None if text.lower() in POOL_MISSING else text


def _extra_candidates(candidates: Sequence[tuple[str, str]] | str | None) -> list[tuple[str, str]]:
    if candidates is None:
        return []
    if isinstance(candidates, str):
        try:
            return list(parse_candidates(candidates))
        except ValueError as exc:
            raise PoolError(f"cannot read candidates {candidates!r}: {exc}") from None
    pairs = []
    for item in candidates:
        if len(item) != 2:
            raise PoolError(f"a candidate is an (id, type) pair, not {item!r}")
        pairs.append((str(item[0]), str(item[1])))
    return pairs


def _number_targets(rows: list[dict[str, str | None]]) -> None:
    """``targetid`` 1, 2, ... by target name, in order of first appearance."""
    numbers: dict[str, int] = {}
    for row in rows:
        name = (row.get("targname") or "").lower()
        numbers.setdefault(name, len(numbers) + 1)
        row["targetid"] = str(numbers[name])


def _warn_duplicates(rows: list[dict[str, str | None]]) -> None:
    counts = Counter(row["filename"] for row in rows)
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        warnings.warn(
            f"{len(repeated)} file name(s) appear more than once (from different folders?): "
            f"{', '.join(repeated[:3])}{' ...' if len(repeated) > 3 else ''}",
            PoolWarning,
            stacklevel=3,
        )


def _to_frame(rows: list[dict[str, str | None]]) -> pd.DataFrame:
    names = sorted({key for row in rows for key in row} - {"filename"})
    columns = ["filename", *names]
    frame = pd.DataFrame(
        {column: pd.Series([row.get(column) for row in rows], dtype="str") for column in columns}
    )
    frame.attrs["asn_pool"] = "in-memory"
    frame.attrs["pool_file"] = "in-memory"
    return frame
