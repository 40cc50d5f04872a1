"""Vectorised pre-checks: which pool rows can possibly match a rule, and index keys."""

from __future__ import annotations

from typing import Any

__all__ = ["index_keys", "possible_rows"]


def possible_rows(cr: Any, table: Any) -> Any:
    return None


def index_keys(cr: Any) -> tuple:
    return ()
