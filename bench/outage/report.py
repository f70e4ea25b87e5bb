"""The prediction harness's report as tables (Markdown): its rows, one per network,
scenario kind, call rate and meter delivery, condensed, summed up and taken apart.
`plots.py` draws the same figures."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| network | scenario | calls | AMI | device F1 (prob / classic) | "
            "precision | recall | recall of reported | customer F1 (prob / classic) | "
            "reports to right | before repair: device F1 / customer F1 (prob / classic) |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        p, c = r["probabilistic"], r["classic"]
        lines.append(
            f"| {r['network']} | {r['scenario']} | {r['call_rate']:.0%} | "
            f"{r['meter_delivery']:.0%} | {p['device_f1']:.2f} / {c['device_f1']:.2f} | "
            f"{p['device_precision']:.2f} | {p['device_recall']:.2f} | "
            f"{p['recall_of_reported'] if p['recall_of_reported'] is not None else '–'} | "
            f"{p['customer_f1']:.2f} / {c['customer_f1']:.2f} | "
            f"{p['reports_needed_median'] if p['reports_needed_median'] is not None else '–'} | "
            f"{_pair(p, c, 'live_device_f1')} / {_pair(p, c, 'live_customer_f1')} |"
        )
    return "\n".join(lines)


def _pair(p: dict[str, Any], c: dict[str, Any], key: str) -> str:
    return "–" if p[key] is None else f"{p[key]:.2f} ({c[key]:.2f})"


def summary(rows: list[dict[str, Any]]) -> str:
    def line(label: str, subset: list[dict[str, Any]]) -> str:
        parts = []
        for name, device, customer in (("at the end", "device_f1", "customer_f1"),
                                       ("before repair", "live_device_f1", "live_customer_f1")):
            parts.append(
                f"{name}: device F1 {mean_figure(subset, 'probabilistic', device):.3f} "
                f"(classic {mean_figure(subset, 'classic', device):.3f}), customer F1 "
                f"{mean_figure(subset, 'probabilistic', customer):.3f} "
                f"(classic {mean_figure(subset, 'classic', customer):.3f})"
            )
        recorded, true, off = (sum(r["probabilistic"]["customer_minutes"][k] for r in subset)
                               for k in range(3))
        if true:
            parts.append(f"customer-minutes recorded / true {recorded / true:.3f} "
                         f"(off by {off / true:.1%})")
        etr = [r["probabilistic"]["etr"] for r in subset]
        samples = sum(e["samples"] for e in etr)
        if samples:
            parts.append(f"ETR error {sum(e['abs_minutes'] for e in etr) / samples:.0f} min "
                         f"(bias {sum(e['minutes'] for e in etr) / samples:+.0f})")
        shown = mean_figure(subset, "probabilistic", "hazards_shown")
        if not math.isnan(shown):  # scenarios with hazard calls (--scenario hazard_share=…)
            parts.append(f"hazards shown {shown:.3f} "
                         f"(classic {mean_figure(subset, 'classic', 'hazards_shown'):.3f})")
        return f"{label:>14}: " + "; ".join(parts)

    groups = [("all", rows),
              ("with AMI", [r for r in rows if r["meter_delivery"] > 0]),
              ("calls only", [r for r in rows if r["meter_delivery"] == 0])]
    groups += [(name, [r for r in rows if r["network"] == name])
               for name in dict.fromkeys(r["network"] for r in rows)]
    return "\n".join(line(label, subset) for label, subset in groups if subset)


def mean_figure(rows: list[dict[str, Any]], engine: str, key: str) -> float:
    """Mean of one figure over rows (those without it left out; NaN when none has it)."""
    values = [r[engine][key] for r in rows if r[engine][key] is not None]
    return statistics.fmean(values) if values else float("nan")


def condensed(rows: list[dict[str, Any]]) -> str:
    """One line per network and scenario kind, averaged over call rates and AMI."""
    def mean(subset: list[dict[str, Any]], engine: str, key: str) -> str:
        value = mean_figure(subset, engine, key)
        return "–" if math.isnan(value) else f"{value:.2f}"

    lines = ["| network | scenario | before repair: device F1 | classic | with AMI | calls only "
             "| customer F1 | classic | at the end: device F1 | classic | customer F1 "
             "| recall of reported |",
             "|---|---|" + "---:|" * 10]
    for network, scenario in dict.fromkeys((r["network"], r["scenario"]) for r in rows):
        cell = [r for r in rows if r["network"] == network and r["scenario"] == scenario]
        ami = [r for r in cell if r["meter_delivery"] > 0]
        calls = [r for r in cell if r["meter_delivery"] == 0]
        lines.append(
            f"| {network} | {scenario} | **{mean(cell, 'probabilistic', 'live_device_f1')}** | "
            f"{mean(cell, 'classic', 'live_device_f1')} | "
            f"{mean(ami, 'probabilistic', 'live_device_f1')} | "
            f"{mean(calls, 'probabilistic', 'live_device_f1')} | "
            f"**{mean(cell, 'probabilistic', 'live_customer_f1')}** | "
            f"{mean(cell, 'classic', 'live_customer_f1')} | "
            f"{mean(cell, 'probabilistic', 'device_f1')} | {mean(cell, 'classic', 'device_f1')} | "
            f"{mean(cell, 'probabilistic', 'customer_f1')} | "
            f"{mean(cell, 'probabilistic', 'recall_of_reported')} |")
    return "\n".join(lines)


ERRORS = ("right", "missed", "too high", "too low", "overlap", "false")


def error_table(rows: list[dict[str, Any]]) -> str:
    """Where the probabilistic engine's before-repair errors are: each reported true
    outage as its crew is about to repair it (see `error_kind`), and the live outages
    over customers who all had power ("false"), per network and scenario."""
    lines = ["| network | scenario | " + " | ".join(ERRORS) + " |",
             "|---|---|" + "---:|" * len(ERRORS)]
    for network, scenario in dict.fromkeys((r["network"], r["scenario"]) for r in rows):
        counts: Counter[str] = Counter()
        for r in rows:
            if (r["network"], r["scenario"]) == (network, scenario):
                counts.update(r["probabilistic"]["errors"])
        lines.append(f"| {network} | {scenario} | "
                     + " | ".join(str(counts[e]) for e in ERRORS) + " |")
    return "\n".join(lines)


def pointing_table(rows: list[dict[str, Any]]) -> str:
    """Where the reports of each true outage point as its crew is about to repair it
    (`reports_point_at`): at its device, or all below a device inside it; and how often
    the probabilistic engine's live view is right in each case. Per network, then all
    networks with AMI and with calls only."""
    groups = {network: [r for r in rows if r["network"] == network]
              for network in dict.fromkeys(r["network"] for r in rows)}
    groups["all, with AMI"] = [r for r in rows if r["meter_delivery"] > 0]
    groups["all, calls only"] = [r for r in rows if r["meter_delivery"] == 0]
    lines = ["| network | told | reports point at the device | right there | reports all "
             "below it | right there |", "|---|---:|---:|---:|---:|---:|"]
    for name, group in groups.items():
        n: Counter[str] = Counter()
        for r in group:
            n.update(r["probabilistic"].get("pointing", {}))
        at, below = n["at right"] + n["at wrong"], n["below right"] + n["below wrong"]
        if at + below:
            lines.append(f"| {name} | {at + below} | {at / (at + below):.0%} | "
                         f"{n['at right'] / max(at, 1):.0%} | {below / (at + below):.0%} | "
                         f"{n['below right'] / max(below, 1):.0%} |")
    return "\n".join(lines)


def calibration_bands(rows: list[dict[str, Any]]) -> list[tuple[float, int, int, float]]:
    """The probabilistic engine's live outages at every repair checkpoint, by tenth of
    confidence, in order: (the band's lower edge, outages shown, of which right, the sum
    of their confidences)."""
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    sums: Counter[str] = Counter()
    for r in rows:
        for tenth, (n, k, total) in r["probabilistic"]["confidence"].items():
            totals[tenth] += n
            right[tenth] += k
            sums[tenth] += total
    return [(float(t), totals[t], right[t], sums[t]) for t in sorted(totals, key=float)]


def calibration_error(bands: list[tuple[float, int, int, float]]) -> float:
    """The gap between mean confidence and share right over `calibration_bands`,
    weighted by outages shown: 0 when the confidence is the chance of being right."""
    shown = sum(n for _, n, _, _ in bands)
    return sum(abs(total - right) for _, _, right, total in bands) / max(shown, 1)


def calibration_table(rows: list[dict[str, Any]]) -> str:
    """Whether the probabilistic engine's confidence means what it says
    (`calibration_bands`: mean confidence beside the share right); and the calibration
    error, the gap between the two weighted by outages shown (0 when the confidence is
    the chance of being right), and the Brier score (the mean squared gap between each
    confidence and 1 if right, else 0)."""
    bands = calibration_bands(rows)
    lines = ["| confidence | live outages shown | right | mean confidence | share right |",
             "|---|---:|---:|---:|---:|"]
    for low, shown, right, total in bands:
        lines.append(f"| {low:.1f}–{low + 0.1:.1f} | {shown} | {right} | "
                     f"{total / shown:.2f} | {right / shown:.2f} |")
    shown = sum(n for _, n, _, _ in bands)
    brier = sum(r["probabilistic"]["brier"] for r in rows)
    lines.append(f"\nCalibration error (mean |confidence − share right|, by outage shown): "
                 f"{calibration_error(bands):.3f}; Brier score {brier / max(shown, 1):.3f}")
    return "\n".join(lines)
