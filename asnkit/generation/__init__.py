"""asnkit.generation: the engine's associations as documents, and why.

Above :mod:`asnkit.engine` (which makes associations as plain data) and
:mod:`asnkit.documents` (the document objects):

- :mod:`~asnkit.generation.generate`: :func:`generate`, :func:`apply_rules`;
- :mod:`~asnkit.generation.explain`: :func:`explain`, :func:`orphans`,
  :func:`compare_rules`;
- ``commands``: ``asnkit generate`` and ``asnkit explain``;
- :mod:`~asnkit.generation.run`: :func:`run` and :class:`Run`, the record queries read.
"""

__all__: list[str] = []
