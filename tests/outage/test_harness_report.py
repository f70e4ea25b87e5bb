"""The prediction harness's report on a few real scenarios of the sample territory: its
calibration table (`report.py`) and its picture (`plots.py`) are drawn from the same
figures as the rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "outage"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up; plots imports report
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    return _load("harness")


@pytest.fixture(scope="module")
def report(harness: ModuleType) -> ModuleType:
    return _load("report")


@pytest.fixture(scope="module")
def plots(report: ModuleType) -> ModuleType:
    return _load("plots")


@pytest.fixture(scope="module")
def rows(harness: ModuleType) -> list[dict[str, Any]]:
    """Single outages and a storm of five on the territory, calls only and with AMI."""
    return harness.evaluate(["territory"], 1, [0.1, 0.3], [0.0, 0.8], lambda n: None,
                            kinds={"single": ("single", 1), "storm": ("storm", 5)})


def test_calibration_bands_count_every_live_outage_shown(
        report: ModuleType, rows: list[dict[str, Any]]) -> None:
    """Each band holds the outages the rows showed there, right ones no more than shown,
    and its mean confidence inside the band."""
    bands = report.calibration_bands(rows)
    shown = sum(n for r in rows for n, _, _ in r["probabilistic"]["confidence"].values())
    assert shown > 0
    assert sum(n for _, n, _, _ in bands) == shown
    assert [low for low, *_ in bands] == sorted(low for low, *_ in bands)
    for low, n, right, total in bands:
        assert 0 <= right <= n
        assert low - 1e-9 <= total / n <= low + 0.1 + 1e-9


def test_the_picture_plots_the_figures_of_the_report(
        report: ModuleType, plots: ModuleType, rows: list[dict[str, Any]],
        tmp_path: Path) -> None:
    """The bars are each cell's mean device F1 before repair, the calibration points
    each band's mean confidence and share right; the PNG is written where asked."""
    fig = plots.draw_report(rows, "territory")
    by_cell, by_rate, calibration = fig.axes[:3]
    heights = sorted(round(bar.get_height(), 6) for bar in by_cell.patches)
    cells = {(r["network"], r["scenario"]) for r in rows}
    expected = sorted(round(report.mean_figure(
        [r for r in rows if (r["network"], r["scenario"]) == cell], "probabilistic",
        "live_device_f1"), 6) for cell in cells)
    assert heights == expected
    points = calibration.collections[0].get_offsets().ravel().tolist()
    bands = report.calibration_bands(rows)
    assert points == pytest.approx(
        [x for _, n, right, total in bands for x in (total / n, right / n)])
    assert by_rate.get_xlabel() == "customers who call, %"
    path = plots.save_report(rows, tmp_path / "report.png", "territory")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_to_draw_says_so(plots: ModuleType) -> None:
    """A run that scored no scenario has no picture, and says why."""
    with pytest.raises(ValueError, match="no scored scenarios"):
        plots.draw_report([], "empty")
