"""Bad input to the public API: only PoolError / AssociationError escape.

Each call of the table raises asnkit's error (so ``except asnkit.PoolError``
catches it), is also the builtin it raised before (so ``except KeyError`` code
keeps working), and names what is at fault.
"""

from __future__ import annotations

import errno
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest

import asnkit
from asnkit.errors import (
    CLOSE_MATCH_CUTOFF,
    AssociationError,
    AssociationFileExistsError,
    AssociationFileNotFoundError,
    AssociationKeyError,
    PoolError,
    PoolFileExistsError,
    PoolFileNotFoundError,
    PoolKeyError,
    close_matches,
    error_message,
    exists_as,
)
from asnkit.rules.custom import derive, dms_rule

NAMES = [
    "jw01234001001_02101_00001_nrca1_cal.fits",
    "jw01234001001_02101_00002_nrca1_cal.fits",
]


@pytest.fixture(scope="module")
def pool() -> pd.DataFrame:
    return asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))


@pytest.fixture
def asn() -> asnkit.Association:
    return asnkit.asn_from_files(NAMES, product_name="my_mosaic")


def _write_asn(tmp_path, asn):
    return asn.write(tmp_path / "a.json")


# (id, call(pool, asn, tmp_path), asnkit error, builtin, regex the message must match)
CASES = [
    (
        "select-unknown-column",
        lambda pool, asn, tmp: pool.asn.select(filtre="f090w"),
        PoolError,
        KeyError,
        r"^no column 'filtre' in the pool; close matches: filter",
    ),
    (
        "summary-unknown-column",
        lambda pool, asn, tmp: pool.asn.summary(by=["filtre"]),
        PoolError,
        KeyError,
        r"^no column 'filtre' in the pool; close matches: filter",
    ),
    (
        "explain-unknown-file",
        lambda pool, asn, tmp: pool.asn.explain("nope.fits"),
        PoolError,
        KeyError,
        r"^'nope.fits' is not in .*; it has 8 exposure\(s\), e\.g\. jw_00001_uncal\.fits",
    ),
    (
        "explain-close-file",
        lambda pool, asn, tmp: pool.asn.explain("jw_00001_uncal.fit"),
        PoolError,
        KeyError,
        r"did you mean jw_00001_uncal\.fits",
    ),
    (
        "dms-rule-unknown",
        lambda pool, asn, tmp: dms_rule("Asn_Lv3Imag"),
        AssociationError,
        KeyError,
        r"^no DMS rule 'Asn_Lv3Imag'; did you mean: Asn_Lv3Image",
    ),
    (
        "remove-members-unknown",
        lambda pool, asn, tmp: asn.remove_members("zzz_cal.fits"),
        AssociationError,
        KeyError,
        r"^'zzz_cal\.fits' is not a member of .*; members: jw01234001001_02101_00001_nrca1_cal",
    ),
    (
        "observation-not-a-number",
        lambda pool, asn, tmp: pool.asn.observation("abc"),
        PoolError,
        ValueError,
        r"not an observation number: 'abc'",
    ),
    (
        "to-association-bad-role",
        lambda pool, asn, tmp: pool.asn.to_association(roles={"jw_00001_uncal.fits": "sciense"}),
        AssociationError,
        ValueError,
        r"row 'jw_00001_uncal\.fits': unknown role 'sciense' \(did you mean: science",
    ),
    (
        "to-association-no-rows",
        lambda pool, asn, tmp: pool.iloc[:0].asn.to_association(),
        AssociationError,
        ValueError,
        r"to_association: no pool rows selected",
    ),
    (
        "to-association-no-science",
        lambda pool, asn, tmp: pool.asn.to_association(
            roles=dict.fromkeys(pool["filename"], "background")
        ),
        AssociationError,
        ValueError,
        r"none of the 8 rows is a science exposure",
    ),
    (
        "add-members-bad-role",
        lambda pool, asn, tmp: asn.add_members("x_cal.fits", role="backgrnd"),
        AssociationError,
        ValueError,
        r"unknown role 'backgrnd' \(did you mean: background",
    ),
    (
        "derive-unknown-ignore",
        lambda pool, asn, tmp: derive(dms_rule("Asn_Lv3Image"), ignore=["obsnum"]),
        AssociationError,
        ValueError,
        r"Asn_Lv3Image has no condition on 'obsnum'; known: obs_num",
    ),
    (
        "add-members-product-out-of-range",
        lambda pool, asn, tmp: asn.add_members("x_cal.fits", product=99),
        AssociationError,
        IndexError,
        r"^products\[99\]: the association has 1 product\(s\)",
    ),
    (
        "check-a-path",
        lambda pool, asn, tmp: asnkit.check("bad/orig.json"),
        AssociationError,
        TypeError,
        r"not the path 'bad/orig\.json'.*asnkit\.read_asn\('bad/orig\.json'\)",
    ),
    (
        "diff-association-and-set",
        lambda pool, asn, tmp: asnkit.diff(asn, asnkit.AssociationSet([asn])),
        AssociationError,
        TypeError,
        r"two associations or two sets, not one of each \(Association, AssociationSet\)",
    ),
    (
        "diff-two-paths",
        lambda pool, asn, tmp: asnkit.diff("old_asn.json", "new_asn.json"),
        AssociationError,
        TypeError,
        r"^diff compares two associations or two sets, not the path 'old_asn\.json': "
        r"read it with asnkit\.read_asn\('old_asn\.json'\)$",
    ),
    (
        "diff-association-and-path",
        lambda pool, asn, tmp: asnkit.diff(asn, Path("new_asn.json")),
        AssociationError,
        TypeError,
        r"^diff compares .*, not the path 'new_asn\.json': "
        r"read it with asnkit\.read_asn\('new_asn\.json'\)$",
    ),
    (
        "diff-set-and-folder",
        lambda pool, asn, tmp: asnkit.diff(asnkit.AssociationSet([asn]), tmp),
        AssociationError,
        TypeError,
        r"not the path '.*': read it with asnkit\.read_asn_set\('.*'\)$",
    ),
    (
        "association-set-of-a-path",
        lambda pool, asn, tmp: asnkit.AssociationSet(str(tmp)),
        AssociationError,
        TypeError,
        r"^an AssociationSet is made from a list of associations, not the path '.*': "
        r"read it with asnkit\.read_asn_set\('.*'\)$",
    ),
    (
        "summary-by-not-a-name",
        lambda pool, asn, tmp: pool.asn.summary(by=123),
        PoolError,
        TypeError,
        r"^summary: by must be a column name or a list of them, as str .*, not int 123$",
    ),
    (
        "summary-by-item-not-a-name",
        lambda pool, asn, tmp: pool.asn.summary(by=["obs_num", 7]),
        PoolError,
        TypeError,
        r"^summary: by must be .*, not int 7 \(item 1 of by\)$",
    ),
    (
        "generate-candidates-not-an-id",
        lambda pool, asn, tmp: asnkit.generate(pool, candidates=1),
        PoolError,
        TypeError,
        r"^candidates must be a candidate id or a list of them, as str .*, not int 1$",
    ),
    (
        "generate-candidates-item-not-an-id",
        lambda pool, asn, tmp: pool.asn.generate(candidates=["o001", 2]),
        PoolError,
        TypeError,
        r"^candidates must be .*, not int 2 \(item 1 of candidates\)$",
    ),
    (
        "to-association-roles-a-list",
        lambda pool, asn, tmp: pool.asn.to_association(product_name="x", roles=["a"]),
        AssociationError,
        TypeError,
        r"^to_association: roles must be a mapping \{file name: role\}, a function "
        r"row -> role or the name of a column, not list \['a'\]$",
    ),
    (
        "asn-from-files-roles-a-list",
        lambda pool, asn, tmp: asnkit.asn_from_files(NAMES, product_name="p", roles=["a"]),
        AssociationError,
        TypeError,
        r"^asn_from_files: roles must be a mapping \{file name: role\}, not list \['a'\]$",
    ),
    (
        "read-pool-sep-and-delimiter",
        lambda pool, asn, tmp: asnkit.read_pool(tmp / "p.csv", sep=",", delimiter=";"),
        PoolError,
        TypeError,
        r"^read_pool: sep=',' and delimiter=';' name two different column separators",
    ),
    (
        "compare-rules-unknown-set",
        lambda pool, asn, tmp: asnkit.compare_rules(pool, "level4", []),
        AssociationError,
        ValueError,
        r"^rules_a='level4': not a rule set \(one of: level2, level3, all\)",
    ),
    (
        "compare-rules-not-rules",
        lambda pool, asn, tmp: asnkit.compare_rules(pool, ["Asn_Lv3Image"], []),
        AssociationError,
        TypeError,
        r"^rules_a\[0\] is a str \('Asn_Lv3Image'\), not a Rule",
    ),
    (
        "apply-rules-not-a-pool",
        lambda pool, asn, tmp: asnkit.apply_rules("pool.csv", [dms_rule("Asn_Lv3Image")]),
        PoolError,
        TypeError,
        r"^pool must be a DataFrame \(asnkit\.read_pool\(path\)\), not str",
    ),
    (
        "read-asn-missing",
        lambda pool, asn, tmp: asnkit.read_asn(tmp / "nope.json"),
        AssociationError,
        FileNotFoundError,
        r"nope\.json: no such association file",
    ),
    (
        "read-pool-missing",
        lambda pool, asn, tmp: asnkit.read_pool(tmp / "nope.csv"),
        PoolError,
        FileNotFoundError,
        r"nope\.csv: pool file not found",
    ),
    (
        "pool-from-files-missing",
        lambda pool, asn, tmp: asnkit.pool_from_files([tmp / "nope.fits"]),
        PoolError,
        FileNotFoundError,
        r"nope\.fits: exposure file not found",
    ),
    (
        "generate-many-no-match",
        lambda pool, asn, tmp: asnkit.generate_many(str(tmp / "nope" / "*.csv"), tmp / "out"),
        PoolError,
        FileNotFoundError,
        r"no pool file matches '.*nope/\*\.csv'",
    ),
    (
        "association-write-exists",
        lambda pool, asn, tmp: asn.write(_write_asn(tmp, asn)),
        AssociationError,
        FileExistsError,
        r"a\.json: file exists \(pass overwrite=True to replace it\)",
    ),
    (
        "association-set-write-exists",
        lambda pool, asn, tmp: (
            asnkit.AssociationSet([asn]).write(tmp),
            asnkit.AssociationSet([asn]).write(tmp),
        ),
        AssociationError,
        FileExistsError,
        r"_asn\.json: file exists \(pass overwrite=True to replace it\)",
    ),
    (
        "write-pool-exists",
        lambda pool, asn, tmp: (
            asnkit.write_pool(pool, tmp / "p.csv"),
            asnkit.write_pool(pool, tmp / "p.csv"),
        ),
        PoolError,
        FileExistsError,
        r"p\.csv: file exists \(pass overwrite=True to replace it\)",
    ),
]


