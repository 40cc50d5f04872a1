"""asnkit.engine: apply association rules to a pool, as jwst's ``asn_generate`` does.

The engine makes associations as plain data; :mod:`asnkit.generation` turns
them into :class:`~asnkit.AssociationSet` objects (``asnkit.generate``,
``asnkit.apply_rules``, ``df.asn.generate()``).

Modules: ``generate`` (candidates, discovery, documents as dicts), ``run``
(the process queue and the index of open associations), ``state`` / ``checks``
(per association state, compiled constraint checks), ``prefilter`` (vectorised
pre-checks), ``members`` (member roles and names), ``finalize`` (nods,
imprints, WFSS catalogs, duplicate pruning, sequence numbers).
"""

__all__: list[str] = []  # the entry points live in the submodules named above
