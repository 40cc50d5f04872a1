"""asnkit.engine: apply association rules to a pool, as jwst's ``asn_generate`` does.

The engine makes associations as plain data; :mod:`asnkit.generation` turns
them into :class:`~asnkit.AssociationSet` objects (``asnkit.generate``,
``asnkit.apply_rules``, ``df.asn.generate()``).

Modules, by stage: ``admit`` (pools and rules refused before starting),
``table`` / ``columns`` / ``perrow`` (the pool as the engine reads it),
``pipeline`` (the stages, each recorded in ``record``), ``passes`` /
``rulewise`` / ``index`` (matching per candidate and discovery), ``checks`` /
``state`` / ``reading`` / ``fresh`` / ``memo`` / ``prefilter`` / ``columnar``
(constraint checks, remembered or skipped where the outcome is known),
``members`` / ``naming`` (roles, file and product names), ``finalize`` /
``prune`` (validity, nods, imprints, duplicates, sequence numbers), ``trial``
(one exposure against one rule, for explanations).
"""

__all__: list[str] = []  # the entry points live in the submodules named above
