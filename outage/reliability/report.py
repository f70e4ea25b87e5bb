"""Assemble a reliability report: indices with and without Major Event Days, planned
interruptions apart, per-group indices, per-year budget use and the tracker's view."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from outage.reliability.errors import HistoryError
from outage.reliability.indices import (
    IndexParams,
    Indices,
    compute_indices,
    compute_indices_by,
    customer_microseconds,
    local_day,
    select,
)
from outage.reliability.med import MedThreshold, daily_saidi, major_event_days, med_threshold
from outage.reliability.records import Interruption, Period, utc
from outage.reliability.target import ReliabilityTracker, TargetParams, TrackerStatus
from outage.reliability.territory import Territory

#: The record sets every report shows, in order, with their labels.
SETS = {"all": "All unplanned", "excluding_med": "Excluding MEDs", "med_days": "MED days only",
        "planned": "Planned"}
Progress = Callable[[Iterable[Interruption]], Iterable[Interruption]]


@dataclass(frozen=True, slots=True)
class ReportParams:
    """What a report covers and how: zone of the day boundaries, grouping, thresholds."""

    tz: tzinfo
    grouping: str | None = None
    indices: IndexParams = field(default_factory=IndexParams)
    target: TargetParams = field(default_factory=TargetParams)
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class YearBudget:
    """One calendar year inside the period against the target."""

    year: int
    saidi: float
    asai: float
    budget_minutes: float
    budget_used_fraction: float
    meets_target: bool


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the text, JSON and HTML presentations show."""

    period: Period
    customers_served: int
    med: MedThreshold | None
    med_source: str
    daily: Mapping[date, float]
    med_days: tuple[date, ...]
    indices: Mapping[str, Indices]
    grouping: str | None
    groups: Mapping[str, Mapping[str, Indices]]
    years: tuple[YearBudget, ...]
    feeder_minutes: tuple[tuple[str, float, float], ...]
    target_daily: Mapping[date, float]
    tracker: TrackerStatus
    target: TargetParams

    def as_dict(self) -> dict[str, object]:
        """A JSON-able dict (daily SAIDI left out; MED days with their SAIDI)."""
        return {
            "period": {"start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat(), "minutes": self.period.minutes},
            "customers_served": self.customers_served,
            "med": {**(self.med.as_dict() if self.med else {"threshold": None}),
                    "source": self.med_source,
                    "days": [{"date": d.isoformat(), "saidi": self.daily[d]}
                             for d in self.med_days]},
            "indices": {k: v.as_dict() for k, v in self.indices.items()},
            "grouping": self.grouping,
            "groups": {g: {k: v.as_dict() for k, v in sets.items()}
                       for g, sets in self.groups.items()},
            "years": [_year_dict(y) for y in self.years],
            "feeders": [{"feeder": f, "saidi_contribution_excluding_med": a,
                         "saidi_contribution_med_days": b} for f, a, b in self.feeder_minutes],
            "target": self.tracker.as_dict(),
        }


def _year_dict(year: YearBudget) -> dict[str, object]:
    return {"year": year.year, "saidi": year.saidi, "asai": year.asai,
            "budget_minutes": year.budget_minutes,
            "budget_used_fraction": year.budget_used_fraction,
            "meets_target": year.meets_target}


def build_report(records: Sequence[Interruption], territory: Territory, period: Period,
                 params: ReportParams, *, history: Mapping[date, float] | None = None,
                 progress: Progress | None = None) -> Report:
    """Compute the report for validated ``records`` inside ``period``."""
    tz = params.tz
    first, last = _days(period, tz)
    daily = daily_saidi(records, territory.customers_served, tz, first, last)
    threshold, source = _threshold(daily, last, history)
    meds = tuple(major_event_days(daily, threshold)) if threshold else ()
    sets = {
        "all": select(records, tz=tz),
        "excluding_med": select(records, exclude_days=meds, tz=tz),
        "med_days": select(records, only_days=meds, tz=tz),
        "planned": select(records, planned=True, tz=tz),
    }
    n_t = territory.customers_served
    indices = {k: compute_indices(v, n_t, period, params.indices) for k, v in sets.items()}
    groups: dict[str, dict[str, Indices]] = {}
    if params.grouping:
        for key in ("all", "excluding_med"):
            by = compute_indices_by(sets[key], territory, params.grouping, period,
                                    params.indices)
            for name, value in by.items():
                groups.setdefault(name, {})[key] = value
    tracker = ReliabilityTracker(territory, tz=tz, params=params.target)
    for record in progress(records) if progress else records:
        tracker.add(record)
    as_of = params.as_of or period.end - timedelta(seconds=1)
    return Report(
        period=period, customers_served=n_t, med=threshold,
        med_source=source, daily=daily, med_days=meds,
        indices=indices, grouping=params.grouping, groups=groups,
        years=_years(records, territory, period, params), tracker=tracker.status(as_of),
        feeder_minutes=_feeder_minutes(sets["excluding_med"], sets["med_days"], n_t),
        target=params.target,
        target_daily=daily_saidi(records, n_t, tz, first, last,
                                 include_planned=params.target.include_planned),
    )


def _threshold(daily: Mapping[date, float], last: date,
               history: Mapping[date, float] | None) -> tuple[MedThreshold | None, str]:
    """T_MED from the history if given, else from the period; None (with the reason as
    the source) when there are too few non-zero days."""
    try:
        if history:
            return med_threshold(history), "history"
        return med_threshold(daily, last_day=last), "outages"
    except HistoryError as error:
        return None, f"not computed: {error}"


def _days(period: Period, tz: tzinfo) -> tuple[date, date]:
    last_instant = utc(period.end) - timedelta(microseconds=1)
    return period.start.astimezone(tz).date(), last_instant.astimezone(tz).date()


def _years(records: Sequence[Interruption], territory: Territory, period: Period,
           params: ReportParams) -> tuple[YearBudget, ...]:
    """Calendar years lying wholly inside the period, counted as the tracker counts."""
    tz, target = params.tz, params.target
    first, last = _days(period, tz)
    counted = select(records, planned=None if target.include_planned else False, tz=tz)
    years = []
    for year in range(first.year, last.year + 1):
        span = Period(datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz))
        if utc(span.start) < utc(period.start) or utc(span.end) > utc(period.end):
            continue
        inside = [r for r in counted if local_day(r, tz).year == year]
        result = compute_indices(inside, territory.customers_served, span, params.indices)
        budget = span.minutes * (1.0 - target.target_asai)
        years.append(YearBudget(year, result.saidi, result.asai, budget,
                                result.saidi / budget, result.asai >= target.target_asai))
    return tuple(years)


def _feeder_minutes(normal: Sequence[Interruption], med: Sequence[Interruption],
                    customers_served: int) -> tuple[tuple[str, float, float], ...]:
    """Per feeder: SAIDI contribution outside and on MED days, largest total first."""
    totals: dict[str, list[int]] = {}
    for column, records in enumerate((normal, med)):
        for record in records:
            if record.sustained:
                row = totals.setdefault(record.feeder or "(no feeder)", [0, 0])
                row[column] += customer_microseconds(record)
    scale = 60_000_000 * customers_served
    rows = [(name, a / scale, b / scale) for name, (a, b) in totals.items()]
    return tuple(sorted(rows, key=lambda row: (-(row[1] + row[2]), row[0])))
