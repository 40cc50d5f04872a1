"""Generate the associations of a pool as :class:`~asnkit.AssociationSet` objects.

:func:`generate` gives the same associations as jwst 3.0.0 ``asn_generate``
(default: every candidate of the pool plus the discovered associations);
:func:`apply_rules` applies any rules (e.g. custom ones built with
:mod:`asnkit.rules`). Both give ``asnkit.run(...).associations()``
(:func:`asnkit.generation.run.run`, which also records why), without keeping that
record (:func:`asnkit.generation.run.generated`).

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> asns = asnkit.generate(pool, version_id="20250101t000000")
>>> sorted(a.filename for a in asns)[-1]
'jw99009-o001_20250101t000000_image3_00001_asn.json'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from asnkit.documents.collection import AssociationSet
from asnkit.generation.run import generated
from asnkit.rules.model import Rule

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["apply_rules", "generate"]


def apply_rules(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
) -> AssociationSet:
    """Apply rules to a pool and return the finalized associations.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`); not modified.
    rules : iterable of Rule
        The rules, in the order they are tried.
    candidates : sequence of str, optional
        Only these candidate ids (``o001``, ``c1000``...); no discovery.
    discover : bool
        Make discovered (``a3001``) associations across candidates.
    all_candidates : bool
        Make the associations of every candidate.
    version_id : str, True or None
        Version stamp in file names; ``True`` for the current UTC time.

    Returns
    -------
    asnkit.AssociationSet
    """
    from asnkit.rules import as_rules

    return generated(
        pool,
        as_rules(rules),
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
        complete=False,  # only the associations: no record of the others
    )[1]


def generate(
    pool: pd.DataFrame,
    rules: Iterable[Rule] | None = None,
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
) -> AssociationSet:
    """The standard DMS associations of a pool, as ``asn_generate`` makes them.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`).
    rules : iterable of Rule, optional
        Default: :func:`asnkit.rules.dms_rules` (Level 2b and Level 3).
    candidates, discover, all_candidates, version_id
        As :func:`apply_rules`.

    Returns
    -------
    asnkit.AssociationSet
    """
    return generated(
        pool,
        rules,
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
        complete=False,  # only the associations: no record of the others
    )[1]
