"""The 99.9 % promise as a budget: ASAI ≥ target allows (1 − target) × minutes in the
period of customer-minutes per customer (525.6 minutes in a 365-day year at 0.999).

:class:`ReliabilityTracker` is updated incrementally as interruptions start and end and
returns JSON-able snapshots: year-to-date and rolling-12-month ASAI against the target,
budget used and burn rate, the feeders consuming most of it, and the projected year end.
It runs on event time: snapshots must not go back in time.
"""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo

from outage.reliability.errors import ReliabilityError
from outage.reliability.indices import customer_microseconds
from outage.reliability.records import MOMENTARY_LIMIT, Interruption, utc
from outage.reliability.territory import Territory

ROLLING_WINDOW = timedelta(days=365)
_MICRO_PER_MINUTE = 60_000_000
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TargetParams:
    """Target ASAI, whether planned interruptions count against it, and how many
    worst feeders a snapshot lists."""

    target_asai: float = 0.999
    include_planned: bool = True
    worst_feeders: int = 5

    def __post_init__(self) -> None:
        if not 0.0 < self.target_asai < 1.0:
            raise ReliabilityError(f"target ASAI {self.target_asai} is not between 0 and 1")


def budget_minutes(period_minutes: float, target_asai: float = 0.999) -> float:
    """Customer-minutes per customer that ASAI ≥ ``target_asai`` allows in the period."""
    return period_minutes * (1.0 - target_asai)


@dataclass(slots=True)
class _Open:
    start: datetime
    customers: int
    feeder: str | None
    planned: bool
    outage_id: str


@dataclass(slots=True)
class _Totals:
    micro: int = 0
    customer_interruptions: int = 0

    def add(self, micro: int, customers: int, sign: int = 1) -> None:
        self.micro += sign * micro
        self.customer_interruptions += sign * customers


