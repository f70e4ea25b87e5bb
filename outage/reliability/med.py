"""Major Event Days by the IEEE 1366 2.5β method.

T_MED = exp(α + 2.5 β), where α and β are the mean and the (sample) standard deviation
of the natural logarithms of the daily SAIDI values of the last five years, days with
zero SAIDI left out. A day whose SAIDI exceeds T_MED is a Major Event Day (MED).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from pathlib import Path

from outage.reliability.csv_rows import csv_table
from outage.reliability.errors import FormatError, HistoryError
from outage.reliability.indices import customer_microseconds, local_day
from outage.reliability.records import Interruption

MED_MULTIPLIER = 2.5
HISTORY_YEARS = 5


@dataclass(frozen=True, slots=True)
class MedThreshold:
    """The MED threshold and the statistics it came from."""

    alpha: float
    beta: float
    threshold: float
    days_used: int
    first_day: date
    last_day: date

    def as_dict(self) -> dict[str, object]:
        """A JSON-able dict."""
        return {"alpha": self.alpha, "beta": self.beta, "threshold": self.threshold,
                "days_used": self.days_used, "first_day": self.first_day.isoformat(),
                "last_day": self.last_day.isoformat()}


def daily_saidi(records: Iterable[Interruption], customers_served: int, tz: tzinfo | None,
                first: date, last: date, *, include_planned: bool = False,
                ) -> dict[date, float]:
    """Daily SAIDI (minutes) for every day ``first..last``: sustained records (unplanned
    only unless ``include_planned``), each accrued whole to the local day it begins on."""
    if last < first:
        raise HistoryError(f"daily SAIDI range {first}..{last} is empty")
    micro: dict[date, int] = {first + timedelta(days=k): 0
                              for k in range((last - first).days + 1)}
    for record in records:
        if record.momentary or (record.planned and not include_planned):
            continue
        day = local_day(record, tz)
        if day not in micro:
            raise HistoryError(f"outage {record.outage_id!r} starts on {day}, outside "
                               f"{first}..{last}")
        micro[day] += customer_microseconds(record)
    return {day: value / 60_000_000 / customers_served for day, value in micro.items()}


def five_years_before(day: date, years: int = HISTORY_YEARS) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def med_threshold(daily: Mapping[date, float], *, last_day: date | None = None,
                  years: int = HISTORY_YEARS) -> MedThreshold:
    """T_MED from the ``years`` years of daily SAIDI ending on ``last_day`` (inclusive;
    default: the last day given). Days with zero SAIDI are excluded."""
    if not daily:
        raise HistoryError("no daily SAIDI history to compute the MED threshold from")
    last = last_day or max(daily)
    first = five_years_before(last, years) + timedelta(days=1)
    logs = [math.log(v) for d, v in daily.items() if first <= d <= last and v > 0]
    if len(logs) < 2:
        raise HistoryError(f"{len(logs)} day(s) with non-zero SAIDI in {first}..{last}; "
                           "the MED threshold needs at least 2")
    alpha = math.fsum(logs) / len(logs)
    beta = math.sqrt(math.fsum((x - alpha) ** 2 for x in logs) / (len(logs) - 1))
    return MedThreshold(alpha, beta, math.exp(alpha + MED_MULTIPLIER * beta), len(logs),
                        first, last)


def major_event_days(daily: Mapping[date, float], threshold: MedThreshold | float,
                     ) -> list[date]:
    """Days whose SAIDI exceeds the threshold, in order."""
    limit = threshold.threshold if isinstance(threshold, MedThreshold) else threshold
    return sorted(day for day, value in daily.items() if value > limit)


def read_daily_saidi(path: str | Path) -> dict[date, float]:
    """Read ``HISTORY.csv`` rows ``date,saidi`` (minutes); days not listed count as zero."""
    source = Path(path).name
    daily: dict[date, float] = {}
    first, reader = csv_table(path)
    header = [c.strip().lower() for c in first or []]
    if header != ["date", "saidi"]:
        raise FormatError(f"{source} line 1: header must be date,saidi")
    for line, row in reader:
        if not any(c.strip() for c in row):
            continue
        day, value = _parse_history_row(row, f"{source} line {line}")
        if day in daily:
            raise FormatError(f"{source} line {line}, field 'date': {day} is listed twice")
        daily[day] = value
    return daily


def _parse_history_row(row: list[str], where: str) -> tuple[date, float]:
    if len(row) != 2:
        raise FormatError(f"{where}: {len(row)} fields, expected date,saidi")
    try:
        day = date.fromisoformat(row[0].strip())
    except ValueError:
        raise FormatError(f"{where}, field 'date': {row[0]!r} is not a date") from None
    try:
        value = float(row[1])
    except ValueError:
        raise FormatError(f"{where}, field 'saidi': {row[1]!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise FormatError(f"{where}, field 'saidi': {value} is not a non-negative number")
    return day, value
