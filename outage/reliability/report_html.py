"""A self-contained HTML report: tables plus matplotlib plots (Agg) embedded as PNG.

Figures are built with the object API on an Agg canvas (no pyplot global state), so
rendering is safe in a web worker too.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import date
from html import escape

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from outage.reliability.report import SETS, Report
from outage.reliability.report_text import fmt, index_rows

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1180px;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .8em;border-bottom:1px solid #eee}
td{text-align:right}td:first-child,th:first-child{text-align:left}
.bad{color:#b00;font-weight:bold}.good{color:#070}img{max-width:100%}
.kpi{display:inline-block;margin:0 2em .5em 0}.kpi b{display:block;font-size:1.6em}"""


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=96, layout="tight")


def plot_daily_saidi(report: Report) -> Figure:
    """Daily SAIDI (log scale) with the MED threshold; MEDs in red."""
    fig = _figure(11, 3.6)
    ax = fig.add_subplot()
    days = [d for d, v in report.daily.items() if v > 0]
    meds = list(report.med_days)
    ax.scatter([d.toordinal() for d in days], [report.daily[d] for d in days], s=6,
               color="#4477aa", label="daily SAIDI")
    ax.scatter([d.toordinal() for d in meds], [report.daily[d] for d in meds], s=22,
               color="#cc3311", label=f"Major Event Day ({len(meds)})", zorder=3)
    if report.med:
        ax.axhline(report.med.threshold, color="#cc3311", linestyle="--",
                   label=f"T_MED = {report.med.threshold:.2f} min")
    ax.set_yscale("log")
    years = sorted({d.year for d in report.daily})
    ax.set_xticks([date(y, 1, 1).toordinal() for y in years], [str(y) for y in years])
    ax.set_ylabel("SAIDI (min/day)")
    ax.set_title("Daily SAIDI, sustained unplanned interruptions")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_cumulative(report: Report) -> Figure:
    """Cumulative SAIDI through each calendar year against the annual budget."""
    fig = _figure(11, 4.2)
    ax = fig.add_subplot()
    by_year: dict[int, list[tuple[date, float]]] = {}
    for day, value in sorted(report.target_daily.items()):
        by_year.setdefault(day.year, []).append((day, value))
    for year, points in by_year.items():
        total, xs, ys = 0.0, [], []
        for day, value in points:
            total += value
            xs.append(day.timetuple().tm_yday)
            ys.append(total)
        ax.step(xs, ys, where="post", label=str(year))
    budget = report.tracker.year_to_date.budget_minutes
    ax.axhline(budget, color="black", linestyle="--", label=f"budget {budget:.1f} min")
    ax.plot([1, 366], [0, budget], color="grey", linestyle=":", label="budget pace")
    months = [date(2001, m, 1) for m in range(1, 13)]
    ax.set_xticks([m.timetuple().tm_yday for m in months], [m.strftime("%b") for m in months])
    ax.set_ylabel("cumulative SAIDI (min)")
    ax.set_title(f"Cumulative SAIDI against the ASAI ≥ {report.target.target_asai} budget")
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    return fig


