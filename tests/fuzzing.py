"""Mutants of pools and association documents, and what asnkit may do with them.

Shared by the fuzz test of the suite (``tests/test_fuzz.py``, a few hundred
seeded mutants) and the fuzz campaign (``scripts/fuzz_campaign.py``, thousands).
A mutant is made by one or more seeded mutations of a real file's text; the
check runs asnkit's readers, generation and writers on it and reports what
escaped: anything but :class:`~asnkit.PoolError` / :class:`~asnkit.AssociationError`,
or a file written outside the output folder.
"""

from __future__ import annotations

import json
import random
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "HOSTILE_VALUES",
    "Outcome",
    "check_document",
    "check_pool",
    "mutate_document",
    "mutate_pool",
]

#: Cell and JSON values an attacker or a careless user would try.
HOSTILE_VALUES = (
    "o001/../../../../escape/X",
    "../../../../tmp/escape",
    "/etc/passwd",
    "..",
    ".",
    "",
    "null",
    "NULL",
    '"',
    '"unclosed',
    'a"b',
    '"a|b"',
    "x\x00y",
    "x\ny",
    "x\ry",
    "x\vy",
    "x\fy",
    "x\x85y",
    "x\u2028y",
    "\ufeff",
    "#comment",
    "set acid",
    "filename",
    "[('', 'observation')]",
    "[('o001/../../x', 'observation')]",
    "[('o001', 'observation'), ('/abs', 'background')]",
    "[('o001', 'observation')",
    "[(('o001', 'observation'),)]",
    "[('o001', 'observation'), ('c1000', 'mosaic')]",
    "1000",
    "-1",
    "99999999999999999999",
    "9" * 5000,
    "x" * 140_000,
    "[" * 600 + "]" * 600,
    "é日本\U0001f600",
    "\udcff",
)


@dataclass
class Outcome:
    """What happened to one mutant."""

    stage: str = ""  # how far it got: read, generate, write, done
    refused: str = ""  # the PoolError / AssociationError message, if refused
    escaped: str = ""  # anything else: the traceback
    outside: list[str] = field(default_factory=list)  # files written outside the output folder

    @property
    def ok(self) -> bool:
        return not self.escaped and not self.outside


# --------------------------------------------------------------------------- pools


def _pool_mutations() -> list[Callable[[random.Random, list[str]], list[str]]]:
    def cell(rng, lines):
        data = [i for i, line in enumerate(lines) if line and not line.startswith("#")]
        if not data:
            return lines
        i = rng.choice(data)
        cells = lines[i].split("|")
        cells[rng.randrange(len(cells))] = rng.choice(HOSTILE_VALUES)
        lines[i] = "|".join(cells)
        return lines

    def chars(rng, lines):
        text = "\n".join(lines)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            what = rng.choice(['"', "|", "\n", "\r", "\v", "\x85", "\u2028", "\x00", "#", "'",
                               "(", ")", "[", "]", ",", " ", "\ufeff", "é", "\udcff"])  # fmt: skip
            text = text[:at] + what + text[at + rng.randint(0, 2) :]
        return text.split("\n")

    def lines_op(rng, lines):
        if len(lines) < 2:
            return lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        op = rng.choice(["dup", "del", "swap", "header"])
        if op == "dup":
            lines.insert(j, lines[i])
        elif op == "del":
            del lines[i]
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        else:  # repeat the header somewhere
            header = next((line for line in lines if line and not line.startswith("#")), "")
            lines.insert(j, header)
        return lines

    def column(rng, lines):
        at = next((i for i, line in enumerate(lines) if line and not line.startswith("#")), None)
        if at is None:
            return lines
        names = lines[at].split("|")
        victim = rng.choice(["targetid", "asn_candidate", "obs_num", "filename", "program",
                             "exp_type", rng.choice(names)])  # fmt: skip
        if victim not in names:
            return lines
        k = names.index(victim)
        if rng.random() < 0.5:  # drop the column from every line
            for i in range(at, len(lines)):
                if lines[i] and not lines[i].startswith("#"):
                    cells = lines[i].split("|")
                    if len(cells) > k:
                        del cells[k]
                    lines[i] = "|".join(cells)
        else:  # rename it
            names[k] = rng.choice(["FILENAME", victim.upper(), victim + "x", "", victim])
            lines[at] = "|".join(names)
        return lines

    def truncate(rng, lines):
        text = "\n".join(lines)
        return text[: rng.randrange(len(text) + 1)].split("\n")

    def quote(rng, lines):
        data = [i for i, line in enumerate(lines) if line and not line.startswith("#")]
        if not data:
            return lines
        i = rng.choice(data)
        cells = lines[i].split("|")
        k = rng.randrange(len(cells))
        cells[k] = '"' + cells[k] + rng.choice(['"', "", '""', '"x'])
        lines[i] = "|".join(cells)
        return lines

    return [cell, cell, cell, chars, lines_op, column, truncate, quote]


def mutate_pool(text: str, rng: random.Random) -> bytes:
    """A mutant of a pool's text (1 to 3 mutations); bytes, sometimes not UTF-8."""
    lines = text.split("\n")
    mutations = _pool_mutations()
    for _ in range(rng.randint(1, 3)):
        lines = rng.choice(mutations)(rng, lines)
    out = "\n".join(lines).encode("utf-8", "surrogateescape")
    if rng.random() < 0.03:
        at = rng.randrange(len(out) + 1)
        out = out[:at] + bytes([rng.randrange(128, 256)]) + out[at:]
    if rng.random() < 0.03:
        out = b"\xef\xbb\xbf" + out
    return out


