"""The constraints text of generated documents: each association's own pinned values.

The lines of text are cached per run, keyed so that values equal in Python but
written differently (``-0.0`` and ``0.0``) never share a line; documents are built
when first read, and their text never depends on which is read first.
"""

from __future__ import annotations

import dataclasses
import warnings

import asnkit
from asnkit.rules.custom import rule
from asnkit.rules.model import all_of, test
from tests.helpers import pool_file


def _zero_rule(negative, **options):
    """A custom rule pinning a float that is -0.0 for some observations, 0.0 for others."""

    def zero(item, asn):
        return -0.0 if negative(int(str(item.table.cols["obs_num"][item.row]))) else 0.0

    base = rule(
        "Zeros",
        select={"instrume": "nircam", "exp_type": "nrc_image"},
        agree=["obs_num"],
        **options,
    )
    return dataclasses.replace(
        base, constraints=all_of(base.constraints, test(source=zero, name="zero"))
    )


def _zero_line(lines):
    return next(line for line in lines if "'zero'" in line)


def _lines_read_from(first: int) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # this custom rule's "same product name" warnings
        run = asnkit.run(
            asnkit.read_pool(pool_file("pool_001_candidates")),
            rules=[_zero_rule(lambda obs: obs % 2 == 0)],
        )
    sources = [o.source for o in run.record.outputs if o.source is not None]
    _ = sources[first].lines  # the first document read
    return [_zero_line(source.lines) for source in sources]


def test_constraint_lines_do_not_depend_on_which_document_is_read_first():
    assert _lines_read_from(0) == _lines_read_from(1)


def test_equal_values_written_differently_keep_their_own_text():
    lines = _lines_read_from(0)
    assert any(line.endswith("'value': -0.0})") for line in lines)
    assert any(line.endswith("'value': 0.0})") for line in lines)


def test_generated_documents_write_each_associations_pinned_value():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        asns = asnkit.generate(
            asnkit.read_pool(pool_file("pool_001_candidates")),
            rules=[_zero_rule(lambda obs: obs == 7, scope="dms")],  # one per candidate
        )
    documents = [a.to_dict() for a in asns]
    lines = {d["asn_id"]: _zero_line(d["constraints"].splitlines()) for d in documents}
    assert len(lines) == 7
    for asn_id, line in lines.items():
        assert line.endswith("-0.0})" if asn_id == "o007" else " 0.0})"), (asn_id, line)
