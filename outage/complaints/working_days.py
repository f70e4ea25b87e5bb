"""Working days: the clock a complaint's resolution runs on ("resolved within five
working days", in the utility's own time zone, weekends and public holidays off)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from outage.complaints.errors import ComplaintError

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """Which days count, where: a time zone, the weekend's weekdays, public holidays."""

    zone: ZoneInfo
    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = field(default=WEEKEND)

    def __post_init__(self) -> None:
        if not self.weekend <= set(range(7)) or len(self.weekend) > 6:
            raise ComplaintError("weekend", "the weekend must be some of the weekdays 0-6 "
                                            "(Monday-Sunday), leaving at least one to work")

    def is_working(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def due(self, received: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after the day `received` falls on (the
        day of receipt does not count): local midnight after it, as an aware time.
        Received on a Wednesday, five working days are due at the end of next
        Wednesday; received on a Saturday, at the end of Friday."""
        day = received.astimezone(self.zone).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_working(day)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)

    def last_day(self, due: datetime) -> date:
        """The working day a deadline from `due` ends (the day before its midnight)."""
        return (due.astimezone(self.zone) - timedelta(microseconds=1)).date()

    def left(self, now: datetime, due: datetime) -> int:
        """Working days from `now`'s day to `due` (the day that ends at it included, the
        current day not): 0 on the last day, negative once past."""
        today = now.astimezone(self.zone).date()
        last = self.last_day(due)
        lo, hi, sign = (today, last, 1) if last >= today else (last, today, -1)
        return sign * sum(self.is_working(lo + timedelta(days=k))
                          for k in range(1, (hi - lo).days + 1))

def parse_holidays(spelling: str | Iterable[str]) -> frozenset[date]:
    """Holidays from ISO dates ("2026-12-25,2027-01-01", or a list); a bad one is named."""
    items = spelling.split(",") if isinstance(spelling, str) else list(spelling)
    days = set()
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            days.add(date.fromisoformat(item))
        except ValueError:
            raise ComplaintError("holidays", f"{item!r} is not a date (YYYY-MM-DD)") from None
    return frozenset(days)
