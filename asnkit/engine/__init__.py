"""asnkit.engine: apply association rules to a pool, as jwst's ``asn_generate`` does.

Public entry points (also ``asnkit.generate`` / ``asnkit.apply_rules`` and
``df.asn.generate()``):

* :func:`asnkit.engine.generate.generate` -- the DMS Level 2b + Level 3
  associations of a pool (all candidates plus discovered, like asn_generate);
* :func:`asnkit.engine.generate.apply_rules` -- any rules
  (:mod:`asnkit.rules`), same options;
* :func:`asnkit.engine.generate.run_generation` -- the same, also returning the
  rows the associations took (:func:`~asnkit.engine.generate.orphan_rows`).

Modules: ``generate`` (candidates, discovery, documents), ``run`` (the process
queue and the index of open associations), ``state`` / ``checks`` (per
association state, compiled constraint checks), ``prefilter`` (vectorised
pre-checks), ``members`` (member roles and names), ``finalize`` (nods,
imprints, WFSS catalogs, duplicate pruning, sequence numbers), ``commands``
(``asnkit generate``).
"""

__all__: list[str] = []  # the entry points live in the submodules named above
