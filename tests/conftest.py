"""Shared pytest configuration."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
