"""What :func:`asnkit.check` finds: stable codes, severities and the records it returns.

Every check has one entry in :data:`CODES` (code, severity, title); the code
never changes meaning, so scripts and CI jobs can filter on it. A
:class:`Finding` is one frozen record (code, severity, JSON path, message for a
person, fix hint, association file); :class:`Findings` is the tuple of them
:func:`asnkit.check` returns, with ``.to_frame()`` (a DataFrame), ``.errors``,
``.warnings``, ``.infos`` and one line per finding as text.

Severities:

- ``error``: calwebb (jwst 3.0.0) fails, or silently does something else than
  the association says (members ignored, filters combined...);
- ``warning``: probably not what was meant; the pipeline runs;
- ``info``: worth knowing, and also found in associations jwst writes itself.

Examples
--------
>>> f = Finding("ASN101", "products[0]", "2 background members: calwebb_image3 ignores them",
...             "subtract backgrounds in image2", asn="x_asn.json")
>>> f.severity.value, str(f)
('error', 'x_asn.json: products[0]: error ASN101: 2 background members: calwebb_image3 \
ignores them (fix: subtract backgrounds in image2)')
>>> Findings([f]).ok, len(Findings([f]).errors)
(False, 1)
"""

from __future__ import annotations

import enum
import html
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CODES", "FINDING_COLUMNS", "Check", "Finding", "Findings", "Severity"]


class Severity(str, enum.Enum):
    """How bad a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Check:
    """One kind of finding: its stable code, severity and a title."""

    code: str
    severity: Severity
    title: str


def _table(*rows: tuple[str, Severity, str]) -> dict[str, Check]:
    return {code: Check(code, severity, title) for code, severity, title in rows}


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Every check :func:`asnkit.check` makes, by code. Codes are stable.
CODES: dict[str, Check] = _table(
    # the document itself
    ("ASN001", _E, "the document breaks the association schema or the pipeline's rules"),
    ("ASN002", _I, "asn_type is not one of the calwebb association types"),
    ("ASN003", _I, "two associations of a set give a product the same name"),
    # member roles
    ("ASN101", _E, "members of a role the association's pipeline ignores"),
    ("ASN102", _I, "record-keeping members the pipeline does not read"),
    ("ASN103", _E, "'science' written with capitals where jwst matches it exactly"),
    # mixing inside one Level 3 product
    ("ASN201", _E, "a product mixes instruments"),
    ("ASN202", _E, "a product mixes NIRCam short- and long-wavelength channels"),
    ("ASN203", _E, "a product mixes filters"),
    ("ASN204", _E, "a product mixes pupils or gratings"),
    ("ASN205", _W, "a product mixes targets"),
    ("ASN206", _E, "a product mixes exposure types"),
    ("ASN207", _E, "a Level 2 background taken with another detector or optical element"),
    # exposure types against the association type
    ("ASN301", _E, "spectra in an imaging association"),
    ("ASN302", _E, "images in a spectroscopic association"),
    ("ASN303", _E, "exposures the coron3 / ami3 pipeline is not made for"),
    ("ASN304", _W, "time-series exposures in a type that is not for time series"),
    ("ASN305", _E, "exposures that are not time series in tso3"),
    # members a pipeline needs
    ("ASN401", _E, "a Level 2 product without exactly one science member"),
    ("ASN402", _E, "a Level 3 product without science members"),
    ("ASN403", _E, "a Level 3 association with several products"),
    ("ASN404", _E, "coron3 without psf members"),
    ("ASN405", _W, "ami3 without psf members"),
    ("ASN406", _E, "WFSS spec2 without a source catalogue"),
    ("ASN407", _W, "WFSS spec2 without direct image or segmentation map"),
    ("ASN408", _W, "the same exposure twice in a product"),
    # member file names
    ("ASN501", _E, "uncalibrated members in a Level 3 association"),
    ("ASN502", _E, "raw (detector1) members in a Level 2 association"),
    ("ASN503", _W, "already calibrated members in a Level 2 association"),
    ("ASN504", _W, "spec3 background members that are not 1-D spectra"),
    ("ASN505", _W, "coron3 / ami3 / tso3 members that are not per-integration files"),
    ("ASN601", _I, "member names with a folder"),
    ("ASN602", _I, "members in different folders"),
    ("ASN603", _E, "a product name with a folder separator"),
    ("ASN604", _W, "a product name with spaces or unusual characters"),
    ("ASN605", _I, "a product name with capitals or a file extension"),
    # files (files=)
    ("ASN701", _E, "member files missing next to the association"),
    ("ASN702", _W, "member names outside the association's folder (not looked for)"),
    # the pool (pool=)
    ("ASN801", _W, "members not found in the given pool (another pool?)"),
)

#: Columns of :meth:`Findings.to_frame`.
FINDING_COLUMNS = ("asn", "code", "severity", "path", "message", "hint")


@dataclass(frozen=True)
class Finding:
    """One finding of :func:`asnkit.check`.

    Parameters
    ----------
    code : str
        Stable code (a key of :data:`CODES`); it gives the severity.
    path : str
        JSON path in the association (``products[0].members[3]``; ``""`` for the
        whole document).
    message : str
        What is wrong, for a person.
    hint : str
        How to fix it.
    asn : str, optional
        The association's file name (None when it has none).
    """

    code: str
    path: str
    message: str
    hint: str = ""
    asn: str | None = None
    severity: Severity = field(init=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        object.__setattr__(self, "severity", CODES[self.code].severity)

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON types (keys :data:`FINDING_COLUMNS`)."""
        return {c: str(getattr(self, c)) if c == "severity" else getattr(self, c)
                for c in FINDING_COLUMNS}  # fmt: skip

    def __str__(self) -> str:
        where = ": ".join(x for x in (self.asn, self.path) if x)
        text = f"{self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f" (fix: {self.hint})"
        return f"{where}: {text}" if where else text


