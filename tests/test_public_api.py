"""The public API, pinned: a change to these names (or to the accessor's signatures) is deliberate.

Add or remove a name here in the same change that adds or removes it, with the
README and the notebooks.
"""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
import tomllib

import asnkit
from asnkit.accessor import FORWARDS, PoolAccessor
from tests.helpers import pool_file

ROOT = Path(__file__).resolve().parent.parent

ASNKIT = [
    "Association",
    "AssociationError",
    "AssociationSet",
    "AssociationWarning",
    "PoolError",
    "PoolWarning",
    "Run",
    "__version__",
    "apply_rules",
    "asn_from_files",
    "batch",
    "candidate",
    "candidate_ids",
    "check",
    "compare_rules",
    "data",
    "diff",
    "dms",
    "ds9_regions",
    "explain",
    "explode_candidates",
    "footprints",
    "generate",
    "generate_many",
    "is_valid",
    "iter_errors",
    "label_positions",
    "observation",
    "orphans",
    "parse_candidates",
    "plot_grid",
    "plot_sky",
    "pool_from_files",
    "read_asn",
    "read_asn_set",
    "read_manifest",
    "read_pool",
    "rules",
    "run",
    "science",
    "select",
    "sky",
    "summary",
    "to_association",
    "to_regions",
    "validate",
    "widgets",
    "write_pool",
]

BATCH = [
    "Dask",
    "ManyResult",
    "PoolRecord",
    "PoolStatus",
    "Processes",
    "Scheduler",
    "Serial",
    "generate_many",
    "read_manifest",
]

SKY = ["FootprintSource", "ds9_regions", "footprints", "plot_grid", "plot_sky", "to_regions",
       "write_ds9"]  # fmt: skip

RULES = [
    "RULE_SETS",
    "Attr",
    "DirectImage",
    "Finalize",
    "Group",
    "Reduce",
    "Rule",
    "Test",
    "WorkOver",
    "all_of",
    "any_of",
    "as_rules",
    "attr",
    "dms_level2b",
    "dms_level3",
    "dms_rules",
    "none_of",
    "not_all",
    "rule_set",
    "test",
]

DMS = [
    "ACQ_EXP_TYPES",
    "CORON_EXP_TYPES",
    "DEGRADED_NOTOK",
    "DEGRADED_OK",
    "EMPTY",
    "EXPTYPE_MAP",
    "IMAGE2_NONSCIENCE_EXP_TYPES",
    "IMAGE2_SCIENCE_EXP_TYPES",
    "LEVEL2B_EXPTYPES",
    "MEMBER_TYPES",
    "NON_SCIENCE_EXP_TYPES",
    "SPEC2_SCIENCE_EXP_TYPES",
    "SPECIAL_MODIFIERS",
    "SUFFIXES",
    "TSO_EXP_TYPES",
    "UNKNOWN_CTYPE",
    "asn_filename",
    "degraded_status",
    "exposure_key",
    "exposure_type",
    "file_stem",
    "first_value",
    "format_candidates",
    "format_program",
    "format_target",
    "is_empty",
    "is_junk_name",
    "junk_rows",
    "level2_name",
    "level3_name",
    "natural_key",
    "observation_id",
    "parse_candidates",
    "product_name",
    "remove_suffix",
    "sequence_numbers",
    "strip_suffix",
    "text_row",
    "uses_integrations",
]

RUN = [
    "associations",
    "candidates",
    "discovered",
    "explain",
    "formations",
    "formations_with",
    "orphan_rows",
    "orphans",
    "pool",
    "record",
    "results_for",
    "rules",
    "taken_rows",
    "to_frame",
    "value",
]


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("asnkit", ASNKIT),
        ("asnkit.rules", RULES),
        ("asnkit.dms", DMS),
        ("asnkit.batch", BATCH),
        ("asnkit.sky", SKY),
    ],
)
def test_public_names_are_pinned(module, names):
    mod = importlib.import_module(module)
    assert list(mod.__all__) == names
    for name in names:
        assert getattr(mod, name) is not None, name


def test_run_is_pinned():
    public = sorted(n for n in dir(asnkit.Run) if not n.startswith("_"))
    made = asnkit.run(asnkit.read_pool(pool_file("pool_002_image_miri")))
    public += [n for n in vars(made) if not n.startswith("_")]
    assert sorted(set(public)) == RUN


def test_one_verb_per_idea():
    """Readers are read_*, makers from files *_from_files, tables to_frame(), members a method."""
    assert not [n for n in asnkit.__all__ if n.startswith("load_")]
    assert [n for n in asnkit.__all__ if n.endswith("from_files")] == [
        "asn_from_files",
        "pool_from_files",
    ]
    df = asnkit.read_pool(pool_file("pool_002_image_miri"))
    asns = asnkit.generate(df)
    a, b = asns[0], asns[1]
    made = asnkit.run(df)
    tables = [
        asns,
        a,
        asnkit.diff(a, b),
        asnkit.check(a),
        made,
        made.explain("jw_00001_uncal.fits"),
    ]
    for obj in tables:
        assert isinstance(obj.to_frame(), pd.DataFrame), type(obj)
        assert not isinstance(type(obj).to_frame, property)
    assert callable(a.members) and callable(a.products[0].members)
    assert a.products[0].members("science") == tuple(a.members("science"))


