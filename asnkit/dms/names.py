"""DMS names: pipeline suffixes, file stems, association files and product names.

* a file's *stem* is its name without folder and extension; pipeline products add
  a *suffix* (``_uncal``, ``_rate``, ``_cal``, ``_x1d``...) to the exposure's name:
  :func:`strip_suffix` and :func:`exposure_key` give the exposure back;
* the association file name is
  ``jw{program}-{asn_id}[_{version_id}]_{asn_type}_{sequence:05d}_asn.json``,
  lowercase, the program zero-padded to 5 digits; sequences count from 1 per
  ``(asn_id, asn_type)`` (:func:`sequence_numbers`);
* Level 3 product names are
  ``jw{program}-{asn_id}_{target}_{instrument}_{optical elements}[-{slit}][-{subarray}]``
  (:func:`product_name`); Level 2b products are named after the science file's stem;
* a pool row whose ``filename`` holds blanks is a junk row (``set acid`` lines left in
  DMS pools), and so is a repeated header line: not an exposure (:func:`is_junk_name`).

Examples
--------
>>> strip_suffix("data/jw01234001001_02101_00001_nrca1_rateints.fits")
'jw01234001001_02101_00001_nrca1'
>>> asn_filename("99009", "o001", "image3", 1)
'jw99009-o001_image3_00001_asn.json'
>>> asn_filename(1, "O001", "Image3", 2, version_id="20250101T000000")
'jw00001-o001_20250101t000000_image3_00002_asn.json'
>>> product_name("99009", "o001", "t001", "nircam", ["F090W", "CLEAR"])
'jw99009-o001_t001_nircam_clear-f090w'
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from functools import cache
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from asnkit.dms.values import is_empty

__all__ = [
    "EXTENSIONS",
    "SUFFIXES",
    "asn_filename",
    "asn_name",
    "exposure_key",
    "exposure_name",
    "file_stem",
    "format_program",
    "format_target",
    "format_template",
    "is_junk_name",
    "junk_rows",
    "member_stem",
    "opt_element",
    "parse_asn_filename",
    "parse_exposure_name",
    "path_name",
    "product_name",
    "remove_suffix",
    "sequence_numbers",
    "strip_suffix",
    "suffix_of",
    "version_timestamp",
    "without_extension",
]

#: Pipeline file-name suffixes (jwst.lib.suffix ``KNOWN_SUFFIXES``, and three it lacks).
SUFFIXES = tuple(
    (
        "adaptive_trace_model adaptivetracemodelstep align_refs alignrefsstep ami ami-oi "
        "ami3pipeline ami_analyze ami_normalize amianalyzestep aminorm aminorm-oi "
        "aminormalizestep assign_mtwcs assign_wcs assignmtwcsstep assignwcsstep backgroundstep "
        "badpixselfcalstep barshadowstep bkg_subtract blot bsub bsubints c1d cal calints cat "
        "chargemigrationstep clean_flicker_noise cleanflickernoisestep combine1dstep combine_1d "
        "coron3pipeline crf crfints cube_build cubebuildstep dark dark_current darkcurrentstep "
        "darkpipeline detector1pipeline dq_init dqinitstep emicorr emicorrstep engdblog "
        "extract1dstep extract2dstep extract_1d extract_2d firstframe firstframestep flat_field "
        "flatfieldstep fringe fringestep gain_scale gainscalestep group_scale groupscalestep "
        "guider_cds guidercdsstep guiderpipeline hlsp hlspstep i2d image2pipeline image3pipeline "
        "imprint imprintstep ipc ipcstep jump jumpstep klip klipstep lastframe lastframestep "
        "linearity linearitystep master_background masterbackgroundmosstep masterbackgroundstep "
        "mbsub median msaflagopenstep outlier_detection outlierdetectionstep pathloss "
        "pathlossstep persistence persistencestep phot photom photomstep picture_frame "
        "pictureframestep pixelreplacestep psfalign psfstack psfsub ramp ramp_fit rampfitstep "
        "rate rateints refpix refpixstep resample resample_spec resamplespecstep resamplestep "
        "reset resetstep residual_fringe residualfringestep rscd rscdstep s2d s3d saturation "
        "saturationstep skymatch skymatchstep snr source_catalog sourcecatalogstep "
        "sourcetypestep spec2nrslamp spec2pipeline spec3pipeline spectral_leak spectralleakstep "
        "srctype stackrefs stackrefsstep straylight straylightstep superbias superbiasstep "
        "targ_centroid targcentroidstep tso3pipeline tsophotometrystep tweakreg tweakregstep "
        "uncal wavecorrstep wfscmb wfscombine wfscombinestep wfsscontamstep white_light "
        "whitelightstep whtlt x1d x1dints"
        # products jwst's list lacks: segmentation maps, persistence, multi-integration AMI
        " segm trapsfilled amimulti"
    ).split()
)

#: File extensions :func:`file_stem` removes.
EXTENSIONS = (".fits", ".fits.gz", ".ecsv", ".json", ".asdf")


@cache
def _suffix_expression() -> re.Pattern[str]:
    """jwst's expression for a stem and its suffix (compiled when first needed: rarely)."""
    return re.compile("^(?P<root>.+?)((?P<sep>_|-)(" + "|".join(SUFFIXES) + "))?$", re.IGNORECASE)


