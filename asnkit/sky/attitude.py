"""Telescope attitude: from aperture ideal coordinates to V2/V3 to the sky, and back to a plane.

JWST positions in the focal plane are given in the telescope frame (V2, V3, arcsec). A
spacecraft attitude places one focal-plane point (``v2_ref``, ``v3_ref``) at (``ra_ref``,
``dec_ref``) with the V3 axis at position angle ``roll_ref`` there (north through east).
The attitude matrix is the product of five elementary rotations (JWST-STScI-001550,
SM-12, section 5.1)::

    M = R3(ra) . R2(-dec) . R1(-roll) . R2(v3) . R3(-v2)

Every function here is vectorised over exposures (leading axis) and over points.

Examples
--------
The reference point lands exactly on the reference sky position:

>>> import numpy as np
>>> m = attitude_matrix(120.0, -400.0, 245.98, 28.38, 198.15)
>>> ra, dec = v2v3_to_sky(m, np.array([120.0]), np.array([-400.0]))
>>> round(float(ra[0]), 9), round(float(dec[0]), 9)
(245.98, 28.38)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "angular_separation",
    "attitude_matrix",
    "ideal_to_v2v3",
    "rotation",
    "tangent_plane",
    "to_lonlat",
    "unit_vector",
    "v2v3_to_sky",
    "vector_center",
]

_ARCSEC = 1.0 / 3600.0


def rotation(axis: int, angle: np.ndarray | float) -> np.ndarray:
    """Right-handed rotation matrices about axis 1, 2 or 3 by ``angle`` degrees.

    Returns an array of shape ``angle.shape + (3, 3)``.

    Examples
    --------
    >>> rotation(3, 90.0).round(12).tolist()
    [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if axis not in (1, 2, 3):
        raise ValueError(f"axis must be 1, 2 or 3, not {axis!r}")
    theta = np.radians(np.asarray(angle, dtype=float))
    c, s = np.cos(theta), np.sin(theta)
    m = np.zeros((*theta.shape, 3, 3))
    a0 = axis - 1
    a1, a2 = (a0 + 1) % 3, (a0 + 2) % 3
    m[..., a0, a0] = 1.0
    m[..., a1, a1] = c
    m[..., a2, a2] = c
    m[..., a1, a2] = -s
    m[..., a2, a1] = s
    return m


def attitude_matrix(v2, v3, ra, dec, roll) -> np.ndarray:
    """Attitude matrices taking telescope unit vectors to ICRS unit vectors.

    Parameters
    ----------
    v2, v3 : float or array
        Reference point in the telescope frame, arcsec.
    ra, dec : float or array
        Sky position of that point, degrees.
    roll : float or array
        Position angle of the V3 axis at the reference point, degrees (``ROLL_REF``).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., 3, 3)``, broadcast over the inputs.
    """
    v2, v3, ra, dec, roll = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (v2, v3, ra, dec, roll))
    )
    return (
        rotation(3, ra)
        @ rotation(2, -dec)
        @ rotation(1, -roll)
        @ rotation(2, v3 * _ARCSEC)
        @ rotation(3, -v2 * _ARCSEC)
    )


def unit_vector(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Unit vectors ``(..., 3)`` of spherical longitudes/latitudes in degrees."""
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    cos_lat = np.cos(lat)
    return np.stack([np.cos(lon) * cos_lat, np.sin(lon) * cos_lat, np.sin(lat)], axis=-1)


def to_lonlat(vec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes (0..360) and latitudes, degrees, of vectors ``(..., 3)`` (any length)."""
    norm = np.linalg.norm(vec, axis=-1)
    lon = np.degrees(np.arctan2(vec[..., 1], vec[..., 0])) % 360.0
    lat = np.degrees(np.arcsin(np.clip(vec[..., 2] / norm, -1.0, 1.0)))
    return lon, lat


def v2v3_to_sky(matrix: np.ndarray, v2: np.ndarray, v3: np.ndarray):
    """RA, Dec (degrees) of telescope positions (arcsec) under an attitude.

    ``matrix`` has shape ``(..., 3, 3)``; ``v2``/``v3`` shape ``(..., n)`` (or ``(n,)``).
    """
    vec = unit_vector(np.asarray(v2, float) * _ARCSEC, np.asarray(v3, float) * _ARCSEC)
    sky = np.einsum("...ij,...nj->...ni", matrix, vec)
    return to_lonlat(sky)


def ideal_to_v2v3(x_idl, y_idl, v2_ref, v3_ref, v3_idl_yangle, parity):
    """Aperture ideal coordinates (arcsec) to telescope V2/V3 (arcsec), planar form.

    ``v3_idl_yangle`` (degrees) is the angle of the ideal Y axis from V3; ``parity``
    is +1 or -1 (``VIdlParity``). Parameters of one aperture broadcast against the
    points: give them shape ``(m, 1)`` for ``m`` exposures of ``n`` vertices.
    """
    angle = np.radians(np.asarray(v3_idl_yangle, float))
    c, s = np.cos(angle), np.sin(angle)
    x = np.asarray(x_idl, float)
    y = np.asarray(y_idl, float)
    v2 = np.asarray(v2_ref, float) + parity * x * c + y * s
    v3 = np.asarray(v3_ref, float) - parity * x * s + y * c
    return v2, v3


def tangent_plane(ra, dec, ra0: float, dec0: float):
    """Gnomonic (tangent-plane) standard coordinates, in degrees, about (ra0, dec0).

    ``xi`` grows towards the east (increasing RA), ``eta`` towards the north. Points
    more than 90 degrees from the centre have no projection and come out as NaN.

    Examples
    --------
    >>> xi, eta = tangent_plane(10.0, 0.5, 10.0, 0.0)
    >>> round(float(xi), 9), round(float(eta), 6)
    (0.0, 0.500013)
    """
    ra = np.radians(np.asarray(ra, float))
    dec = np.radians(np.asarray(dec, float))
    a0, d0 = np.radians(ra0), np.radians(dec0)
    cos_c = np.sin(d0) * np.sin(dec) + np.cos(d0) * np.cos(dec) * np.cos(ra - a0)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = np.cos(dec) * np.sin(ra - a0) / cos_c
        eta = (np.cos(d0) * np.sin(dec) - np.sin(d0) * np.cos(dec) * np.cos(ra - a0)) / cos_c
    bad = cos_c <= 0
    xi = np.where(bad, np.nan, np.degrees(xi))
    eta = np.where(bad, np.nan, np.degrees(eta))
    return xi, eta


def angular_separation(ra1, dec1, ra2, dec2) -> np.ndarray:
    """Great-circle distance in degrees (Vincenty formula, stable at all scales)."""
    l1, b1, l2, b2 = (np.radians(np.asarray(v, float)) for v in (ra1, dec1, ra2, dec2))
    dl = l2 - l1
    num = np.hypot(
        np.cos(b2) * np.sin(dl), np.cos(b1) * np.sin(b2) - np.sin(b1) * np.cos(b2) * np.cos(dl)
    )
    den = np.sin(b1) * np.sin(b2) + np.cos(b1) * np.cos(b2) * np.cos(dl)
    return np.degrees(np.arctan2(num, den))


def vector_center(ra, dec) -> tuple[float, float]:
    """Mean direction of sky points (robust across RA = 0/360), in degrees."""
    vec = unit_vector(np.asarray(ra, float), np.asarray(dec, float)).reshape(-1, 3)
    vec = vec[np.all(np.isfinite(vec), axis=1)]
    if not len(vec):
        return float("nan"), float("nan")
    lon, lat = to_lonlat(vec.mean(axis=0))
    return float(lon), float(lat)
