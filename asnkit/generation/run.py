"""``run(pool, rules) -> Run``: one generation, with the record of everything it decided.

A :class:`Run` holds the associations (:meth:`Run.associations`, what
:func:`asnkit.generate` returns) and, for every association any rule formed,
which rule and candidate formed it, its members before finalize and what
finalize and pruning did with it (:meth:`Run.to_frame`). Explanations
(:meth:`Run.explain`, :meth:`Run.orphans`) and comparisons
(:func:`asnkit.compare_rules`) are queries over it: nothing is generated twice.

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> r = asnkit.run(pool, version_id="20250101t000000")
>>> r
<Run: 44 rules over 8 rows, 1 candidate and discovery: 11 associations formed, 9 kept>
>>> table = r.to_frame()
>>> table.loc[table["fate"] == "joined", "association"].nunique()
9
>>> table.columns.tolist()
['association', 'rule', 'candidate', 'member', 'role', 'fate', 'row']
>>> table.loc[0, ["rule", "candidate", "member", "fate"]].tolist()  # pruned: same as o001
['Asn_Lv3Image', 'a3001', 'jw_00001_uncal.fits', 'duplicate']
>>> print(r.explain("jw_00001_uncal.fits").joined[0].asn_file)
jw99009-o001_20250101t000000_image2_00008_asn.json
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import Association
from asnkit.engine.pipeline import gc_paused, run_engine
from asnkit.engine.record import Fate, Formation, Record
from asnkit.errors import PoolKeyError, PoolTypeError, text_list
from asnkit.pool.coded import CodedPool
from asnkit.rules.model import Rule

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from asnkit.generation.explain import Explanation, RuleResult

__all__ = ["FRAME_COLUMNS", "Run", "generated", "run"]

#: Columns of :meth:`Run.to_frame`.
FRAME_COLUMNS = ("association", "rule", "candidate", "member", "role", "fate", "row")


class Run:
    """One generation: the associations made, and the record of every decision.

    Made by :func:`asnkit.run`. ``rules`` and ``candidates`` (``(id, type)``
    pairs, in the order processed) say what ran; ``discovered`` whether the
    pool-wide (``a3001``) associations were made; ``record`` holds the facts
    (:class:`~asnkit.engine.record.Record`: formations, outputs, fates);
    ``pool`` is the pool as a DataFrame (made when first asked for, when the
    run was given the pool's coded columns).
    """

    def __init__(
        self, pool: pd.DataFrame | CodedPool, record: Record, associations: AssociationSet
    ) -> None:
        self._pool = pool
        self.record = record
        self._associations = associations
        self._by_row: dict[int, list[Formation]] | None = None
        self._columns: dict[str, Any] = {}

    @property
    def pool(self) -> pd.DataFrame:
        """The pool generated from, as a DataFrame."""
        if isinstance(self._pool, CodedPool):
            self._pool = self._pool.to_frame()
        return self._pool

    # ------------------------------------------------------------------ what ran
    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(self.record.rules)

    @property
    def candidates(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.record.candidates)

    @property
    def discovered(self) -> bool:
        return self.record.discovered

    @property
    def formations(self) -> tuple[Formation, ...]:
        """Every association a rule formed, in the order formed (with its outputs and fate)."""
        return tuple(self.record.formations)

    def formations_with(self, position: int) -> list[Formation]:
        """The associations formed with the pool row at ``position`` (before finalize)."""
        if self._by_row is None:
            self._by_row = self.record.by_row()
        return self._by_row.get(position, [])

    def value(self, position: int, column: str) -> Any:
        """The pool's value at a row position and column (None when missing).

        Raises
        ------
        KeyError
            The pool has no such column.
        """
        values = self._columns.get(column)
        if values is None:
            if column not in self.pool.columns:
                from asnkit.pool.select import column_error

                raise PoolKeyError(column_error(self.pool, column))
            values = self._columns[column] = self.pool[column].to_numpy(dtype=object)
        value = values[position]
        import pandas as pd

        return None if value is None or pd.isna(value) else value

    def associations(self) -> AssociationSet:
        """The associations made (what :func:`asnkit.generate` returns)."""
        return self._associations

    def taken_rows(self) -> frozenset[int]:
        """Positions of the pool rows in an association (WFSS direct images included)."""
        return frozenset(self.record.taken_rows())

    def orphan_rows(self) -> pd.DataFrame:
        """The pool rows no association took (a new frame, the pool's index and attrs)."""
        mask = np.ones(len(self.pool), dtype=bool)
        mask[sorted(self.record.taken_rows())] = False
        out = self.pool.iloc[np.flatnonzero(mask)].copy()
        out.attrs = dict(self.pool.attrs)
        return out

    # ------------------------------------------------------------------ the record as a table
    def to_frame(self) -> pd.DataFrame:
        """One row per association formed and pool row in it: what became of that member.

        Columns (:data:`FRAME_COLUMNS`): ``association`` (the file, when the
        association was kept or pruned as a duplicate of one: that one's file),
        ``rule``, ``candidate`` (``o001``, ``c1000``..., ``a3001`` for
        discovered), ``member`` (the pool's file name), ``role``, ``fate`` and
        ``row`` (the pool's index label). Fates: ``joined`` (a member of a kept
        association), ``removed`` (finalize kept the association without it),
        ``duplicate`` (its association was pruned), ``invalid``, ``single
        observation`` and ``incomplete`` (its association was dropped at
        finalize). A WFSS direct image shows as ``joined`` through the Level 3
        products its association uses.
        """
        names = self.pool["filename"].to_numpy(dtype=object)
        labels = self.pool.index
        out: list[tuple[Any, ...]] = []
        for formation in self.record.formations:
            rule = self.record.rules[formation.rule].name
            candidate = formation.asn_id
            if formation.dropped:
                for row, role in formation.rows.items():
                    out.append((None, rule, candidate, names[row], role, formation.fate.value, row))
                continue
            placed: set[int] = set()
            for output in formation.outputs:
                kept = output.fate is not Fate.DUPLICATE
                file = output.filename if kept else _file(output.duplicate_of)
                fate = "joined" if kept else Fate.DUPLICATE.value
                rows = output.rows
                if output.direct_image is not None:
                    rows.setdefault(output.direct_image, "direct_image")
                for row, role in rows.items():
                    out.append((file, rule, candidate, names[row], role, fate, row))
                placed.update(rows)
            first = formation.outputs[0] if formation.outputs else None
            for row, role in formation.rows.items():
                if row not in placed and first is not None:
                    file = first.filename if first.fate is not Fate.DUPLICATE else None
                    out.append((file, rule, candidate, names[row], role, "removed", row))
        import pandas as pd

        frame = pd.DataFrame(out, columns=list(FRAME_COLUMNS))
        frame["row"] = labels[frame["row"].to_numpy(dtype=np.int64)] if len(frame) else []
        return frame

    # ------------------------------------------------------------------ queries
    def explain(self, filename: str, *, row: Any = None) -> Explanation:
        """Why one exposure is (not) in each association (see :func:`asnkit.explain`)."""
        from asnkit.generation.explain import explanation

        return explanation(self, filename, row=row)

    def results_for(self, position: int) -> list[RuleResult]:
        """What every rule did with the pool row at ``position`` (one result per association)."""
        from asnkit.generation.explain import rule_results

        return rule_results(self, position)

    def orphans(self) -> pd.DataFrame:
        """The exposures no association took, with their reasons (:func:`asnkit.orphans`)."""
        from asnkit.generation.explain import orphan_table

        return orphan_table(self)

    def __repr__(self) -> str:
        n = len(self.record.candidates)
        cands = f"{n} candidate{'s' * (n != 1)}" + (" and discovery" if self.discovered else "")
        return (
            f"<Run: {len(self.record.rules)} rules over {len(self._pool)} rows, {cands}: "
            f"{len(self.record.formations)} associations formed, {len(self._associations)} kept>"
        )


def _file(output: Any) -> str | None:
    return None if output is None else output.filename


def run(
    pool: pd.DataFrame | CodedPool,
    rules: Iterable[Rule] | None = None,
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
) -> Run:
    """Generate the associations of a pool and record every decision.

    Parameters
    ----------
    pool : pandas.DataFrame or CodedPool
        A pool (:func:`asnkit.read_pool`); not modified. Or its coded columns
        (:func:`asnkit.pool.parse.parse_pool`): the same run without pandas
        (:attr:`Run.pool` makes the frame if asked for).
    rules : iterable of Rule, optional
        The rules, in the order they are tried; default the DMS rules
        (:func:`asnkit.rules.dms_rules`: Level 2b and Level 3).
    candidates : sequence of str, optional
        Only these candidate ids (``o001``, ``c1000``...); no discovery.
    discover : bool
        Make discovered (``a3001``) associations across candidates.
    all_candidates : bool
        Make the associations of every candidate.
    version_id : str, True or None
        Version stamp in file names; ``True`` for the current UTC time.
    shortcuts : bool
        ``False`` checks every exposure against every association of every rule
        (no pre-checks, index or candidate-type skips), as the reference does:
        much slower, the same result.

    Returns
    -------
    Run
        ``run(...).associations()`` is what :func:`asnkit.generate` returns.
    """
    return Run(
        pool,
        *generated(
            pool,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            shortcuts=shortcuts,
        ),
    )


def generated(
    pool: pd.DataFrame | CodedPool,
    rules: Iterable[Rule] | None = None,
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
    complete: bool = True,
) -> tuple[Record, AssociationSet]:
    """The record of a generation and its associations (:func:`run`'s parameters).

    ``complete=False`` when only the associations are asked for
    (:func:`asnkit.generate`): the record then keeps no formations
    (:class:`~asnkit.engine.record.Record`), which takes less memory and time.
    """
    from asnkit.rules import as_rules, dms_rules

    pandas = sys.modules.get("pandas")  # (a DataFrame means pandas is imported)
    if not isinstance(pool, CodedPool) and not (pandas and isinstance(pool, pandas.DataFrame)):
        raise PoolTypeError(
            f"pool must be a DataFrame (asnkit.read_pool(path)), not {type(pool).__name__}"
        )
    rules = dms_rules() if rules is None else as_rules(rules)
    if candidates is not None:  # (one id is one candidate, not its characters)
        candidates = text_list(candidates, "candidates", "a candidate id", ["o001", "c1000"])
    with gc_paused():
        record = run_engine(
            pool,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            shortcuts=shortcuts,
            stacklevel=4,
            complete=complete,
        )
        associations = AssociationSet(
            Association.lazy(output.source, filename=output.filename) for output in record.outputs
        )
    return record, associations
