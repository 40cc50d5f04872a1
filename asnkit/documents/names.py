"""DMS names: association file names and Level 3 product names.

The association file name is
``jw{program}-{asn_id}[_{version_id}]_{asn_type}_{sequence:05d}_asn.json``, all
lowercase, with the program zero-padded to 5 digits. Sequences count from 1
separately for every ``(asn_id, asn_type)`` pair (:func:`sequence_numbers`), as
the reference pipeline numbers them.

Level 3 product names are
``jw{program}-{asn_id}_{target}_{instrument}_{optical elements}[-{subarray}]``
(:func:`product_name`); Level 2 products are named after the science file's
stem (:func:`file_stem`).

Examples
--------
>>> asn_filename("99009", "o001", "image3", 1)
'jw99009-o001_image3_00001_asn.json'
>>> asn_filename(1, "O001", "Image3", 2, version_id="20250101T000000")
'jw00001-o001_20250101t000000_image3_00002_asn.json'
>>> product_name("99009", "o001", "t001", "nircam", ["F090W", "CLEAR"])
'jw99009-o001_t001_nircam_clear-f090w'
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

__all__ = [
    "EMPTY_VALUES",
    "KNOWN_SUFFIXES",
    "asn_filename",
    "asn_name",
    "code_version",
    "exposure_name",
    "file_stem",
    "format_program",
    "format_target",
    "is_empty",
    "opt_element",
    "product_name",
    "sequence_numbers",
    "strip_suffix",
    "suffix_of",
    "version_timestamp",
]

#: Pool values the reference pipeline treats as "not set" (compared lowercase).
EMPTY_VALUES = frozenset({"", "null", "none", "--", "n", "f", "false", "n/a", "nan"})

#: File-name suffixes of JWST pipeline products an association member can carry.
KNOWN_SUFFIXES = (
    "uncal",
    "rate",
    "rateints",
    "cal",
    "calints",
    "x1d",
    "x1dints",
    "s2d",
    "s3d",
    "i2d",
    "crf",
    "crfints",
    "trapsfilled",
    "ramp",
    "cat",
    "segm",
    "psfstack",
    "psfalign",
    "psfsub",
    "ami",
    "aminorm",
    "amimulti",
    "whtlt",
    "c1d",
    "bsub",
    "bsubints",
    "jump",
    "dark",
)

_SUFFIX_RE = re.compile(r"_(?:" + "|".join(KNOWN_SUFFIXES) + r")$", re.IGNORECASE)
_EXTENSIONS = (".fits", ".fits.gz", ".ecsv", ".json", ".asdf")
_SUFFIX_OF = re.compile(r"_(" + "|".join(KNOWN_SUFFIXES) + r")$", re.IGNORECASE)
#: A DMS exposure file name: ``jw{program}{obs}{visit}_{group}{seq}{act}_{exposure}_{detector}``.
_EXPOSURE_NAME = re.compile(
    r"^jw(?P<program>\d{5})(?P<observation>\d{3})(?P<visit>\d{3})"
    r"_(?P<visit_group>\d{2})(?P<sequence>\d)(?P<activity>[0-9a-z]{2})"
    r"_(?P<exposure>\d{5})_(?P<detector>[a-z0-9]+?)(?:_[a-z0-9]+)?$",
    re.IGNORECASE,
)


def is_empty(value: Any) -> bool:
    """Whether a pool value means "not set" (NaN, None, '', 'null', 'f', 'n/a', ...).

    Examples
    --------
    >>> [is_empty(v) for v in (None, float("nan"), "NULL", "f", "1", "t")]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip().lower() in EMPTY_VALUES


def format_program(program: Any) -> str:
    """The program as the pipeline writes it: digits zero-padded to 5, other text as given.

    Examples
    --------
    >>> format_program(1), format_program("99009"), format_program(1234.0)
    ('00001', '99009', '01234')
    """
    if isinstance(program, float) and program.is_integer():
        program = int(program)
    text = str(program).strip()
    return text.zfill(5) if text.isdigit() else text


def format_target(targetid: Any) -> str:
    """The Level 3 target label ``t{targetid:0>3}`` (``t000`` when not set).

    Examples
    --------
    >>> format_target("1"), format_target(12), format_target(None), format_target("t004")
    ('t001', 't012', 't000', 't004')
    """
    if is_empty(targetid):
        return "t000"
    if isinstance(targetid, float) and targetid.is_integer():
        targetid = int(targetid)
    text = str(targetid).strip().lower()
    if text.startswith("t"):
        return text
    return f"t{text:0>3s}"


def asn_name(
    program: Any,
    asn_id: str,
    asn_type: str,
    sequence: int,
    version_id: str | None = None,
) -> str:
    """The association name (the file name without ``.json``), lowercase.

    Examples
    --------
    >>> asn_name("99009", "o001", "image2", 3)
    'jw99009-o001_image2_00003_asn'
    """
    parts = [f"jw{format_program(program)}-{asn_id}"]
    if version_id:
        parts.append(str(version_id))
    parts.append(str(asn_type))
    parts.append(f"{int(sequence):05d}")
    parts.append("asn")
    return "_".join(parts).lower()


def asn_filename(
    program: Any,
    asn_id: str,
    asn_type: str,
    sequence: int,
    version_id: str | None = None,
) -> str:
    """The DMS association file name.

    ``jw{program}-{asn_id}[_{version_id}]_{asn_type}_{sequence:05d}_asn.json``,
    lowercase, program zero-padded to 5 digits.

    Examples
    --------
    >>> asn_filename("99009", "c1000", "image3", 1, "20250101t000000")
    'jw99009-c1000_20250101t000000_image3_00001_asn.json'
    """
    return asn_name(program, asn_id, asn_type, sequence, version_id) + ".json"


