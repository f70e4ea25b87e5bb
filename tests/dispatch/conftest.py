"""Fixtures of the dispatch tests."""

from __future__ import annotations

import pytest

from dispatch.solve import SolveParams


@pytest.fixture
def fast() -> SolveParams:
    """Deterministic, quick solver settings."""
    return SolveParams(time_limit=20.0, metaheuristic="greedy_descent")