class Findings(tuple):
    """The findings of :func:`asnkit.check`: a tuple of :class:`Finding`.

    Errors come first, then warnings, then infos (each in document order).
    ``ok`` is True when there is no error.
    """

    __slots__ = ()

    def __new__(cls, findings: Iterable[Finding] = ()) -> Findings:
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        items = sorted(findings, key=lambda f: order[f.severity])
        return super().__new__(cls, items)

    @property
    def errors(self) -> Findings:
        """The errors."""
        return Findings(f for f in self if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> Findings:
        """The warnings."""
        return Findings(f for f in self if f.severity is Severity.WARNING)

    @property
    def infos(self) -> Findings:
        """The infos."""
        return Findings(f for f in self if f.severity is Severity.INFO)

    @property
    def ok(self) -> bool:
        """No error (warnings and infos allowed)."""
        return not any(f.severity is Severity.ERROR for f in self)

    @property
    def codes(self) -> list[str]:
        """The code of each finding, in order."""
        return [f.code for f in self]

    def by_code(self, code: str) -> Findings:
        """The findings of one code."""
        return Findings(f for f in self if f.code == code)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding (columns :data:`FINDING_COLUMNS`)."""
        import pandas as pd

        return pd.DataFrame([f.to_dict() for f in self], columns=list(FINDING_COLUMNS))

    def to_json(self) -> str:
        """The findings as a JSON list of objects."""
        return json.dumps([f.to_dict() for f in self], indent=2)

    def summary(self) -> str:
        """``"2 errors, 1 warning, 0 infos"``."""
        n = [len(self.errors), len(self.warnings), len(self.infos)]
        words = ("error", "warning", "info")
        return ", ".join(f"{k} {w}{'s' if k != 1 else ''}" for k, w in zip(n, words, strict=True))

    def __str__(self) -> str:
        if not self:
            return "no findings"
        return "\n".join(str(f) for f in self)

    def __repr__(self) -> str:
        return f"<Findings: {self.summary()}>"

    def __iter__(self) -> Iterator[Finding]:
        return super().__iter__()

    def _repr_html_(self) -> str:
        colours = {Severity.ERROR: "#b00", Severity.WARNING: "#a60", Severity.INFO: "#456"}
        rows = "".join(
            f"<tr style='color:{colours[f.severity]}'><td>{f.severity}</td><td>{f.code}</td>"
            f"<td>{html.escape(f.asn or '')}</td><td>{html.escape(f.path)}</td>"
            f"<td>{html.escape(f.message)}</td><td>{html.escape(f.hint)}</td></tr>"
            for f in self
        )
        head = "".join(f"<th>{c}</th>" for c in ("severity", "code", "asn", "path", "message",
                                                  "fix"))  # fmt: skip
        return (
            f"<b>{html.escape(self.summary())}</b>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
