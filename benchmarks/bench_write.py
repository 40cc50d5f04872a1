"""Writing a set of association files: one durable sync for the set (issue 14, item 2).

``python benchmarks/run.py write [--baseline PYTHON]``.

The 858 associations of mega_pool are written into a fresh folder on the file
system of ``$TMPDIR`` (or ``--dir``), in the same run:

* **per-file fsync**: v0.1.0's way, reproduced here (each file to a temporary
  file, ``fsync``, hard link into place): the baseline of the ratio;
* **set transaction**: ``AssociationSet.write`` (staging folder, one
  ``syncfs`` for the set, moved in, one ``fsync`` of the folder).

With a baseline Python (v0.1.0 installed, see ``benchmarks/versions.py``) the
whole command ``asnkit generate mega_pool -o DIR`` is timed for both versions
too. Medians of ``--repeat`` runs; the machine may be shared, so only the
ratios of one run mean anything, and nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from versions import VERSION_ID, Versions, command_times, format_ratio, median

__all__ = ["main", "one_fsync_per_file"]

POOL = Path(__file__).resolve().parent.parent / "tests" / "data" / "pools" / "mega_pool.csv"


def one_fsync_per_file(folder: Path, files: dict[str, str]) -> None:
    """v0.1.0's writer: every file through its own temporary file and ``fsync``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = folder / name
        temp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        with open(temp, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temp, target)
        temp.unlink()


def _timed(function, repeat: int, scratch: Path) -> list[float]:
    times = []
    for _ in range(repeat):
        folder = scratch / secrets.token_hex(4)
        start = time.perf_counter()
        function(folder)
        times.append(time.perf_counter() - start)
        shutil.rmtree(folder)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/run.py write")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default $TMPDIR)")
    parser.add_argument("--baseline", default=None, help="a Python with v0.1.0 installed")
    args = parser.parse_args(argv if argv is not None else [])
    import asnkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        asns = asnkit.generate(asnkit.read_pool(POOL), version_id=VERSION_ID)
    files = {a.filename: a.to_json() for a in asns}
    print(f"  {len(files)} association files ({sum(map(len, files.values())) / 1e6:.1f} MB)")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        scratch = Path(tmp)
        old, new = [], []
        for _ in range(args.repeat):  # interleaved, so that load changes hit both
            old += _timed(lambda folder: one_fsync_per_file(folder, files), 1, scratch)
            new += _timed(lambda folder: asns.write(folder), 1, scratch)
        print(f"  per-file fsync (v0.1.0)   median {median(old):6.2f} s   "
              f"(runs {', '.join(f'{t:.2f}' for t in old)})")  # fmt: skip
        print(f"  set transaction, 1 sync   median {median(new):6.2f} s   "
              f"(runs {', '.join(f'{t:.2f}' for t in new)})")  # fmt: skip
        print(f"  ratio: {format_ratio(median(old), median(new))} faster")
        versions = Versions(args.baseline)
        if versions.baseline:
            print(versions.describe())
            for label, python, _ in versions.sides:
                out = scratch / f"command-{label}"
                command = [python, "-m", "asnkit", "generate", str(POOL), "-o", str(out),
                           "--version-id", VERSION_ID, "--overwrite"]  # fmt: skip
                times = command_times(command, args.repeat, cwd=str(scratch))
                print(f"  asnkit generate mega_pool ({label}): wall {times['wall']:.2f} s, "
                      f"CPU {times['cpu']:.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