class ReliabilityTracker:
    """Running year-to-date and rolling-12-month totals of sustained interruptions."""

    def __init__(self, territory: Territory | int, *, tz: tzinfo = UTC,
                 params: TargetParams | None = None) -> None:
        self.territory = territory if isinstance(territory, Territory) else Territory(territory)
        self.tz = tz
        self.params = params or TargetParams()
        self._open: dict[str, _Open] = {}
        self._years: dict[int, dict[str, _Totals]] = {}  # year -> feeder ("" = all) -> totals
        self._rolling: dict[str, _Totals] = {"": _Totals()}
        self._heap: list[tuple[datetime, int, int, int, str]] = []
        self._cutoff: datetime | None = None
        self._seq = 0

    # -- updates -----------------------------------------------------------------------
    def add(self, record: Interruption) -> None:
        """Count a completed interruption (momentary ones and, if so set, planned ones
        are ignored)."""
        if record.momentary or (record.planned and not self.params.include_planned):
            return
        micro = customer_microseconds(record)
        feeder = record.feeder or ""
        for key in {"", feeder}:
            year = self._years.setdefault(self._year_of(record.start), {})
            year.setdefault(key, _Totals()).add(micro, record.customers)
        start = utc(record.start)
        if self._cutoff is None or start > self._cutoff:
            self._seq += 1
            heapq.heappush(self._heap, (start, self._seq, micro, record.customers, feeder))
            for key in {"", feeder}:
                self._rolling.setdefault(key, _Totals()).add(micro, record.customers)

    def start(self, key: str, time: datetime, customers: int, *, feeder: str | None = None,
              planned: bool = False) -> None:
        """An interruption of ``customers`` began at ``time``; ``key`` names it until it ends."""
        if key in self._open:
            raise ReliabilityError(f"interruption {key!r} has already started")
        probe = Interruption(time, time, customers, feeder, planned=planned, outage_id=key)
        self._open[key] = _Open(probe.start, customers, feeder, planned, key)

    def end(self, key: str, time: datetime, customers: int | None = None) -> Interruption:
        """Restore ``customers`` (default: all still out) of interruption ``key`` at ``time``;
        returns the completed record, which is counted."""
        current = self._open.get(key)
        if current is None:
            raise ReliabilityError(f"no ongoing interruption {key!r}")
        count = current.customers if customers is None else customers
        if not 0 < count <= current.customers:
            raise ReliabilityError(f"interruption {key!r} has {current.customers} customers "
                                   f"out; cannot restore {count}")
        record = Interruption(current.start, time, count, current.feeder,
                              planned=current.planned, outage_id=key)
        if count == current.customers:
            del self._open[key]
        else:
            self._open[key] = replace(current, customers=current.customers - count)
        self.add(record)
        return record

    # -- queries -----------------------------------------------------------------------
    def snapshot(self, now: datetime) -> dict[str, object]:
        """A JSON-able view of the budget at ``now`` (see :meth:`status`)."""
        return self.status(now).as_dict()

    def status(self, now: datetime) -> TrackerStatus:
        """The budget at ``now``; ongoing interruptions that have lasted more than
        5 minutes count with their elapsed time."""
        if now.utcoffset() is None:
            raise ReliabilityError("snapshot time needs a time zone")
        self._expire(utc(now) - ROLLING_WINDOW)
        ongoing = self._ongoing_totals(now)
        year_start, year_end = self._year_bounds(now)
        done = self._years.get(self._year_of(now), {}).get("", _Totals())
        year = self._budget(year_start, year_end, now, done, ongoing[""][0])
        rolling = self._budget(now - ROLLING_WINDOW, now, now, self._rolling[""],
                               ongoing[""][1])
        remaining = (utc(year_end) - utc(now)) / _MINUTE
        rate = rolling.saidi / (ROLLING_WINDOW / _MINUTE)
        projected = year.saidi + rate * remaining
        projected_asai = 1.0 - projected / ((utc(year_end) - utc(year_start)) / _MINUTE)
        return TrackerStatus(
            as_of=now, customers_served=self.territory.customers_served,
            target_asai=self.params.target_asai, year_to_date=year,
            rolling_12_months=rolling, projected_saidi=projected,
            projected_asai=projected_asai,
            on_track=projected_asai >= self.params.target_asai,
            ongoing_interruptions=len(self._open),
            customers_out=sum(o.customers for o in self._open.values()),
            worst_feeders=self._worst_feeders(now, ongoing, year.budget_minutes),
        )

    def _year_of(self, moment: datetime) -> int:
        return moment.astimezone(self.tz).year

    def _year_bounds(self, now: datetime) -> tuple[datetime, datetime]:
        year = self._year_of(now)
        return (datetime(year, 1, 1, tzinfo=self.tz), datetime(year + 1, 1, 1, tzinfo=self.tz))

    def _expire(self, cutoff: datetime) -> None:
        if self._cutoff is not None and cutoff < self._cutoff:
            raise ReliabilityError(f"snapshot at {cutoff + ROLLING_WINDOW} goes back in time")
        self._cutoff = cutoff
        while self._heap and self._heap[0][0] <= cutoff:
            _, _, micro, customers, feeder = heapq.heappop(self._heap)
            for key in {"", feeder}:
                self._rolling[key].add(micro, customers, -1)

    def _ongoing_totals(self, now: datetime) -> dict[str, tuple[_Totals, _Totals]]:
        """Per feeder ("" = all): (this year's, rolling window's) ongoing totals."""
        year_start, _ = self._year_bounds(now)
        totals: dict[str, tuple[_Totals, _Totals]] = {"": (_Totals(), _Totals())}
        for item in self._open.values():
            elapsed = utc(now) - utc(item.start)
            if elapsed <= MOMENTARY_LIMIT or (item.planned and not self.params.include_planned):
                continue
            micro = (elapsed // timedelta(microseconds=1)) * item.customers
            for key in {"", item.feeder or ""}:
                in_year, in_window = totals.setdefault(key, (_Totals(), _Totals()))
                if utc(item.start) >= utc(year_start):
                    in_year.add(micro, item.customers)
                if self._cutoff is not None and utc(item.start) > self._cutoff:
                    in_window.add(micro, item.customers)
        return totals

    def _budget(self, start: datetime, end: datetime, now: datetime, done: _Totals,
                ongoing: _Totals) -> BudgetStatus:
        n_t = self.territory.customers_served
        saidi = (done.micro + ongoing.micro) / _MICRO_PER_MINUTE / n_t
        window = (utc(end) - utc(start)) / _MINUTE
        elapsed = (utc(now) - utc(start)) / _MINUTE
        budget = budget_minutes(window, self.params.target_asai)
        asai = 1.0 - saidi / elapsed if elapsed > 0 else 1.0
        fraction = elapsed / window
        return BudgetStatus(
            start=start, end=end, elapsed_fraction=fraction, saidi=saidi,
            saifi=(done.customer_interruptions + ongoing.customer_interruptions) / n_t,
            asai=asai, budget_minutes=budget, budget_used_fraction=saidi / budget,
            budget_remaining_minutes=budget - saidi,
            burn_rate_minutes_per_day=saidi / elapsed * 1440 if elapsed > 0 else 0.0,
            budget_rate_minutes_per_day=budget / window * 1440,
            burn_ratio=saidi / budget / fraction if fraction > 0 else 0.0,
            meets_target=asai >= self.params.target_asai,
        )

    def _worst_feeders(self, now: datetime, ongoing: dict[str, tuple[_Totals, _Totals]],
                       budget: float) -> tuple[FeederUse, ...]:
        year = self._years.get(self._year_of(now), {})
        names = (set(year) | set(ongoing)) - {""}
        n_t = self.territory.customers_served
        total = year.get("", _Totals()).micro + ongoing[""][0].micro
        served = self.territory.by_name
        rows = []
        for name in names:
            micro = year.get(name, _Totals()).micro + ongoing.get(name, (_Totals(),))[0].micro
            cmi = micro / _MICRO_PER_MINUTE
            feeder = served.get(name)
            rows.append(FeederUse(
                feeder=name, customer_minutes=cmi, saidi_contribution=cmi / n_t,
                budget_share=cmi / n_t / budget, share_of_year=micro / total if total else 0.0,
                feeder_saidi=cmi / feeder.customers if feeder else None))
        rows.sort(key=lambda row: (-row.customer_minutes, row.feeder))
        return tuple(rows[: self.params.worst_feeders])


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """SAIDI budget of one window: the calendar year to date, or the last 365 days.

    ``asai`` is over the elapsed part of the window; ``budget_minutes`` is the whole
    window's; ``burn_ratio`` is the budget fraction used over the time fraction elapsed
    (above 1 means spending faster than the target allows).
    """

    start: datetime
    end: datetime
    elapsed_fraction: float
    saidi: float
    saifi: float
    asai: float
    budget_minutes: float
    budget_used_fraction: float
    budget_remaining_minutes: float
    burn_rate_minutes_per_day: float
    budget_rate_minutes_per_day: float
    burn_ratio: float
    meets_target: bool


@dataclass(frozen=True, slots=True)
class FeederUse:
    """How much of the year's budget one feeder has consumed."""

    feeder: str
    customer_minutes: float
    saidi_contribution: float
    budget_share: float
    share_of_year: float
    feeder_saidi: float | None


@dataclass(frozen=True, slots=True)
class TrackerStatus:
    """Everything a reliability dashboard shows; :meth:`as_dict` is JSON-able.

    The projection adds, for the rest of the year, the SAIDI rate of the last 365 days.
    """

    as_of: datetime
    customers_served: int
    target_asai: float
    year_to_date: BudgetStatus
    rolling_12_months: BudgetStatus
    projected_saidi: float
    projected_asai: float
    on_track: bool
    ongoing_interruptions: int
    customers_out: int
    worst_feeders: tuple[FeederUse, ...]

    def as_dict(self) -> dict[str, object]:
        """Nested dicts of plain numbers, strings and booleans (times in ISO 8601)."""
        plain = _plain(asdict(self))
        assert isinstance(plain, dict)
        return plain


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