def _files(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*")}


def check_pool(path: Path, out: Path, watch: Path) -> Outcome:
    """Read, generate and write one pool mutant; ``watch`` is the folder to watch for strays.

    Only :class:`~asnkit.PoolError` and :class:`~asnkit.AssociationError` may escape
    ``read_pool``, ``summary``, ``candidate_ids``, ``generate`` and
    ``AssociationSet.write``; nothing may appear in ``watch`` outside ``out``.
    """
    import asnkit

    before = _files(watch)
    outcome = Outcome()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome.stage = "read"
            pool = asnkit.read_pool(path)
            outcome.stage = "summary"
            pool.asn.summary()
            if "asn_candidate" in pool.columns:
                pool.asn.candidates()
            outcome.stage = "generate"
            asns = asnkit.generate(pool, version_id="20250101t000000")
            outcome.stage = "write"
            asns.write(out)
            outcome.stage = "done"
    except (asnkit.PoolError, asnkit.AssociationError) as exc:
        outcome.refused = f"{type(exc).__name__}: {exc}"
    except Exception:  # what the check is for: nothing else may escape
        outcome.escaped = traceback.format_exc()
    after = _files(watch) - before
    outcome.outside = sorted(p for p in after if not Path(p).is_relative_to(out) and p != str(out))
    return outcome


# --------------------------------------------------------------------------- documents


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.choice(["str", "int", "float", "list", "dict", "null", "bool", "hostile"])
    if depth > 3 and kind in ("list", "dict"):
        kind = "str"
    if kind == "str":
        return rng.choice(["x", "science", "a_cal.fits", "image3", "o001", ""])
    if kind == "int":
        return rng.choice([0, -1, 1, 2**63, 10**30])
    if kind == "float":
        return rng.choice([0.5, 1e308, -0.0])
    if kind == "list":
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        keys = ["name", "members", "expname", "exptype", "k"]
        return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    return rng.choice(HOSTILE_VALUES)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _set(doc, path, value):
    if not path:
        return value
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


def mutate_document(text: str, rng: random.Random) -> str:
    """A mutant of an association's JSON text: structure, values, or raw text."""
    doc = json.loads(text)
    kind = rng.random()
    if kind < 0.55:
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(list(_paths(doc)))
            header = rng.choice(["asn_id", "program", "asn_type", "version_id", "expname"])
            if rng.random() < 0.3 and isinstance(doc, dict):
                if header == "expname":
                    members = [p for p in _paths(doc) if p and p[-1] == "expname"]
                    if members:
                        doc = _set(doc, rng.choice(members), rng.choice(HOSTILE_VALUES))
                        continue
                doc[header] = rng.choice(HOSTILE_VALUES)
            elif rng.random() < 0.2 and path:
                parent = doc
                for part in path[:-1]:
                    parent = parent[part]
                del parent[path[-1]]
            else:
                doc = _set(doc, path, _random_json(rng))
        return json.dumps(doc, indent=rng.choice([None, 4]))
    text = json.dumps(doc, indent=4)
    if kind < 0.7:  # raw text damage
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            what = rng.choice(['"', "{", "}", "[", "]", ",", ":", "\\", "\x00", "\n", "NaN",
                               "Infinity", "-Infinity", "1e999", "\ufeff", "é"])  # fmt: skip
            text = text[:at] + what + text[at + rng.randint(0, 2) :]
        return text
    if kind < 0.8:  # a duplicate key
        return text.replace('"asn_type": ', '"asn_type": "x", "asn_type": ', 1)
    if kind < 0.9:  # deep nesting or a huge number somewhere
        deep = rng.choice(["[" * 495 + "]" * 495, "9" * 4300, '{"a":' * 300 + "1" + "}" * 300])
        return text.replace('"products": ', f'"x": {deep}, "products": ', 1)
    return text[: rng.randrange(len(text) + 1)]


def check_document(path: Path, out: Path, watch: Path) -> Outcome:
    """Load, show, validate and write one document mutant.

    Only :class:`~asnkit.AssociationError` may escape ``read_asn``, ``repr``,
    ``to_frame``, ``is_valid``, ``iter_errors``, ``diff``, ``check`` and
    ``AssociationSet.write`` (OS errors for the file itself aside, none here);
    nothing may appear in ``watch`` outside ``out``.
    """
    import asnkit
    from asnkit.documents.collection import AssociationSet

    before = _files(watch)
    outcome = Outcome()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome.stage = "load"
            try:
                asnkit.read_asn(path)
            except asnkit.AssociationError:
                pass
            asn = asnkit.read_asn(path, validate=False)
            outcome.stage = "show"
            repr(asn)
            asn._repr_html_()
            asn.to_frame()
            outcome.stage = "validate"
            asnkit.is_valid(asn)
            list(asnkit.iter_errors(asn))
            both = AssociationSet([asn, asn.with_filename(None)])
            repr(both)
            both.to_frame()
            list(asnkit.iter_errors(both))
            outcome.stage = "diff"
            str(asnkit.diff(asn, asn, validate=False))  # (validated: refused)
            outcome.stage = "check"
            str(asnkit.check(asn))
            outcome.stage = "write"
            AssociationSet([asn.with_filename(None)]).write(out)
            outcome.stage = "done"
    except asnkit.AssociationError as exc:
        outcome.refused = f"AssociationError: {str(exc)[:200]}"
    except Exception:
        outcome.escaped = traceback.format_exc()
    after = _files(watch) - before
    outcome.outside = sorted(p for p in after if not Path(p).is_relative_to(out) and p != str(out))
    return outcome
