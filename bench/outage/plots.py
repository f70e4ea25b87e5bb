"""The harness's report as one picture: where the engine is right before repair, how
that moves with the share of customers who call and with AMI, and whether its
confidence means what it says. Drawn by every harness run beside its `.md`; to draw
a saved run again:

    .venv/bin/python bench/outage/plots.py bench/outage/results/harness*.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import calibration_bands, calibration_error, mean_figure

TARGET = 0.90  # the device F1 before repair
Rows = list[dict[str, Any]]


def _short(network: str) -> str:
    """A network's name without its source's prefix (``simbench:``, ``pandapower:``)."""
    return network.split(":", 1)[-1]


def plot_by_cell(ax: Axes, rows: Rows) -> None:
    """Device F1 before repair for each network and scenario kind: the engine's bars,
    the classic rules' a black mark on each."""
    networks = list(dict.fromkeys(r["network"] for r in rows))
    kinds = list(dict.fromkeys(r["scenario"] for r in rows))
    width = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        xs, engine, classic = [], [], []
        for n, network in enumerate(networks):
            cell = [r for r in rows if r["network"] == network and r["scenario"] == kind]
            if cell:
                xs.append(n - 0.4 + width * (k + 0.5))
                engine.append(mean_figure(cell, "probabilistic", "live_device_f1"))
                classic.append(mean_figure(cell, "classic", "live_device_f1"))
        ax.bar(xs, engine, width * 0.9, label=kind)
        ax.plot(xs, classic, "_", color="black", markersize=max(3.0, 40 * width), mew=2,
                label="classic rules" if k == 0 else None)
    ax.axhline(TARGET, color="grey", linestyle="--", linewidth=1, label=f"target {TARGET}")
    ax.set_xticks(range(len(networks)), [_short(n) for n in networks], rotation=30,
                  ha="right", fontsize=8)
    ax.set_ylim(0, 1.2)  # room for the legend above the bars
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("device F1 before repair")
    ax.set_title("By network and scenario")
    ax.legend(fontsize=7, loc="upper center", ncol=len(kinds) + 2)


def plot_by_call_rate(ax: Axes, rows: Rows) -> None:
    """Device F1 before repair against the share of customers who call, one line per
    meter delivery (the engine solid, the classic rules dashed), over every network."""
    rates = sorted({r["call_rate"] for r in rows})
    for delivery in sorted({r["meter_delivery"] for r in rows}):
        label = "no AMI" if delivery == 0 else f"AMI {delivery:.0%}"
        mine = [r for r in rows if r["meter_delivery"] == delivery]
        xs = [100 * x for x in rates]
        ys = {engine: [mean_figure([r for r in mine if r["call_rate"] == rate], engine,
                                   "live_device_f1") for rate in rates]
              for engine in ("probabilistic", "classic")}
        (line,) = ax.plot(xs, ys["probabilistic"], "-o", label=label)
        ax.plot(xs, ys["classic"], "--", color=line.get_color())
    ax.axhline(TARGET, color="grey", linestyle="--", linewidth=1)
    ax.set_xticks([100 * x for x in rates])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("customers who call, %")
    ax.set_ylabel("device F1 before repair")
    ax.set_title("By call rate (dashed: classic rules)")
    ax.legend(fontsize=7, loc="lower right")


def plot_calibration(ax: Axes, rows: Rows) -> None:
    """Each tenth of confidence: the live outages' mean confidence against the share of
    them right, the marker's area by how many were shown; on the diagonal when the
    confidence is the chance of being right."""
    bands = calibration_bands(rows)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    if bands:
        most = max(n for _, n, _, _ in bands)
        ax.scatter([total / n for _, n, _, total in bands], [right / n for _, n, right, _ in bands],
                   s=[20 + 400 * math.sqrt(n / most) for _, n, _, _ in bands], alpha=0.7)
        shown = sum(n for _, n, _, _ in bands)
        ax.text(0.03, 0.92, f"calibration error {calibration_error(bands):.3f}\n"
                f"{shown:,} outages shown", fontsize=8, transform=ax.transAxes, va="top")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence shown")
    ax.set_ylabel("share right")
    ax.set_title("Does the confidence mean what it says?")


def draw_report(rows: Rows, title: str) -> Figure:
    """The three panels side by side."""
    if not rows:
        raise ValueError("no scored scenarios to draw")
    networks = len({r["network"] for r in rows})
    wide = max(0, networks - 6) * 0.5  # inches more for the bars of many networks
    fig = Figure(figsize=(15 + wide, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    by_cell, by_rate, calibration = fig.subplots(1, 3, width_ratios=[1.6 + wide / 5, 1, 1])
    plot_by_cell(by_cell, rows)
    plot_by_call_rate(by_rate, rows)
    plot_calibration(calibration, rows)
    fig.suptitle(title)
    return fig


def title_of(name: str, seeds: int, rows: Rows) -> str:
    """A run's picture's title: its name, seeds and cells."""
    return f"{name}: {seeds} seeds, {len(rows)} cells"


def save_report(rows: Rows, path: Path, title: str) -> Path:
    """Draw the report into ``path`` (PNG)."""
    draw_report(rows, title).savefig(path, format="png", dpi=90)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="a harness run's .json")
    args = parser.parse_args(argv)
    for path in args.results:
        data = json.loads(path.read_text())
        title = title_of(path.stem, data["seeds"], data["rows"])
        print(save_report(data["rows"], path.with_suffix(".png"), title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
