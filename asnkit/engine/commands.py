"""Subcommands of the ``asnkit`` command line for asnkit.engine."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the ``asnkit`` parser."""