@cache
def _suffix_at_end() -> re.Pattern[str]:
    """A separator and a known suffix ending a stem (compiled when first needed)."""
    return re.compile(r"_(" + "|".join(SUFFIXES) + r")$", re.IGNORECASE)


_BLANK = re.compile(r"\s")
_EXPOSURE = re.compile(r"^jw(?P<program>\d{5})(?P<obs>\d{3})\d{3}_", re.IGNORECASE)
_EXPOSURE_FIELDS = re.compile(
    r"^jw(?P<program>\d{5})(?P<observation>\d{3})(?P<visit>\d{3})"
    r"_(?P<visit_group>\d{2})(?P<sequence>\d)(?P<activity>[0-9a-z]{2})"
    r"_(?P<exposure>\d{5})_(?P<detector>[a-z0-9]+?)(?:_[a-z0-9]+)?$",
    re.IGNORECASE,
)


_SUFFIX_SET = frozenset(suffix.lower() for suffix in SUFFIXES)
_LONGEST = max(len(suffix) for suffix in SUFFIXES)


def remove_suffix(stem: str) -> str:
    """Drop one known pipeline suffix (``_rate``, ``-cal``...) from a file stem, as jwst does.

    jwst's expression, ``^(?P<root>.+?)((_|-)(suffixes))?$`` ignoring case: the
    shortest root followed by a separator and exactly one known suffix, else the
    whole stem. ASCII stems without a newline are cut by looking at their
    separators; others go through the expression itself.

    >>> remove_suffix("jw00001001001_01101_00001_nrca1_rate")
    'jw00001001001_01101_00001_nrca1'
    """
    if "\n" in stem or not stem.isascii():
        match = _suffix_expression().match(stem)
        return match.group("root") if match else stem
    lowered = stem.lower()
    # only the last _LONGEST + 1 characters can be a separator and a suffix
    for k in range(max(1, len(stem) - 1 - _LONGEST), len(stem) - 1):
        if lowered[k] in "_-" and lowered[k + 1 :] in _SUFFIX_SET:
            return stem[:k]
    return stem


def path_name(path: str) -> str:
    """``PurePosixPath(path).name``, without making a path for a plain file name.

    >>> path_name("data/jw00001001001_01101_00001_nrca1_cal.fits"), path_name("x_cal.fits")
    ('jw00001001001_01101_00001_nrca1_cal.fits', 'x_cal.fits')
    """
    if "/" in path or path in ("", "."):
        return PurePosixPath(path).name
    return path


def without_extension(path: str) -> str:
    """The path without its last extension, as jwst writes it: ``str(p.parent / p.stem)``.

    A plain file name is cut as text; anything else (folders, ``.``, an empty
    name) goes through :class:`~pathlib.PurePosixPath`.

    >>> without_extension("jw00001001001_01101_00001_nrca1_rate.fits"), without_extension(".")
    ('jw00001001001_01101_00001_nrca1_rate', '.')
    """
    if "/" in path or path in ("", "."):
        posix = PurePosixPath(path)
        return str(posix.parent / posix.stem)
    i = path.rfind(".")
    return path[:i] if 0 < i < len(path) - 1 else path


def member_stem(expname: str) -> str:
    """A member's exposure root: its file name without folder, extension and suffix.

    >>> member_stem("data/jw00001001001_01101_00001_nrca1_cal.fits")
    'jw00001001001_01101_00001_nrca1'
    """
    return remove_suffix(path_name(expname).rsplit(".", 1)[0])


def file_stem(name: str) -> str:
    r"""The file name without folder and extension (``.fits``, ``.fits.gz``, ...).

    >>> file_stem("/data/jw_00008_rate.fits"), file_stem(r"C:\data\x_cal.fits")
    ('jw_00008_rate', 'x_cal')
    """
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    lower = base.lower()
    for ext in EXTENSIONS:
        if lower.endswith(ext):
            return base[: -len(ext)]
    return base


def strip_suffix(name: str) -> str:
    """The exposure name without folder, extension and pipeline suffix.

    >>> strip_suffix("data/jw_00001_cal.fits"), strip_suffix("jw_00001")
    ('jw_00001', 'jw_00001')
    """
    return remove_suffix(file_stem(name))


def exposure_key(name: Any) -> str:
    """The key matching an exposure in a pool to its products in associations: lower case.

    >>> exposure_key(" /data/JW01075001001_03105_00009_NRCA2_uncal.fits")
    'jw01075001001_03105_00009_nrca2'
    """
    return strip_suffix(str(name).strip()).lower()