def plot_feeders(report: Report, top: int = 12) -> Figure:
    """Each feeder's contribution to system SAIDI over the period, MEDs stacked."""
    rows = list(report.feeder_minutes[:top])[::-1]
    fig = _figure(11, 0.45 * len(rows) + 1.2)
    ax = fig.add_subplot()
    names = [r[0] for r in rows]
    ax.barh(names, [r[1] for r in rows], color="#4477aa", label="excluding MEDs")
    ax.barh(names, [r[2] for r in rows], left=[r[1] for r in rows], color="#cc3311",
            label="on MEDs")
    ax.set_xlabel("contribution to system SAIDI over the period (min)")
    ax.set_title("Worst-performing feeders (unplanned sustained interruptions)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _flag(ok: bool) -> str:
    return '<span class="good">yes</span>' if ok else '<span class="bad">NO</span>'


def _kpis(report: Report) -> str:
    s = report.tracker
    items = [("SAIDI, period (min)", fmt(report.indices["all"].saidi, ".1f")),
             ("SAIFI, period", fmt(report.indices["all"].saifi, ".3f")),
             ("ASAI", fmt(report.indices["all"].asai, ".6f")),
             ("MEDs", str(len(report.med_days))),
             ("T_MED (min)", fmt(report.med.threshold if report.med else None, ".2f")),
             (f"Budget used {s.year_to_date.start.year}",
              fmt(s.year_to_date.budget_used_fraction, ".1%")),
             ("Projected year-end ASAI", fmt(s.projected_asai, ".6f"))]
    return "".join(f'<div class="kpi">{escape(k)}<b>{escape(v)}</b></div>' for k, v in items)


def _indices_table(report: Report) -> str:
    rows = [[escape(name), *(fmt(get(report.indices[s]), spec) for s in SETS)]
            for name, get, spec in index_rows(report.indices["all"])]
    return _table(["Index", *SETS.values()], rows)


def _target_table(report: Report) -> str:
    s = report.tracker
    rows = []
    for name, b in (("Year to date", s.year_to_date), ("Rolling 12 months",
                                                        s.rolling_12_months)):
        rows.append([name, f"{b.saidi:.2f}", f"{b.asai:.6f}", f"{b.budget_minutes:.1f}",
                     f"{b.budget_used_fraction:.1%}", f"{b.burn_ratio:.2f}",
                     _flag(b.meets_target)])
    rows += [[f"Year {y.year}", f"{y.saidi:.2f}", f"{y.asai:.6f}", f"{y.budget_minutes:.1f}",
              f"{y.budget_used_fraction:.1%}", "", _flag(y.meets_target)] for y in report.years]
    return _table(["Window", "SAIDI", "ASAI", "Budget", "Used", "Burn ratio", "Meets"], rows)


def _feeder_table(report: Report) -> str:
    rows = [[escape(f.feeder), f"{f.customer_minutes:,.0f}", f"{f.saidi_contribution:.2f}",
             f"{f.budget_share:.1%}", fmt(f.feeder_saidi, ".2f")]
            for f in report.tracker.worst_feeders]
    return _table(["Feeder", "Customer-min", "SAIDI share", "Of budget", "Feeder SAIDI"], rows)


def _groups_table(report: Report) -> str:
    rows = [[escape(name), fmt(v["all"].saifi, ".4f"), fmt(v["all"].saidi, ".2f"),
             fmt(v["all"].caidi, ".2f"), fmt(v["all"].asai, ".6f"),
             fmt(v["all"].maifi_e, ".4f"), fmt(v["excluding_med"].saidi, ".2f")]
            for name, v in report.groups.items()]
    return (f"<h2>By {escape(report.grouping or '')}</h2>"
            + _table(["Group", "SAIFI", "SAIDI", "CAIDI", "ASAI", "MAIFI_E", "SAIDI ex-MED"],
                     rows))


def _med_text(report: Report) -> str:
    med = report.med
    if med is None:
        return f"<p>MED threshold {escape(report.med_source)}; no day excluded.</p>"
    days = ", ".join(f"{d.isoformat()} ({report.daily[d]:.1f} min)" for d in report.med_days)
    return (f"<p>2.5β method on daily SAIDI from {escape(report.med_source)} "
            f"{med.first_day}..{med.last_day} ({med.days_used} non-zero days): "
            f"α = {med.alpha:.4f}, β = {med.beta:.4f}, T<sub>MED</sub> = "
            f"{med.threshold:.2f} min/day. {len(report.med_days)} MEDs: "
            f"{escape(days) or 'none'}.</p>")


def render_html(report: Report) -> str:
    """The whole report as one HTML document with embedded images."""
    s = report.tracker
    parts = [
        f"<h1>Reliability report {escape(str(report.period))}</h1>",
        f"<p>Customers served: {report.customers_served:,}. IEEE 1366-2012; sustained "
        "interruptions last more than 5 minutes.</p>", _kpis(report),
        "<h2>Indices</h2>", _indices_table(report),
        "<h2>Major Event Days</h2>", _med_text(report), _png(plot_daily_saidi(report)),
        f"<h2>Target ASAI ≥ {s.target_asai}</h2>",
        f"<p>As of {escape(s.as_of.isoformat())}. Projected year-end SAIDI "
        f"{s.projected_saidi:.2f} min, ASAI {s.projected_asai:.6f} "
        f"({_flag(s.on_track)} on track).</p>",
        _target_table(report), _png(plot_cumulative(report)),
        f"<h2>Worst-performing feeders</h2><p>Budget use in {s.year_to_date.start.year} "
        "to date; the plot covers the whole period.</p>", _feeder_table(report),
        _png(plot_feeders(report)),
    ]
    if report.groups:
        parts.append(_groups_table(report))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Reliability report</title><style>{_CSS}</style></head>"
            f"<body>{body}</body></html>\n")
