"""A readable plain-text rendering of a :class:`~outage.reliability.report.Report`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from outage.reliability.indices import Indices
from outage.reliability.report import SETS, Report
from outage.reliability.target import BudgetStatus

Row = tuple[str, Callable[[Indices], float | int | None], str]


def index_rows(indices: Indices) -> list[Row]:
    """Index name, getter and format for every row of an index table."""
    p = indices.params
    return [
        ("SAIFI (int./cust.)", lambda i: i.saifi, ".4f"),
        ("SAIDI (min)", lambda i: i.saidi, ".2f"),
        ("CAIDI (min)", lambda i: i.caidi, ".2f"),
        ("CAIFI (int./cust. int.)", lambda i: i.caifi, ".4f"),
        ("ASAI", lambda i: i.asai, ".6f"),
        ("MAIFI_E (events/cust.)", lambda i: i.maifi_e, ".4f"),
        (f"CEMI_{p.cemi_n}", lambda i: i.cemi_n, ".4f"),
        (f"CELID-s (>= {p.celid_s_minutes:g} min)", lambda i: i.celid_s, ".4f"),
        (f"CELID-t (>= {p.celid_t_minutes:g} min)", lambda i: i.celid_t, ".4f"),
        ("Sustained interruptions", lambda i: i.sustained_interruptions, "d"),
        ("Customer interruptions", lambda i: i.customer_interruptions, "d"),
        ("Customer-minutes", lambda i: i.customer_minutes, ",.0f"),
    ]


def fmt(value: float | int | None, spec: str) -> str:
    """Format a value, ``-`` for an undefined index."""
    return "-" if value is None else format(value, spec)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned others."""
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(c).ljust(widths[0]) if k == 0 else str(c).rjust(widths[k])
                 for k, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def render_text(report: Report) -> str:
    """The whole report as text."""
    lines = [f"Reliability report {report.period}",
             f"Customers served: {report.customers_served:,}", ""]
    lines += [*_indices(report), "", *_med(report), "", *_target(report)]
    if report.groups:
        lines += ["", *_groups(report)]
    return "\n".join(lines) + "\n"


def _indices(report: Report) -> list[str]:
    sets = list(SETS)
    rows = [[name, *(fmt(get(report.indices[s]), spec) for s in sets)]
            for name, get, spec in index_rows(report.indices["all"])]
    return ["IEEE 1366 indices (sustained > 5 min; momentary <= 5 min)",
            *table(["Index", *SETS.values()], rows)]


def _med(report: Report) -> list[str]:
    med = report.med
    if med is None:
        return ["Major Event Days", f"MED threshold {report.med_source}; no day excluded "
                "(pass --history with five years of daily SAIDI)"]
    lines = [f"Major Event Days (2.5 beta, from {report.med_source} "
             f"{med.first_day}..{med.last_day}, {med.days_used} non-zero days)",
             f"alpha = {med.alpha:.4f}  beta = {med.beta:.4f}  "
             f"T_MED = {med.threshold:.2f} min/day;  {len(report.med_days)} MEDs in the period"]
    rows = [[d.isoformat(), f"{report.daily[d]:.2f}"] for d in report.med_days]
    return lines + (table(["MED", "SAIDI (min)"], rows) if rows else [])


def _budget(name: str, b: BudgetStatus) -> list[str]:
    return [name, f"{b.saidi:.2f}", f"{b.asai:.6f}", f"{b.budget_minutes:.1f}",
            f"{b.budget_used_fraction:.1%}", f"{b.burn_ratio:.2f}",
            "yes" if b.meets_target else "NO"]


def _target(report: Report) -> list[str]:
    s = report.tracker
    head = ["Window", "SAIDI", "ASAI", "Budget", "Used", "Burn ratio", "Meets"]
    rows = [_budget(f"Year to date {s.year_to_date.start.year}", s.year_to_date),
            _budget("Rolling 12 months", s.rolling_12_months)]
    for y in report.years:
        rows.append([f"Year {y.year}", f"{y.saidi:.2f}", f"{y.asai:.6f}",
                     f"{y.budget_minutes:.1f}", f"{y.budget_used_fraction:.1%}", "",
                     "yes" if y.meets_target else "NO"])
    planned = "including" if report.target.include_planned else "excluding"
    lines = [f"Target ASAI >= {s.target_asai} as of {s.as_of.isoformat()} "
             f"(all sustained, MEDs included, {planned} planned)", *table(head, rows),
             f"Projected year-end SAIDI {s.projected_saidi:.2f} min, ASAI "
             f"{s.projected_asai:.6f} ({'on track' if s.on_track else 'OFF TRACK'})", "",
             "Feeders consuming the budget (year to date)"]
    feeders = [[f.feeder, f"{f.customer_minutes:,.0f}", f"{f.saidi_contribution:.2f}",
                f"{f.budget_share:.1%}", fmt(f.feeder_saidi, ".2f")] for f in s.worst_feeders]
    return lines + table(["Feeder", "Cust-min", "SAIDI share", "Of budget", "Feeder SAIDI"],
                         feeders)


def _groups(report: Report) -> list[str]:
    head = ["Group", "SAIFI", "SAIDI", "CAIDI", "ASAI", "MAIFI_E", "SAIDI ex-MED"]
    rows = []
    for name, sets in report.groups.items():
        a, x = sets["all"], sets["excluding_med"]
        rows.append([name, fmt(a.saifi, ".4f"), fmt(a.saidi, ".2f"), fmt(a.caidi, ".2f"),
                     fmt(a.asai, ".6f"), fmt(a.maifi_e, ".4f"), fmt(x.saidi, ".2f")])
    return [f"By {report.grouping} (unplanned; N_T = customers served in the group)",
            *table(head, rows)]