def parse_exposure_name(name: str) -> tuple[str, str] | None:
    """(program, observation) of a DMS exposure file name, or None.

    >>> parse_exposure_name("jw01234001001_02101_00001_nrca1_cal.fits")
    ('01234', '001')
    """
    match = _EXPOSURE.match(file_stem(name))
    return (match["program"], match["obs"]) if match else None


def exposure_name(name: str) -> dict[str, str] | None:
    """All fields of a DMS exposure file name, lowercase, or None for other names.

    Fields: ``program``, ``observation``, ``visit``, ``visit_group``, ``sequence``,
    ``activity``, ``exposure``, ``detector``
    (``jw{program}{observation}{visit}_{visit_group}{sequence}{activity}_{exposure}_{detector}``).

    >>> fields = exposure_name("data/jw01234001001_02101_00003_nrcalong_cal.fits")
    >>> fields["program"], fields["observation"], fields["exposure"], fields["detector"]
    ('01234', '001', '00003', 'nrcalong')
    >>> exposure_name("jw_00001_cal.fits") is None
    True
    """
    match = _EXPOSURE_FIELDS.match(file_stem(name))
    return {k: v.lower() for k, v in match.groupdict().items()} if match else None


def suffix_of(name: str) -> str | None:
    """The pipeline suffix of a file name (lowercase), or None when it has no known one.

    >>> suffix_of("data/jw_00001_CAL.fits"), suffix_of("x_rateints.fits"), suffix_of("x.fits")
    ('cal', 'rateints', None)
    """
    match = _suffix_at_end().search(file_stem(name))
    return match.group(1).lower() if match else None


def is_junk_name(filename: Any) -> bool:
    """A ``filename`` value that cannot name a file: it holds blanks (``set acid`` lines),
    or it is the column's name (a header line repeated among the rows).

    jwst keeps such rows as rows; summaries, candidate lists and the widgets
    mark them as junk instead of presenting them as exposures.

    >>> is_junk_name("set acid 1000"), is_junk_name("FILENAME"), is_junk_name(None)
    (True, True, False)
    >>> is_junk_name("jw_00001_uncal.fits")
    False
    """
    return isinstance(filename, str) and (
        _BLANK.search(filename) is not None or filename.lower() == "filename"
    )


def junk_rows(filenames: Iterable[Any]) -> np.ndarray:
    """Boolean mask of the junk rows (:func:`is_junk_name`) of a ``filename`` column."""
    values = list(filenames)
    uniques = {value for value in values if isinstance(value, str)}
    junk = {value for value in uniques if is_junk_name(value)}
    return np.fromiter((v in junk for v in values), dtype=bool, count=len(values))


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


_ASN_FILENAME = re.compile(
    r"jw(?P<program>[a-z0-9]+)-(?P<asn_id>[a-z0-9]+)(?:_(?P<version_id>[a-z0-9]+))?"
    r"_(?P<asn_type>[a-z0-9-]+)_(?P<sequence>\d{5})_asn\.json",
    re.IGNORECASE,
)


def parse_asn_filename(name: str) -> dict[str, Any] | None:
    """The parts of a DMS association file name (as :func:`asn_filename` makes it), or None.

    Keys: ``program``, ``asn_id``, ``version_id`` (None when the name has none),
    ``asn_type`` (lower case) and ``sequence`` (an int). ``name`` is a file
    name, without folder.

    Examples
    --------
    >>> parse_asn_filename(asn_filename("99009", "c1000", "image3", 2, "20250101t000000"))
    {'program': '99009', 'asn_id': 'c1000', 'version_id': '20250101t000000', \
'asn_type': 'image3', 'sequence': 2}
    >>> parse_asn_filename("jw99009-o001_tso-image2_00001_asn.json")["version_id"] is None
    True
    >>> parse_asn_filename("my_asn.json") is None
    True
    """
    match = _ASN_FILENAME.fullmatch(name)
    if match is None:
        return None
    parts: dict[str, Any] = {k: v.lower() if v else None for k, v in match.groupdict().items()}
    parts["sequence"] = int(parts["sequence"])
    return parts


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


_FIELD = re.compile(r"\{(\w+)(?::([^}]*))?\}")


def format_template(template: str, **values: Any) -> str:
    """Fill ``{key}`` fields; fields without a value stay literal (``{source_id}``).

    ``expspcin`` is zero-padded to two characters, as DMS product names do.

    >>> format_template("jw{program}_{source_id}", program="00001")
    'jw00001_{source_id}'
    """

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            return match.group(0)
        value = values[key]
        if value is None:
            return ""
        text = str(value)
        if key == "expspcin":
            text = text.rjust(2, "0")
        return text

    return _FIELD.sub(fill, template)
