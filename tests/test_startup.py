"""Start-up stays cheap: what importing and using asnkit loads (behaviour, not timing)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pysiaf", "matplotlib", "ipywidgets", "jsonschema", "astropy")


def _loaded_after(code: str) -> list[str]:
    """The HEAVY packages in sys.modules after running ``code`` in a fresh interpreter."""
    script = (
        code + f"\nimport sys, json\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_asnkit_loads_none_of_the_heavy_packages():
    assert _loaded_after("import asnkit") == []


def test_import_asnkit_does_not_import_pandas_or_numpy():
    code = "import asnkit, sys\nassert not {'pandas', 'numpy'} & set(sys.modules), 'imported'"
    assert _loaded_after(code) == []


def test_reading_and_generating_load_none_of_the_heavy_packages():
    code = (
        "import warnings, asnkit\n"
        "warnings.simplefilter('ignore')\n"
        "pool = asnkit.read_pool(asnkit.data.pool_path('pool_002_image_miri'))\n"
        "asns = asnkit.generate(pool)\n"
        "assert len(asns) == 9\n"
        "asns.to_frame()\n"
    )
    assert _loaded_after(code) == []


def test_the_command_line_parser_loads_no_rules_and_no_batch_driver():
    """``asnkit --version`` / ``--help`` build the parser only: the rules, the engine and the
    batch driver are imported when a command runs."""
    script = (
        "import sys, json\n"
        "from asnkit.cli import build_parser\n"
        "build_parser()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('asnkit.rules.',"
        " 'asnkit.engine', 'asnkit.batch.many', 'asnkit.batch.schedulers',"
        " 'asnkit.generation.run', 'asnkit.generation.generate')))))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    "document",
    [
        {"asn_type": "image3", "products": [{"name": "p", "members": [{"exptype": "science"}]}]},
        {"asn_type": "image2", "products": []},
        {"asn_type": "image3", "products": [{"name": "", "members": [{"expname": 3}]}]},
    ],
)
def test_explaining_an_invalid_document_does_not_import_jsonschema(tmp_path, document):
    path = tmp_path / "bad_asn.json"
    path.write_text(json.dumps(document))
    code = (
        "import asnkit\n"
        f"faults = list(asnkit.iter_errors(asnkit.read_asn({str(path)!r}, validate=False)))\n"
        "assert faults, 'the document is invalid'\n"
        "try:\n"
        f"    asnkit.read_asn({str(path)!r})\n"
        "except asnkit.AssociationError as error:\n"
        "    assert str(faults[0].path) in str(error)\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
    )
    assert "jsonschema" not in _loaded_after(code)


def _gc_after_import(before: str) -> dict:
    script = (
        "import gc, json\n" + before + "\nscans = [s['collections'] for s in gc.get_stats()]\n"
        "import asnkit\n"
        "import pandas\n"  # registers df.asn: imported with the collector paused
        "scans = [s['collections'] - n for s, n in zip(gc.get_stats(), scans)]\n"
        "print(json.dumps({'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count(),"
        " 'scans': scans,"
        " 'young': gc.get_count()[0], 'old': len(gc.get_objects(2)),"
        " 'asn': hasattr(pandas.DataFrame, 'asn')}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_pandas_after_asnkit_leaves_the_garbage_collector_as_it_found_it():
    found = _gc_after_import("")
    # on, nothing frozen, and what the import made is in the oldest generation, not
    # waiting in the youngest for a scan; scanned at most once meanwhile (without the
    # pause: about 120 young, 12 middle and one full collection)
    assert found["enabled"] and found["frozen"] == 0 and found["asn"]
    assert found["young"] < 1000 < found["old"]
    assert found["scans"][0] <= 10 and found["scans"][1:] == [0, 0]
    assert not _gc_after_import("gc.disable()")["enabled"]


def test_importing_pandas_after_asnkit_keeps_what_the_program_froze_frozen():
    found = _gc_after_import("keep = [[] for _ in range(100)]\ngc.freeze()")
    assert found["frozen"] > 100 and found["enabled"]
