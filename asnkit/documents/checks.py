"""Checks that know the pipeline: will calwebb (jwst 3.0.0) do what the association says?

A schema-valid association can still be mishandled: calwebb_image3 reads only
science members, so background members there do nothing; a product mixing
F150W and F444W is resampled into one image; ``_uncal`` files in a Level 3
association make the pipeline fail hours later. :func:`check` finds such
cases and returns them as :class:`~asnkit.documents.findings.Findings` (code,
severity, JSON path, message and fix hint; codes in
:data:`~asnkit.documents.findings.CODES`).

What the pipelines do is in :mod:`asnkit.documents.pipelines`; what is known of
each member's exposure (from the pool, its header, or its DMS file name) in
:mod:`asnkit.documents.exposures`. Every check cites the jwst behaviour it
protects against.

Examples
--------
>>> from asnkit.documents.build import asn_from_files
>>> names = [f"jw01234001001_02101_0000{i}_nrca1_cal.fits" for i in (1, 2)]
>>> mosaic = asn_from_files(names + ["jw01234003001_02101_00001_nrca1_cal.fits"],
...                     product_name="jw01234-o001_t001_nircam_clear-f150w",
...                     roles={"jw01234003001_02101_00001_nrca1": "background"})
>>> findings = check(mosaic)
>>> findings.codes, findings.ok
(['ASN101'], False)
>>> print(findings[0].message)
1 background member: calwebb_image3 reads only science members, so it is ignored
>>> check(mosaic.remove_members("jw01234003001_02101_00001_nrca1")).ok
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asnkit.documents.check_context import CheckedAssociation
from asnkit.documents.check_files import (
    check_files,
    check_folders,
    check_product_names,
    check_suffixes,
)
from asnkit.documents.check_members import (
    check_backgrounds,
    check_capitals,
    check_exposure_types,
    check_membership,
    check_mixing,
    check_pool,
    check_roles,
)
from asnkit.documents.collection import AssociationSet, path_given
from asnkit.documents.exposures import PoolIndex
from asnkit.documents.findings import Finding, Findings
from asnkit.documents.model import Association
from asnkit.documents.pipelines import PIPELINES
from asnkit.documents.validation import iter_errors

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CHECKS", "check"]


# --------------------------------------------------------------------------- the document
def check_document(doc: CheckedAssociation) -> None:
    # jwst's load_asn validates against its Level 2b / Level 3 schemas and refuses
    # ("Cannot read ASN file") what they reject; asnkit's schemas require the same.
    for fault in iter_errors(doc.asn, science_count=False):
        doc.add("ASN001", fault.path, fault.message, "correct the document (asnkit.validate)")
    if doc.pipeline is None:
        doc.add(
            "ASN002",
            "asn_type",
            f"asn_type {doc.asn.asn_type!r} is not one of the calwebb association types "
            f"({', '.join(PIPELINES)}): only the checks that do not depend on the pipeline "
            "were made",
            "set asn_type to the pipeline you will run",
        )


#: The checks, in the order they run.
CHECKS = (
    check_document,
    check_roles,
    check_capitals,
    check_mixing,
    check_backgrounds,
    check_exposure_types,
    check_membership,
    check_suffixes,
    check_folders,
    check_product_names,
    check_files,
    check_pool,
)


def _files_argument(files: Any) -> tuple[Path | None, set[str] | None]:
    if files is None or files is False:
        return None, None
    if isinstance(files, (str, os.PathLike)):
        return Path(files), None
    names = {os.path.normpath(os.fspath(f)) for f in files}
    return None, names | {os.path.basename(n) for n in names}


def check(
    asn_or_set: Association | AssociationSet | Mapping[str, Any] | Iterable[Association],
    *,
    pool: pd.DataFrame | PoolIndex | None = None,
    files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
) -> Findings:
    """What calwebb (jwst 3.0.0) would do differently from what the association says.

    Parameters
    ----------
    asn_or_set : Association, dict or AssociationSet
        What to check; for a set, each association (findings name their file).
    pool : DataFrame, optional
        The pool the members come from: gives exposure types, filters, pupils,
        gratings, targets and time-series flags (members are matched by name
        without suffix). Without it, checks use the member file names (detector,
        instrument, NIRCam channel) and the headers of ``files``. A
        :class:`~asnkit.documents.exposures.PoolIndex` of the pool is taken too (to
        check many associations of one pool without indexing it each time).
    files : folder or list of paths, optional
        The folder the association lives in (members are looked for there, as the
        pipeline does, and their FITS headers are read), or the list of files
        that exist. Missing members are reported (``ASN701``).

    Returns
    -------
    Findings
        Errors, then warnings, then infos; ``.ok`` when there is no error,
        ``.to_frame()`` as a DataFrame, one line per finding as text. The codes and
        what each protects against: :data:`asnkit.documents.findings.CODES`.

    Examples
    --------
    >>> from asnkit.documents.build import asn_from_files
    >>> asn = asn_from_files(["jw01234001001_02101_00001_nrca1_uncal.fits",
    ...                   "jw01234001001_02101_00001_nrcalong_cal.fits"],
    ...                  product_name="My Mosaic")
    >>> for finding in check(asn):
    ...     print(finding.code, finding.severity.value, finding.path)
    ASN202 error products[0]
    ASN501 error products[0].members[0]
    ASN604 warning products[0].name
    ASN605 info products[0].name
    """
    if isinstance(asn_or_set, (str, bytes, os.PathLike)):
        raise path_given("check takes an association", asn_or_set)
    if isinstance(asn_or_set, Association):
        items = [asn_or_set]
    elif isinstance(asn_or_set, Mapping):
        items = [Association.from_dict(asn_or_set)]
    else:
        items = list(AssociationSet(asn_or_set))
    index = pool if isinstance(pool, PoolIndex) or pool is None else PoolIndex(pool)
    folder, available = _files_argument(files)
    findings: list[Finding] = []
    for asn in items:
        doc = CheckedAssociation(asn, index, folder, available)
        for step in CHECKS:
            step(doc)
        findings.extend(doc.findings)
    if len(items) > 1:
        # Products of one set write files named after them: two products with one name
        # overwrite each other's outputs (jwst itself does it for some wfs-image3 pairs).
        for fault in iter_errors(AssociationSet(items)):
            if "is also used by" in fault.message:
                name, _, path = fault.path.partition(":")
                findings.append(
                    Finding(
                        "ASN003",
                        path,
                        fault.message + ": run in one folder, their outputs overwrite each other",
                        "give every product its own name",
                        asn=name,
                    )
                )
    return Findings(findings)
