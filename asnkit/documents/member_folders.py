"""Member names that carry a folder: one warning for an association, saying what to do.

The pipeline looks for members relative to the association's folder, so the
builders (:func:`asnkit.asn_from_files`, :func:`asnkit.to_association`) keep
names as given but say so, once, when they carry a folder.

Examples
--------
>>> import warnings
>>> from asnkit.documents.model import Association
>>> asn = Association.new(asn_type="image3", asn_id="a3001", program="99009", products=[
...     {"name": "p", "members": [{"expname": "sub/a_cal.fits", "exptype": "science"}]}])
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn_folders(asn, "asn_from_files")
>>> print(caught[0].message)
asn_from_files: 1 of 1 member name carries a folder ('sub/a_cal.fits'); the pipeline looks \
for members relative to the association's folder; pass path_mode='basename' to keep the file \
names only, and write the association next to its members
"""

from __future__ import annotations

import os
import warnings

from asnkit.documents.model import Association
from asnkit.documents.validation import is_valid
from asnkit.errors import AssociationWarning, outside_stacklevel

__all__ = ["warn_folders"]


def warn_folders(asn: Association, function: str) -> None:
    """One :class:`~asnkit.AssociationWarning` for the member names that carry a folder.

    Said once for the association (not once per member), attributed to the
    caller outside asnkit, with what to do: ``path_mode="basename"``. Says too
    when the association, written as it is, will not validate (absolute names,
    names climbing out of its folder with ``..``).

    Parameters
    ----------
    asn : Association
        Just built, with member names as the caller gave them.
    function : str
        The builder's name, to start the message with.
    """
    names = [str(name) for name in asn.expnames]
    foldered = [name for name in names if os.path.dirname(name)]
    if not foldered:
        return
    folders = list(dict.fromkeys(os.path.normpath(os.path.dirname(name) or ".") for name in names))
    n, k = len(names), len(foldered)
    example = repr(foldered[0]) + (", ..." if k > 1 else "")
    text = (
        f"{function}: {k} of {n} member name{'s' if n != 1 else ''} "
        f"{'carries' if k == 1 else 'carry'} a folder ({example}); the pipeline looks for "
        "members relative to the association's folder"
    )
    if len(folders) > 1:
        shown = ", ".join(folders[:3]) + (", ..." if len(folders) > 3 else "")
        text += f", and they are in {len(folders)} different folders ({shown})"
    if not is_valid(asn):
        text += (
            "; as written, the association will not validate (a file's members may not be "
            "absolute paths nor climb out of its folder with '..')"
        )
    text += (
        "; pass path_mode='basename' to keep the file names only, and write the association "
        "next to its members"
    )
    warnings.warn(text, AssociationWarning, stacklevel=outside_stacklevel())