def test_the_old_names_still_work_and_say_what_replaces_them(tmp_path):
    df = asnkit.read_pool(pool_file("pool_002_image_miri"))
    (asn,) = [a for a in asnkit.generate(df) if a.asn_type == "image3"]
    path = asn.write(tmp_path / "asn.json")
    with pytest.warns(DeprecationWarning, match="load_asn is deprecated: use read_asn"):
        old = asnkit.load_asn(path)
    assert old == asnkit.read_asn(path)
    with pytest.warns(DeprecationWarning, match="load_set is deprecated: use read_asn_set"):
        assert len(asnkit.load_set([path])) == 1
    with pytest.warns(DeprecationWarning, match="from_files is deprecated: use asn_from_files"):
        built = asnkit.from_files(["a_cal.fits"], product_name="p")
    assert built == asnkit.asn_from_files(["a_cal.fits"], product_name="p")
    with pytest.warns(DeprecationWarning, match=r"\.frame is deprecated: use \.to_frame\(\)"):
        frame = asnkit.diff(asn, built).frame
    assert frame.equals(asnkit.diff(asn, built).to_frame())
    product = asn.products[0]
    with pytest.warns(DeprecationWarning, match="members_by_role is deprecated: use members"):
        assert product.members_by_role("SCIENCE") == product.members("science")


# --------------------------------------------------------------------------- the accessor


def _target(method: str):
    module, name = FORWARDS[method]
    return getattr(importlib.import_module(module), name)


def test_the_accessor_forwards_every_method_it_has():
    public = {n for n in dir(PoolAccessor) if not n.startswith("_")}
    assert public == set(FORWARDS)


@pytest.mark.parametrize("method", sorted(FORWARDS))
def test_accessor_signatures_are_the_functions(method):
    """Real signatures: the same parameters as the function (the pool first), no **kwargs
    pass-through unless the function itself takes **kwargs (widgets: their layout)."""
    mine = list(inspect.signature(getattr(PoolAccessor, method)).parameters.values())[1:]
    target = _target(method)
    theirs = list(inspect.signature(target).parameters.values())[1:]
    assert [p.name for p in mine] == [p.name for p in theirs]
    assert [p.kind for p in mine] == [p.kind for p in theirs]
    assert [p.default for p in mine] == [p.default for p in theirs]


def test_the_accessor_gives_what_the_functions_give():
    df = asnkit.read_pool(pool_file("pool_001_candidates"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        assert (
            df.asn.run(asnkit.rules.dms_level3())
            .to_frame()
            .equals(asnkit.run(df, asnkit.rules.dms_level3()).to_frame())
        )
        assert df.asn.science(special=False).equals(asnkit.science(df, special=False))


# --------------------------------------------------------------------------- the version


def test_one_source_for_the_version():
    from importlib.metadata import version

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "asnkit.version.__version__"
    }
    assert version("asnkit") == asnkit.__version__
    text = (ROOT / "asnkit" / "version.py").read_text()
    assert re.findall(r'^__version__ = "(.+)"$', text, re.MULTILINE) == [asnkit.__version__]
    out = subprocess.run(
        [sys.executable, "-m", "asnkit", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"asnkit {asnkit.__version__}"


#: Modules split along their seams: the names that moved out, importable where they were too.
MOVED = {
    ("asnkit.documents.model", "asnkit.documents.parts"): ["Member", "Product"],
    ("asnkit.documents.model", "asnkit.documents.layout"): [
        "LEVEL2_KEYS", "LEVEL3_KEYS", "MEMBER_KEYS", "level_of"],
    ("asnkit.rules.predicates", "asnkit.rules.condition"): [
        "Condition", "asn_state", "describe", "reads"],
    ("asnkit.rules.predicates", "asnkit.rules.roles"): [
        "MemberRole", "OwnRole", "exposure_type_aux", "exposure_type_level2",
        "exposure_type_level2_lrs_nod", "exposure_type_level2_special",
        "exposure_type_level2_wfss", "exposure_type_level3", "exposure_type_of_item"],
}  # fmt: skip


@pytest.mark.parametrize(("old", "new"), list(MOVED), ids=lambda m: m.rsplit(".", 1)[1])
def test_moved_names_are_the_same_objects_where_they_were(old, new):
    before, after = importlib.import_module(old), importlib.import_module(new)
    for name in MOVED[old, new]:
        assert name in before.__all__ and name in after.__all__, name
        assert getattr(before, name) is getattr(after, name), name


def test_no_module_is_over_600_lines():
    """The house style: a module over ~600 lines is split along a real seam."""
    package = Path(asnkit.__file__).parent
    sizes = {
        str(path.relative_to(package)): len(path.read_text(encoding="utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 600} == {}
