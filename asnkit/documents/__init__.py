"""asnkit.documents: association files (JSON) as Python objects.

- :mod:`~asnkit.documents.model`: :class:`Association` (reads like the pipeline's dict,
  writes jwst's exact JSON layout) with the :class:`Product` and :class:`Member` views of
  :mod:`~asnkit.documents.parts`; :mod:`~asnkit.documents.layout`: jwst's key orders and
  the level of a type; :mod:`~asnkit.documents.plain`: the plain JSON values a document is
  made of;
- :mod:`~asnkit.documents.collection`: :class:`AssociationSet`, many associations with a
  DataFrame view (``to_frame``), filters and ``write(directory)``;
- :mod:`~asnkit.documents.validation`: ``validate``, ``is_valid``, ``iter_errors`` against
  the Level 2b / Level 3 schemas in ``schemas/`` plus the pipeline's own rules;
- :mod:`~asnkit.documents.io`: ``read_asn``, ``read_asn_set``, strict ``parse_json``;
- :mod:`~asnkit.documents.build`: ``to_association`` (pool rows), ``asn_from_files`` (file lists);
- :mod:`~asnkit.documents.edit` and :mod:`~asnkit.documents.paths`: add/remove members,
  roles, product names, member path modes;
- :mod:`~asnkit.documents.diff`: ``diff`` of two associations or two sets, member by member;
- :mod:`~asnkit.documents.checks`: ``check``, what calwebb (jwst 3.0.0) would do differently
  from what an association says (codes in :mod:`~asnkit.documents.findings`, pipeline facts in
  :mod:`~asnkit.documents.pipelines`, member facts in :mod:`~asnkit.documents.exposures`; the
  checks in :mod:`~asnkit.documents.check_members` and :mod:`~asnkit.documents.check_files`);
- :mod:`~asnkit.documents.commands`: ``asnkit validate | from-list | edit | diff``;
  :mod:`~asnkit.documents.check_commands`: ``asnkit check``.
"""

__all__: list[str] = []