@pytest.mark.parametrize(
    ("call", "family", "builtin", "pattern"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_raises_asnkit_error_that_is_also_the_builtin(
    pool, asn, tmp_path, call, family, builtin, pattern
):
    with pytest.raises(family) as info:
        call(pool, asn, tmp_path)
    err = info.value
    assert isinstance(err, builtin)  # code written against the builtin keeps working
    assert re.search(pattern, str(err)), str(err)
    assert str(err) == err.args[0]  # not repr-quoted, as KeyError's str() would be
    assert error_message(err) == str(err)  # the CLI's one line is the same text


def test_file_errors_carry_errno_and_the_file_name(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(AssociationFileNotFoundError) as info:
        asnkit.read_asn(missing)
    assert info.value.errno == errno.ENOENT and info.value.filename == str(missing)
    with pytest.raises(PoolFileNotFoundError) as info:
        asnkit.read_pool(tmp_path / "nope.csv")
    assert info.value.errno == errno.ENOENT and info.value.filename == str(tmp_path / "nope.csv")
    asn = asnkit.asn_from_files(NAMES, product_name="p")
    target = asn.write(tmp_path / "a.json")
    with pytest.raises(AssociationFileExistsError) as info:
        asn.write(target)
    assert info.value.errno == errno.EEXIST and info.value.filename == str(target)
    assert asn.write(target, overwrite=True) == target  # overwrite=True still replaces it


def test_a_str_candidates_is_one_candidate_id():
    pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    one = pool.asn.generate(candidates="o001")
    assert len(one) > 0
    assert [a.to_dict() for a in one] == [
        a.to_dict() for a in pool.asn.generate(candidates=["o001"])
    ]


def test_rules_may_be_one_rule_or_a_rule_set_name(pool):
    image = dms_rule("Asn_Lv3Image")
    assert [a.to_dict() for a in asnkit.apply_rules(pool, image)] == [
        a.to_dict() for a in asnkit.apply_rules(pool, [image])
    ]
    table = asnkit.compare_rules(pool, "level3", [])
    expected = asnkit.compare_rules(pool, asnkit.rules.rule_set("level3"), [])
    assert table.equals(expected) and set(table["change"]) == {"removed"}


@pytest.mark.parametrize(
    "err",
    [
        PoolKeyError("no column 'x' in the pool; columns: a"),
        PoolFileNotFoundError("pool file not found", file="p.csv"),
        AssociationKeyError("'x' is not a member of a.json", [("products[0]", "x")]),
        AssociationFileExistsError("a.json: file exists", file="a.json"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_pickle_with_their_type_and_fields(err):
    back = pickle.loads(pickle.dumps(err))  # process pools send errors back this way
    assert type(back) is type(err) and str(back) == str(err)
    assert getattr(back, "filename", None) == getattr(err, "filename", None)
    assert getattr(back, "errors", None) == getattr(err, "errors", None)


FILE_ERRORS = [
    (PoolFileNotFoundError, FileNotFoundError, errno.ENOENT),
    (PoolFileExistsError, FileExistsError, errno.EEXIST),
    (AssociationFileNotFoundError, FileNotFoundError, errno.ENOENT),
    (AssociationFileExistsError, FileExistsError, errno.EEXIST),
]


@pytest.mark.parametrize(("cls", "builtin", "code"), FILE_ERRORS, ids=lambda c: str(c))
def test_the_four_file_errors_are_built_alike(cls, builtin, code):
    """Each is asnkit's error and the builtin, errno set, filename the path or else the file."""
    family = PoolError if issubclass(cls, PoolError) else AssociationError
    by_path = cls("x.json: it is so", path="x.json")
    assert isinstance(by_path, family) and isinstance(by_path, builtin)
    assert (by_path.errno, by_path.filename, str(by_path)) == (code, "x.json", "x.json: it is so")
    by_file = cls("it is so", file="y.json")
    assert by_file.errno == code and by_file.filename == "y.json"
    assert cls("no file").filename is None


def _writers(tmp_path):
    import asnkit.sky.export

    pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    asn = asnkit.asn_from_files(NAMES, product_name="p")
    demo = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    return {
        "write_pool": (PoolFileExistsError, lambda: asnkit.write_pool(pool, tmp_path / "p.csv")),
        "write_ds9": (PoolFileExistsError,
                      lambda: asnkit.sky.export.write_ds9(tmp_path / "d.reg", demo.iloc[:2])),
        "Association.write": (AssociationFileExistsError, lambda: asn.write(tmp_path / "a.json")),
        "AssociationSet.write": (AssociationFileExistsError,
                                 lambda: asnkit.AssociationSet([asn]).write(tmp_path / "set")),
    }  # fmt: skip


@pytest.mark.parametrize(
    "writer", ["write_pool", "write_ds9", "Association.write", "AssociationSet.write"]
)
def test_writers_refuse_with_their_own_exists_error(writer, tmp_path):
    expected, write = _writers(tmp_path)[writer]
    write()
    with pytest.raises(expected) as info:
        write()
    err = info.value
    assert isinstance(err, FileExistsError) and err.errno == errno.EEXIST
    assert err.filename and Path(err.filename).exists() and Path(err.filename).parent.exists()
    assert "overwrite=True" in str(err)
    assert err.__cause__ is None and err.__suppress_context__  # one error, not two tracebacks


def test_a_folder_read_as_one_file_is_asnkits_error_and_a_builtin_one(tmp_path):
    with pytest.raises(AssociationError, match="is a folder, not an association file") as info:
        asnkit.read_asn(tmp_path)
    err = info.value
    assert isinstance(err, IsADirectoryError) and err.errno == errno.EISDIR
    assert err.filename == str(tmp_path) and err.file == str(tmp_path)
    assert "read_asn_set" in str(err)  # what reads a folder
    assert len(asnkit.read_asn_set(tmp_path)) == 0


def test_exists_as_turns_only_file_exists_errors_into_asnkit_errors():
    with pytest.raises(PoolFileExistsError) as info:
        with exists_as(PoolFileExistsError):
            raise FileExistsError(errno.EEXIST, "File exists", "p.csv")
    assert info.value.filename == "p.csv" and "File exists" in str(info.value)
    same = AssociationFileExistsError("a.json: file exists", path="a.json")
    with pytest.raises(AssociationFileExistsError) as again:
        with exists_as(AssociationFileExistsError):
            raise same
    assert again.value is same  # already asnkit's: not wrapped twice
    with pytest.raises(PermissionError):
        with exists_as(PoolFileExistsError):
            raise PermissionError(errno.EACCES, "Permission denied", "p.csv")
    with exists_as(PoolFileExistsError):
        pass  # nothing raised, nothing done


def test_close_matches_ignore_case_and_answer_as_spelled():
    assert close_matches("FILTRE", ["filter", "pupil", "Filter_2"]) == ["filter", "Filter_2"]
    assert close_matches("filter", ["FILTER", "Filter"]) == ["FILTER"]  # one per spelling
    assert close_matches("o999", ["o001", "c1000"]) == []
    assert len(close_matches("exposure", [f"exposure{i}" for i in range(9)], n=4)) == 4


def test_close_matches_cutoff_is_the_one_cutoff():
    # "abcdef" ~ "abcxyz": difflib ratio 0.5, below the cutoff; "abcdex": 0.83, above it
    assert CLOSE_MATCH_CUTOFF == 0.6
    assert close_matches("abcdef", ["abcxyz"]) == []
    assert close_matches("abcdef", ["abcdex"]) == ["abcdex"]


def test_every_suggestion_goes_through_close_matches():
    """No module but asnkit.errors calls difflib: one cutoff, one way of comparing."""
    package = Path(asnkit.__file__).parent
    callers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "get_close_matches" in path.read_text(encoding="utf-8")
    )
    assert callers == ["errors.py"]


def test_suggestions_ignore_case_everywhere():
    """Rule names and frame columns were compared case-sensitively: a shouted typo got nothing."""
    with pytest.raises(AssociationKeyError, match="did you mean: Asn_Lv3Image,"):
        dms_rule("ASN_LV3IMAG")
    frame = pd.DataFrame({"EXP_TYPE": ["nrc_image"], "Filter": ["f150w"]})
    with pytest.raises(PoolKeyError, match="close matches: EXP_TYPE"):
        asnkit.select(frame, exp_typ="nrc_image")