def version_timestamp(when: Any = None) -> str:
    """A version id as ``asn_generate --version-id`` makes it: UTC ``%Y%m%dt%H%M%S``.

    Examples
    --------
    >>> import datetime
    >>> version_timestamp(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc))
    '20250101t000000'
    """
    import datetime

    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%Y%m%dt%H%M%S")


def sequence_numbers(keys: Iterable[Hashable]) -> list[int]:
    """Sequence numbers counting from 1 separately for each key, in order.

    The key is usually ``(asn_id, asn_type)``.

    Examples
    --------
    >>> sequence_numbers([("o001", "image2"), ("o001", "image2"), ("o001", "image3")])
    [1, 2, 1]
    """
    counters: dict[Hashable, int] = {}
    numbers = []
    for key in keys:
        counters[key] = counters.get(key, 0) + 1
        numbers.append(counters[key])
    return numbers


def strip_suffix(name: str) -> str:
    """The exposure name without folder, extension and pipeline suffix.

    Examples
    --------
    >>> strip_suffix("data/jw_00001_cal.fits")
    'jw_00001'
    >>> strip_suffix("jw01234001001_02101_00001_nrca1_rateints.fits")
    'jw01234001001_02101_00001_nrca1'
    >>> strip_suffix("jw_00001")
    'jw_00001'
    """
    return _SUFFIX_RE.sub("", file_stem(name))


def suffix_of(name: str) -> str | None:
    """The pipeline suffix of a file name (lowercase), or None when it has no known one.

    Examples
    --------
    >>> suffix_of("data/jw_00001_CAL.fits"), suffix_of("x_rateints.fits"), suffix_of("x.fits")
    ('cal', 'rateints', None)
    """
    match = _SUFFIX_OF.search(file_stem(name))
    return match.group(1).lower() if match else None


def exposure_name(name: str) -> dict[str, str] | None:
    """The fields of a DMS exposure file name, lowercase, or None for other names.

    Fields: ``program``, ``observation``, ``visit``, ``visit_group``, ``sequence``,
    ``activity``, ``exposure``, ``detector``.

    Examples
    --------
    >>> fields = exposure_name("data/jw01234001001_02101_00003_nrcalong_cal.fits")
    >>> fields["program"], fields["observation"], fields["exposure"], fields["detector"]
    ('01234', '001', '00003', 'nrcalong')
    >>> exposure_name("jw_00001_cal.fits") is None
    True
    """
    match = _EXPOSURE_NAME.match(file_stem(name))
    return {k: v.lower() for k, v in match.groupdict().items()} if match else None


def file_stem(name: str) -> str:
    """The file name without folder and extension (``.fits``, ``.fits.gz``, ...).

    Examples
    --------
    >>> file_stem("/data/jw_00008_rate.fits")
    'jw_00008_rate'
    """
    base = os.path.basename(str(name))
    lower = base.lower()
    for ext in _EXTENSIONS:
        if lower.endswith(ext):
            return base[: -len(ext)]
    return base


def opt_element(values: Iterable[Any]) -> str:
    """Optical elements as the pipeline names them: set values, sorted, joined by ``-``.

    Empty values are dropped; ``clear`` when none is left.

    Examples
    --------
    >>> opt_element(["F090W", "CLEAR"])
    'clear-f090w'
    >>> opt_element([None, "null"])
    'clear'
    """
    found = sorted({str(v).strip().lower() for v in values if not is_empty(v)})
    return "-".join(found) if found else "clear"


def product_name(
    program: Any,
    asn_id: str,
    target: Any,
    instrument: str,
    opt_elements: Sequence[Any] | str = (),
    *,
    subarray: Any = None,
    slit: Any = None,
    source: str | None = None,
) -> str:
    """A DMS Level 3 product name.

    ``jw{program}-{asn_id}_{source or target}_{instrument}_{opt}[-{slit}][-{subarray}]``,
    lowercase; the subarray is left out when it is ``full`` or not set.

    Parameters
    ----------
    program, asn_id : str
        Program (zero-padded to 5) and association id (``o001``, ``c1000``).
    target : str or int
        Target id (``1``) or label (``t001``).
    instrument : str
        Instrument name.
    opt_elements : sequence of str or str
        Filter, pupil, grating values (see :func:`opt_element`).
    subarray, slit : str, optional
        Added when set (``full`` subarrays are omitted).
    source : str, optional
        A source label (``s00001``) used instead of the target.

    Examples
    --------
    >>> product_name(1234, "o001", 1, "NIRSPEC", ["F290LP", "G395H"], slit="S200A1",
    ...              subarray="SUBS200A1")
    'jw01234-o001_t001_nirspec_f290lp-g395h-s200a1-subs200a1'
    """
    if isinstance(opt_elements, str):
        opt_elements = [opt_elements]
    opt = opt_element(opt_elements)
    if not is_empty(slit):
        opt += f"-{str(slit).lower()}"
    if not is_empty(subarray) and str(subarray).lower() != "full":
        opt += f"-{str(subarray).lower()}"
    who = source if source else format_target(target)
    return f"jw{format_program(program)}-{asn_id}_{who}_{instrument}_{opt}".lower()


def code_version() -> str:
    """What asnkit writes as ``code_version`` (jwst writes its own version there).

    Examples
    --------
    >>> code_version().startswith("asnkit ")
    True
    """
    from asnkit import __version__

    return f"asnkit {__version__}"
