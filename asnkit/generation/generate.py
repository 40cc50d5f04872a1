"""Generate the associations of a pool as :class:`~asnkit.AssociationSet` objects.

:func:`generate` gives the same associations as jwst 3.0.0 ``asn_generate``
(default: every candidate of the pool plus the discovered associations);
:func:`apply_rules` applies any rules (e.g. custom ones built with
:mod:`asnkit.rules`). The engine (:mod:`asnkit.engine`) makes the documents.

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

import pandas as pd

from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import Association
from asnkit.engine.generate import gc_paused, generate_documents
from asnkit.rules.model import Rule

__all__ = ["apply_rules", "generate", "run_generation"]


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
    return run_generation(
        pool,
        rules,
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
    )[0]


def run_generation(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
) -> tuple[AssociationSet, frozenset[int]]:
    """:func:`apply_rules`, also returning the positions of the rows the associations took.

    ``shortcuts=False`` turns off the engine's pre-checks and index (every
    exposure is checked against every association of every rule, as the
    reference does): much slower, the same result.
    """
    with gc_paused():
        documents, used = generate_documents(
            pool,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            shortcuts=shortcuts,
        )
        documents.reverse()
        out = []
        while documents:  # each dict is released once its Association exists (lower peak)
            data, filename = documents.pop()
            out.append(Association.from_dict(data, filename=filename))
    return AssociationSet(out), used


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
    if rules is None:
        from asnkit.rules import dms_rules

        rules = dms_rules()
    return apply_rules(
        pool,
        rules,
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
    )
