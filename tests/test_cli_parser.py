"""The command line builds only the parser of the command it runs, with the same meaning."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from asnkit.cli import COMMAND_MODULES, build_parser, command_of

ALL_COMMANDS = [name for names in COMMAND_MODULES.values() for name in names]


@pytest.mark.parametrize("module", list(COMMAND_MODULES))
def test_command_modules_name_what_each_module_registers(module):
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    importlib.import_module(module).register(subparsers)
    assert tuple(subparsers.choices) == COMMAND_MODULES[module]


def test_the_whole_parser_has_every_command_once():
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(action.choices) == ALL_COMMANDS
    assert len(set(ALL_COMMANDS)) == len(ALL_COMMANDS)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["generate", "pool.csv", "-o", "out"], "generate"),
        (["-v", "-v", "check", "a.json"], "check"),
        (["--verbose", "generate-many", "m.csv"], "generate-many"),
        (["--help"], None),
        (["--version"], None),
        (["--help", "generate"], None),  # argparse helps before it reads the command
        (["-v", "-h", "check"], None),
        (["--verb", "summary"], None),  # an abbreviation: the whole parser decides
        ([], None),
        (["generat", "pool.csv"], None),  # not a command: the whole parser says so
        (["pool.csv", "generate"], None),
    ],
)
def test_command_of(argv, command):
    assert command_of(argv) == command


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_one_command_parser_helps_as_the_whole_one(command):
    def helped(parser: argparse.ArgumentParser) -> str:
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return action.choices[command].format_help()

    assert helped(build_parser(command)) == helped(build_parser())


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "p.csv", "-o", "out", "--version-id", "20250101t000000"],
        ["-vv", "generate", "p.csv", "-i", "o001", "c1000", "--rules", "level3"],
        ["explain", "p.csv", "a_uncal.fits", "--not-taken"],
        ["diff", "a", "b"],
        ["summary", "p.csv"],
        ["generate-many", "m.csv", "-o", "out"],
    ],
)
def test_one_command_parser_parses_as_the_whole_one(argv):
    def parsed(parser: argparse.ArgumentParser) -> dict:
        return vars(parser.parse_args(argv))

    assert parsed(build_parser(command_of(argv))) == parsed(build_parser())


def test_generate_imports_no_other_command_module(tmp_path):
    script = (
        "import sys, json\n"
        "from asnkit.cli import build_parser, command_of\n"
        "build_parser(command_of(['generate', 'p.csv'])).parse_args(['generate', 'p.csv'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.endswith('commands'))))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ['["asnkit.generation.commands"]']


@pytest.mark.parametrize(
    "argv",
    [
        ["generat", "p.csv"],
        ["--help"],
        ["--help", "generate"],
        ["-h", "summary"],
        ["-v", "-h", "check"],
    ],
)
def test_an_unknown_command_or_help_lists_every_command(argv, capsys):
    with pytest.raises(SystemExit):
        build_parser(command_of(argv)).parse_args(argv)
    said = capsys.readouterr()
    text = said.out + said.err
    for command in ALL_COMMANDS:
        assert command in text
