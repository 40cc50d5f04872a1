"""What is known of each member's exposure: from its file name, the pool, or its header.

:func:`asnkit.check` needs a member's instrument, detector, exposure type,
filter, pupil, grating, target and time-series flag. They come, best first,
from the pool rows (``pool=``; matched by exposure name without suffix, and by
``asn_candidate`` when a pool lists an exposure twice), from the member file's
header (``files=``), and from the DMS file name (detector, hence instrument
and NIRCam channel). Values not known stay None: checks then say nothing.

Examples
--------
>>> facts = ExposureFacts.from_name("jw01234001001_02101_00001_nrcalong_cal.fits")
>>> facts.instrument, facts.channel, facts.filter
('nircam', 'long', None)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from asnkit.dms import exposures as dms
from asnkit.dms.names import exposure_key, exposure_name, is_junk_name
from asnkit.dms.values import is_empty
from asnkit.errors import PoolKeyError
from asnkit.pool.select import column_error

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ExposureFacts", "PoolIndex", "header_facts", "member_facts"]

#: Pool columns read for the facts.
_COLUMNS = ("instrume", "detector", "exp_type", "filter", "pupil", "grating", "targetid",
            "targname", "tsovisit")  # fmt: skip


def _value(value: Any) -> str | None:
    return None if is_empty(value) else str(value).strip().lower()


def _flag(value: Any) -> bool | None:
    text = "" if value is None else str(value).strip().lower()
    if text in ("t", "true"):
        return True
    if text in ("f", "false"):
        return False
    return None


@dataclass(frozen=True)
class ExposureFacts:
    """What is known of one exposure (lowercase text; None when unknown)."""

    instrument: str | None = None
    channel: str | None = None
    detector: str | None = None
    exp_type: str | None = None
    filter: str | None = None
    pupil: str | None = None
    grating: str | None = None
    target_id: str | None = None
    target_name: str | None = None
    tsovisit: bool | None = None
    source: str = "none"

    @classmethod
    def from_name(cls, name: str) -> ExposureFacts:
        """The facts a DMS exposure file name gives (detector, instrument, channel)."""
        fields_ = exposure_name(name)
        if not fields_:
            return cls()
        instrument, channel = dms.detector_info(fields_["detector"])
        if instrument is None:
            return cls()
        return cls(instrument, channel, fields_["detector"], source="file name")

    @classmethod
    def from_row(cls, row: Mapping[str, Any], source: str = "pool") -> ExposureFacts:
        """The facts of a pool row (or of header keywords, lowercase keys)."""
        detector = _value(row.get("detector"))
        instrument, channel = dms.detector_info(detector)
        return cls(
            instrument=_value(row.get("instrume")) or instrument,
            channel=channel,
            detector=detector,
            exp_type=_value(row.get("exp_type")),
            filter=_value(row.get("filter")),
            pupil=_value(row.get("pupil")),
            grating=_value(row.get("grating")),
            target_id=_value(row.get("targetid")),
            target_name=_value(row.get("targname")),
            tsovisit=_flag(row.get("tsovisit")),
            source=source,
        )

    def over(self, other: ExposureFacts) -> ExposureFacts:
        """These facts, completed by ``other`` where unknown."""
        values = {
            f.name: getattr(self, f.name)
            if getattr(self, f.name) is not None
            else getattr(other, f.name)
            for f in fields(self)
            if f.name != "source"
        }
        source = self.source if self.source != "none" else other.source
        return ExposureFacts(**values, source=source)

    @property
    def is_imaging(self) -> bool | None:
        """Imaging (jwst's IMAGING_TYPES, or a NIRSpec exposure through the mirror)."""
        if self.exp_type is None:
            return None
        return self.exp_type in dms.IMAGING_EXP_TYPES or self.grating == "mirror"

    @property
    def is_spectrum(self) -> bool | None:
        """Spectroscopic (jwst's SPEC_TYPES, not through the NIRSpec mirror)."""
        if self.exp_type is None:
            return None
        return self.exp_type in dms.SPEC_EXP_TYPES and self.grating != "mirror"

    @property
    def is_time_series(self) -> bool | None:
        """Time series as calwebb_tso3's ``is_tso`` decides: TSOVISIT or a TSO exposure type."""
        if self.tsovisit or (self.exp_type is not None and self.exp_type in dms.TSO_EXP_TYPES):
            return True
        if self.tsovisit is False and self.exp_type is not None:
            return False
        return None


def _merge(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The values all rows agree on (others left out)."""
    out = dict(rows[0])
    for key in list(out):
        if any(_value(r.get(key)) != _value(out[key]) for r in rows[1:]):
            del out[key]
    return out


def _candidate_text(value: Any) -> str:
    return "".join(str(value or "").split()).lower()


class PoolIndex:
    """Pool rows by exposure key, to find the row of an association member.

    Parameters
    ----------
    pool : DataFrame
        A pool (:func:`asnkit.read_pool`); not changed.
    """

    def __init__(self, pool: pd.DataFrame) -> None:
        if "filename" not in pool.columns:
            raise PoolKeyError(column_error(pool, "filename"))
        columns = [c for c in (*_COLUMNS, "asn_candidate") if c in pool.columns]
        self._rows: dict[str, list[dict[str, Any]]] = {}
        #: The pool's file name (``asn_pool`` of what was made from it), when known.
        self.name: str | None = pool.attrs.get("asn_pool")
        names = pool["filename"].tolist()
        values = pool[columns].to_dict(orient="records") if columns else [{}] * len(names)
        for name, row in zip(names, values, strict=True):
            if is_junk_name(name):
                continue  # junk rows of jwst pools
            self._rows.setdefault(exposure_key(name), []).append(row)

    def __contains__(self, name: object) -> bool:
        return exposure_key(name) in self._rows

    def facts(self, expname: str, asn_candidate: Any = None) -> ExposureFacts | None:
        """The facts of the pool row of a member (None when the pool lacks it).

        When the pool lists the exposure more than once, the row with the member's
        ``asn_candidate`` is taken; failing that, only what all rows agree on.
        """
        rows = self._rows.get(exposure_key(expname))
        if not rows:
            return None
        if len(rows) > 1 and asn_candidate:
            wanted = _candidate_text(asn_candidate)
            same = [r for r in rows if _candidate_text(r.get("asn_candidate")) == wanted]
            rows = same or rows
        return ExposureFacts.from_row(rows[0] if len(rows) == 1 else _merge(rows))


def header_facts(path: str | os.PathLike[str]) -> ExposureFacts | None:
    """The facts of a FITS file's headers (None when it cannot be read)."""
    from asnkit.pool.headers import exposure_row

    try:
        row = exposure_row(path)
    except (OSError, ValueError, TypeError, KeyError):  # PoolError is a ValueError
        return None
    return ExposureFacts.from_row(row, source="header")


def member_facts(
    members: Iterable[Mapping[str, Any]],
    *,
    pool: PoolIndex | None = None,
    headers: Mapping[str, ExposureFacts] | None = None,
) -> list[ExposureFacts]:
    """The facts of each member: pool row, then header, then file name."""
    out = []
    for member in members:
        name = str(member.get("expname", ""))
        facts = ExposureFacts()
        if pool is not None:
            facts = pool.facts(name, member.get("asn_candidate")) or facts
        if headers:
            found = headers.get(name)
            if found is not None:
                facts = facts.over(found)
        facts = facts.over(ExposureFacts.from_name(name))
        out.append(facts)
    return out
