"""The back-feed bench's switching sequences on the sample territory, as a test: a
regression in how back-fed sections are restored and recorded shows up here, not only
when someone next runs `bench/outage/bench_backfeed.py`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "outage" / "bench_backfeed.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The bench script as a module (it puts its own folder on the path for the
    harness beside it)."""
    spec = importlib.util.spec_from_file_location("bench_backfeed", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder(bench: ModuleType) -> object:
    source, extra = bench.harness.NETWORKS["territory"]
    return bench.ScenarioBuilder(bench.load_network(source, [Path(p) for p in extra]))


@pytest.mark.parametrize("sequence", ["isolate", "flisr", "transfer"])
def test_every_tie_of_the_territory_back_feeds_with_exact_minutes(
        bench: ModuleType, builder: object, sequence: str) -> None:
    """For one switching device up from each side of every tie: the board shows exactly
    the sections still dark at every check, the back-fed section is shown back, one
    record holds the outage it was restored from, and each customer's recorded minutes
    are the true ones (a load transfer records none)."""
    totals = bench.run_sequence(builder, 1, sequence)
    assert totals.cases >= 10
    assert totals.board_right == totals.shown_back == totals.one_record == totals.cases
    if sequence == "transfer":
        assert totals.recorded == totals.true == 0
    else:
        assert totals.off <= 0.005 * totals.true
