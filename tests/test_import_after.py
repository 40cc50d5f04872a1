"""``import asnkit`` does not import pandas; ``df.asn`` is registered whichever comes first."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from asnkit.lazy import import_after


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; the JSON it printed last."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


_REPORT = (
    "import sys, json\n"
    "pd = sys.modules.get('pandas')\n"
    "print(json.dumps({'pandas': pd is not None,"
    " 'asn': pd is not None and hasattr(pd.DataFrame, 'asn'),"
    " 'finders': [repr(f) for f in sys.meta_path if 'after pandas' in repr(f)]}))\n"
)


def test_import_asnkit_does_not_import_pandas():
    found = _run("import warnings\nwarnings.simplefilter('error')\nimport asnkit\n" + _REPORT)
    finder = "<import asnkit.accessor after pandas>"
    assert found == {"pandas": False, "asn": False, "finders": [finder]}


@pytest.mark.parametrize(
    "code",
    [
        "import asnkit\nimport pandas",  # asnkit first: registered when pandas is imported
        "import pandas\nimport asnkit",  # pandas first: registered at once
        "import asnkit\npool = asnkit.read_pool(asnkit.data.pool_path('pool_002_image_miri'))",
        "import asnkit.accessor",  # the accessor module itself imports pandas
        "import pandas.io.json\nimport asnkit",
        "import asnkit, importlib\nimportlib.reload(asnkit)\nimport pandas",  # still one finder
    ],
)
def test_the_accessor_is_registered_in_any_order(code):
    script = "import warnings\nwarnings.simplefilter('error')\n" + code + "\n" + _REPORT
    script += (
        "import asnkit\n"
        "frame = asnkit.read_pool(asnkit.data.pool_path('pool_002_image_miri'))\n"
        "assert len(frame.asn.select(instrume='miri')) == 8\n"
    )
    assert _run(script) == {"pandas": True, "asn": True, "finders": []}


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """A folder on sys.path for made-up modules; sys.modules and sys.meta_path restored."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def _module(folder, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(body))


def test_the_module_is_imported_after_the_trigger_ran(modules):
    _module(modules, "nopd_trigger", "import nopd_log\nnopd_log.seen.append('trigger')\n")
    _module(modules, "nopd_after", "import nopd_log, nopd_trigger\nnopd_log.seen.append('after')\n")
    _module(modules, "nopd_log", "seen = []\n")
    import nopd_log

    import_after("nopd_trigger", "nopd_after")
    import_after("nopd_trigger", "nopd_after")  # asked twice: one finder
    assert sum("nopd_after" in repr(f) for f in sys.meta_path) == 1
    assert "nopd_after" not in sys.modules and nopd_log.seen == []
    import nopd_trigger

    assert nopd_log.seen == ["trigger", "after"]
    assert "nopd_after" in sys.modules
    assert not any("nopd_after" in repr(f) for f in sys.meta_path)  # removed itself
    assert type(nopd_trigger.__loader__).exec_module is not None
    assert "exec_module" not in vars(nopd_trigger.__loader__)  # the loader's own method again


def test_a_failed_import_of_the_trigger_leaves_the_finder_for_the_next(modules):
    _module(modules, "nopd_flaky", "import nopd_switch\nif nopd_switch.fail: raise OSError('no')\n")
    _module(modules, "nopd_switch", "fail = True\n")
    _module(modules, "nopd_then", "done = True\n")
    import nopd_switch

    import_after("nopd_flaky", "nopd_then")
    with pytest.raises(OSError, match="no"):
        import nopd_flaky
    assert "nopd_flaky" not in sys.modules and "nopd_then" not in sys.modules
    assert any("nopd_then" in repr(f) for f in sys.meta_path)
    nopd_switch.fail = False
    import nopd_flaky  # noqa: F401

    assert sys.modules["nopd_then"].done
    assert not any("nopd_then" in repr(f) for f in sys.meta_path)


def test_a_failing_module_after_is_a_warning_not_a_failed_trigger(modules):
    _module(modules, "nopd_fine", "value = 3\n")
    _module(modules, "nopd_broken", "raise ImportError('broken')\n")
    import_after("nopd_fine", "nopd_broken")
    with pytest.warns(RuntimeWarning, match="nopd_broken was not imported after nopd_fine"):
        import nopd_fine
    assert nopd_fine.value == 3 and sys.modules["nopd_fine"] is nopd_fine


def test_a_trigger_imported_already_imports_the_module_at_once(modules):
    _module(modules, "nopd_early", "value = 1\n")
    _module(modules, "nopd_later", "value = 2\n")
    import nopd_early  # noqa: F401

    import_after("nopd_early", "nopd_later")
    assert sys.modules["nopd_later"].value == 2
    assert not any("nopd_later" in repr(f) for f in sys.meta_path)


def test_the_trigger_imported_from_within_the_module_after(modules):
    """The module after imports the trigger itself (as asnkit.accessor imports pandas)."""
    _module(modules, "nopd_base", "value = 5\n")
    _module(modules, "nopd_uses", "import nopd_base\nregistered = nopd_base.value\n")
    import_after("nopd_base", "nopd_uses")
    import nopd_uses

    assert nopd_uses.registered == 5
    assert not any("nopd_uses" in repr(f) for f in sys.meta_path)


_RACE = textwrap.dedent(
    """
    import json, threading, warnings
    warnings.simplefilter("error")
    import asnkit
    barrier, errors = threading.Barrier(2), []
    def run(statement):
        barrier.wait()
        try:
            exec(statement)
        except BaseException as exc:
            errors.append(repr(exc))
    threads = [threading.Thread(target=run, args=(s,))
               for s in ("import pandas", "import asnkit.accessor")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    import pandas as pd
    print(json.dumps({"errors": errors, "asn": hasattr(pd.DataFrame, "asn")}))
    """
)


def test_pandas_and_the_accessor_imported_by_two_threads_at_once():
    # the finder's import of the accessor meets the other thread's (a deadlock Python
    # breaks): that thread ends it, and no warning is given (an error under -W error)
    for _ in range(6):  # (a race: without the fix, about half the runs fail)
        assert _run(_RACE) == {"errors": [], "asn": True}
