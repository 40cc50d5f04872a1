"""Parse the ``S_REGION`` footprint text of JWST exposures (an STC-S subset).

The DMS writes ``S_REGION`` as ``POLYGON ICRS ra1 dec1 ra2 dec2 ...`` in degrees. This
module reads that and the variants met in practice: several ``POLYGON`` shapes in one
string (multi-detector footprints), a missing or different frame word (``POLYGON``,
``POLYGON ICRS``, ``Polygon J2000 GEOCENTER``), any letter case, commas as separators,
and ``CIRCLE [frame] ra dec radius`` (turned into a polygon).

Examples
--------
>>> polys = parse_s_region("POLYGON ICRS 10 20 10.1 20 10.1 20.1 10 20.1")
>>> len(polys), polys[0].shape
(1, (4, 2))
>>> [p.shape[0] for p in parse_s_region("polygon 1 1 2 1 2 2 polygon 5 5 6 5 6 6")]
[3, 3]
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["SHAPES", "parse_s_region", "parse_s_regions"]

#: Shapes understood by :func:`parse_s_region` (upper case).
SHAPES = ("POLYGON", "CIRCLE")

#: Number of vertices used to draw a ``CIRCLE``.
_CIRCLE_VERTICES = 36

_SHAPE_RE = re.compile(r"\b(" + "|".join(SHAPES) + r")\b", re.IGNORECASE)
_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
#: One POLYGON, frame words (not a shape name), then plain numbers: the usual DMS text.
_SIMPLE_RE = re.compile(
    r"^\s*POLYGON(?:\s+(?!(?:POLYGON|CIRCLE)\b)[A-Za-z][A-Za-z0-9_\-]*)*"
    rf"((?:\s+{_NUMBER})+)\s*$",
    re.IGNORECASE,
)


def _numbers(tokens: list[str], text: str) -> np.ndarray:
    values = []
    for tok in tokens:
        if _WORD_RE.match(tok) and not values:
            continue  # frame / reference position words: ICRS, FK5, GEOCENTER, ...
        try:
            values.append(float(tok))
        except ValueError:
            raise ValueError(f"not a number: {tok!r} in S_REGION {text!r}") from None
    return np.asarray(values, dtype=float)


def _polygon(values: np.ndarray, text: str) -> np.ndarray:
    if values.size % 2:
        raise ValueError(f"odd number of coordinates ({values.size}) in S_REGION {text!r}")
    vertices = values.reshape(-1, 2)
    if len(vertices) > 3 and np.allclose(vertices[0], vertices[-1], rtol=0.0, atol=1e-9):
        vertices = vertices[:-1]  # closed rings repeat the first vertex
    if len(vertices) < 3:
        raise ValueError(f"a polygon needs at least 3 vertices, got {len(vertices)}: {text!r}")
    return vertices


def _circle(values: np.ndarray, text: str) -> np.ndarray:
    if values.size != 3:
        raise ValueError(f"CIRCLE needs ra dec radius, got {values.size} numbers: {text!r}")
    ra, dec, radius = values
    angle = np.linspace(0.0, 2.0 * np.pi, _CIRCLE_VERTICES, endpoint=False)
    cos_dec = max(np.cos(np.radians(dec)), 1e-6)
    return np.column_stack([ra + radius * np.sin(angle) / cos_dec, dec + radius * np.cos(angle)])


def parse_s_region(text: str) -> list[np.ndarray]:
    """Polygons of an ``S_REGION`` string.

    Parameters
    ----------
    text : str
        ``POLYGON [frame] ra dec ra dec ...`` (degrees), possibly several shapes.

    Returns
    -------
    list of numpy.ndarray
        One ``(n, 2)`` array of (RA, Dec) degrees per shape; empty for blank text.

    Raises
    ------
    ValueError
        The text is not a region: no known shape, a word where a number should be,
        an odd number of coordinates, fewer than 3 vertices, or |Dec| > 90.

    Examples
    --------
    >>> parse_s_region("")
    []
    >>> parse_s_region("POLYGON ICRS 1 2 3")
    Traceback (most recent call last):
    ...
    ValueError: odd number of coordinates (3) in S_REGION 'POLYGON ICRS 1 2 3'
    """
    text = "" if text is None else str(text)
    stripped = text.strip()
    if not stripped:
        return []
    pieces = _SHAPE_RE.split(stripped.replace(",", " "))
    # split keeps the shape names: ['', 'POLYGON', ' ICRS 1 2 ...', 'POLYGON', ...]
    if pieces[0].strip():
        raise ValueError(f"S_REGION must start with one of {', '.join(SHAPES)}: {text!r}")
    shapes = []
    for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
        values = _numbers(body.split(), text)
        shape = _circle(values, text) if name.upper() == "CIRCLE" else _polygon(values, text)
        if np.any(np.abs(shape[:, 1]) > 90.0) or not np.all(np.isfinite(shape)):
            raise ValueError(f"declination outside [-90, 90] or not finite in S_REGION {text!r}")
        shape[:, 0] %= 360.0
        shapes.append(shape)
    return shapes


def parse_s_regions(texts: list[str]) -> tuple[list[list[np.ndarray]], dict[int, str]]:
    """:func:`parse_s_region` of many texts at once (vectorised for the usual single POLYGON).

    Returns
    -------
    shapes : list of list of numpy.ndarray
        The polygons of each text (as :func:`parse_s_region` gives them).
    errors : dict
        Position -> the :class:`ValueError` message, for the texts that are not regions
        (their ``shapes`` entry is empty).

    Examples
    --------
    >>> shapes, errors = parse_s_regions(["POLYGON ICRS 10 20 10.1 20 10.1 20.1", "x"])
    >>> shapes[0][0].shape, errors
    ((3, 2), {1: "S_REGION must start with one of POLYGON, CIRCLE: 'x'"})
    """
    shapes: list[list[np.ndarray]] = [[] for _ in texts]
    errors: dict[int, str] = {}
    by_count: dict[int, list[tuple[int, list[str]]]] = {}
    slow: list[int] = []
    for i, text in enumerate(texts):
        match = _SIMPLE_RE.match(text) if isinstance(text, str) else None
        tokens = match.group(1).split() if match else ()
        if len(tokens) >= 6 and len(tokens) % 2 == 0:
            by_count.setdefault(len(tokens), []).append((i, tokens))
        else:
            slow.append(i)
    for count, rows in by_count.items():
        values = np.array([tokens for _, tokens in rows], dtype=float).reshape(len(rows), -1, 2)
        first, last = values[:, 0, :], values[:, -1, :]
        closed = (
            np.all(np.abs(first - last) <= 1e-9, axis=1) if count > 6 else np.zeros(len(rows), bool)
        )
        kept = np.ones(values.shape[:2], dtype=bool)
        kept[closed, -1] = False
        finite = np.all(np.isfinite(values), axis=2) | ~kept
        within = (np.abs(values[:, :, 1]) <= 90.0) | ~kept
        good = np.all(finite & within, axis=1)
        values[:, :, 0] %= 360.0
        for k, (i, _) in enumerate(rows):
            if not good[k]:
                slow.append(i)
            else:
                shapes[i] = [values[k, :-1] if closed[k] else values[k]]
    for i in slow:
        try:
            shapes[i] = parse_s_region(texts[i])
        except ValueError as exc:
            errors[i] = str(exc)
    return shapes, errors
