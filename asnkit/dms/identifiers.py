"""DMS identifiers that become parts of file names, and member file names.

Values read from pools and association documents are untrusted: a program or
a candidate id such as ``o001/../../x`` would otherwise put an association
file anywhere on disk. Every identifier asnkit builds a file name from is
checked against its DMS pattern where it enters (pool reading, document
validation, the API and the command line); this module holds those patterns,
once. Patterns are full matches and case-insensitive.

* program: 1 to 5 digits (``99009``, ``747``, zero-padded to 5 in names), or
  ``noprogram`` (what ``asn_from_list`` writes when there is none);
* candidate id: a letter and 3 to 5 digits (``o001``, ``c1000``, ``a3001``),
  or a bare number (old pools and their ``set acid`` rows hold ``1000``);
* association id: the same as a candidate id (an association is named after
  its candidate);
* association type: words of letters and digits joined by ``-``
  (``image3``, ``tso-image2``, ``wfs-image3``; ``None`` from ``asn_from_list``);
* version id: 1 to 32 letters and digits (``20250101t000000``);
* member file names (``expname``): no control characters, and by default a
  relative path that never climbs out of the association's folder (see
  :func:`member_name_problem`).

Examples
--------
>>> CANDIDATE_ID.matches("c1000"), CANDIDATE_ID.matches("o001/../../x")
(True, False)
>>> print(CANDIDATE_ID.problem("o001/../../x"))
candidate id 'o001/../../x' is not a DMS candidate id (a letter and 3 to 5 digits \
such as o001 or c1000, or a number)
>>> member_name_problem("data/jw_00001_cal.fits") is None
True
>>> member_name_problem("../../etc/passwd")
"'../../etc/passwd' climbs out of the association's folder ('..')"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "ASN_ID",
    "ASN_TYPE",
    "CANDIDATE_ID",
    "IDENTIFIERS",
    "PROGRAM",
    "VERSION_ID",
    "Identifier",
    "control_characters",
    "member_name_problem",
]


@dataclass(frozen=True)
class Identifier:
    """One kind of DMS identifier: what it is called, its pattern, what it looks like.

    Parameters
    ----------
    what : str
        Its name in messages (``"candidate id"``).
    pattern : str
        A regular expression the whole value must match (case-insensitive).
    looks_like : str
        The pattern in words, for messages.
    """

    what: str
    pattern: str
    looks_like: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern, re.IGNORECASE | re.ASCII))

    def matches(self, value: object) -> bool:
        """Whether ``value`` is text that matches the pattern as a whole.

        Examples
        --------
        >>> PROGRAM.matches("99009"), PROGRAM.matches("99009/.."), PROGRAM.matches(99009)
        (True, False, False)
        """
        return isinstance(value, str) and self._regex.fullmatch(value) is not None

    def problem(self, value: object) -> str | None:
        """``None`` if ``value`` matches, else a one-line message saying what is wrong.

        Examples
        --------
        >>> VERSION_ID.problem("20250101t000000") is None
        True
        >>> VERSION_ID.problem("../x")
        "version id '../x' is not a DMS version id (1 to 32 letters and digits such as \
20250101t000000)"
        """
        if self.matches(value):
            return None
        return f"{self.what} {value!r} is not a DMS {self.what} ({self.looks_like})"


#: A program: 1-5 digits (zero-padded in names), or ``noprogram``.
PROGRAM = Identifier(
    "program", r"[0-9]{1,5}|noprogram", "1 to 5 digits such as 01234, or noprogram"
)
#: A candidate id: ``o001``, ``c1000``, ``a3001``... or a bare number (old pools).
CANDIDATE_ID = Identifier(
    "candidate id",
    r"[a-z][0-9]{3,5}|[0-9]{1,5}",
    "a letter and 3 to 5 digits such as o001 or c1000, or a number",
)
#: An association id: the id of its candidate.
ASN_ID = Identifier(
    "association id", CANDIDATE_ID.pattern, "a letter and 3 to 5 digits such as o001 or c1000"
)
#: An association type: ``image3``, ``tso-image2``, ``wfs-image3``...
ASN_TYPE = Identifier(
    "association type",
    r"(?=.{1,32}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*",
    "letters and digits, words joined by '-', such as image3 or tso-image2",
)
#: A version id: ``20250101t000000`` (``asn_generate --version-id``).
VERSION_ID = Identifier(
    "version id", r"[a-z0-9]{1,32}", "1 to 32 letters and digits such as 20250101t000000"
)

#: Every identifier that becomes part of an association file name.
IDENTIFIERS = (PROGRAM, ASN_ID, ASN_TYPE, VERSION_ID)

# C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def control_characters(text: str) -> list[str]:
    """The control characters (line breaks, NUL, DEL...) in ``text``, in order.

    Examples
    --------
    >>> control_characters("a\\x00b\\nc")
    ['\\x00', '\\n']
    """
    return _CONTROL.findall(text)


def member_name_problem(
    name: object, *, absolute_ok: bool = False, parents_ok: bool = False
) -> str | None:
    """``None`` if ``name`` is an acceptable member file name, else what is wrong.

    A member name (an association's ``expname``) is a path the pipeline opens
    relative to the association's folder. It must be non-empty text without
    control characters; it must not be absolute (``/x``, ``C:\\x``, ``\\\\host``)
    unless ``absolute_ok``, and must not climb out of the folder with ``..``
    unless ``parents_ok`` (a path written relative to another folder on
    purpose, e.g. ``paths="relative"``).

    Examples
    --------
    >>> member_name_problem("/data/x_cal.fits")
    "'/data/x_cal.fits' is an absolute path (accepted only when paths are meant absolute)"
    >>> member_name_problem("/data/x_cal.fits", absolute_ok=True) is None
    True
    >>> member_name_problem("x\\n_cal.fits")
    "'x\\\\n_cal.fits' holds a control character ('\\\\n')"
    """
    if not isinstance(name, str):
        return f"{name!r} is not text"
    if not name.strip():
        return "the name is empty"
    found = control_characters(name)
    if found:
        return f"{name!r} holds a control character ({found[0]!r})"
    absolute = name.startswith(("/", "\\")) or _DRIVE.match(name) is not None
    if absolute and not absolute_ok:
        return f"{name!r} is an absolute path (accepted only when paths are meant absolute)"
    parts = re.split(r"[/\\]", name)
    if parts[-1] in ("", ".", ".."):
        return f"{name!r} names a folder, not a file"
    leading = 0  # a path relative to another folder starts with '..' parts
    while parts[leading] == "..":
        leading += 1
    if ".." in parts[leading:] or (leading and (absolute or not parents_ok)):
        return f"{name!r} climbs out of the association's folder ('..')"
    return None
