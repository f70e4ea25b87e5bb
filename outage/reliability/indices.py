"""IEEE 1366-2012 reliability indices over any set of interruption records.

The functions take records as given: choose which to include (unplanned only, Major
Event Days excluded, one feeder...) with :func:`select` or :func:`compute_indices_by`.
Customer-minutes are summed exactly (integer customer-microseconds) before dividing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta, tzinfo

from outage.reliability.errors import ReliabilityError
from outage.reliability.records import Interruption, Period
from outage.reliability.territory import Territory

_MICROSECONDS_PER_MINUTE = 60_000_000


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Thresholds of the per-customer indices: CEMI_n, CELID-s and CELID-t (minutes)."""

    cemi_n: int = 3
    celid_s_minutes: float = 480.0
    celid_t_minutes: float = 480.0

    def __post_init__(self) -> None:
        if self.cemi_n < 0 or self.celid_s_minutes < 0 or self.celid_t_minutes < 0:
            raise ReliabilityError("CEMI n and CELID thresholds must not be negative")


@dataclass(frozen=True, slots=True)
class Indices:
    """IEEE 1366 indices for one set of records, one N_T and one period.

    Durations are in minutes. ``None`` marks an index that is undefined (CAIDI and CAIFI
    with no interruption) or needs ``customer_ids`` on every sustained record (CAIFI,
    CEMI_n, CELID-s, CELID-t) when some record lacks them.
    """

    customers_served: int
    period_minutes: float
    sustained_interruptions: int
    customer_interruptions: int
    customer_minutes: float
    customers_interrupted: int | None
    momentary_customer_events: int
    saifi: float
    saidi: float
    caidi: float | None
    caifi: float | None
    asai: float
    maifi_e: float
    cemi_n: float | None
    celid_s: float | None
    celid_t: float | None
    params: IndexParams = field(default_factory=IndexParams)

    def as_dict(self) -> dict[str, object]:
        """A JSON-able dict of the indices and their inputs."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _PerCustomer:
    interrupted: int
    cemi: int
    celid_s: int
    celid_t: int


def customer_microseconds(record: Interruption) -> int:
    """r_i × N_i in customer-microseconds, exactly."""
    return (record.duration // timedelta(microseconds=1)) * record.customers


def compute_indices(records: Iterable[Interruption], customers_served: int,
                    period: Period | float, params: IndexParams | None = None) -> Indices:
    """IEEE 1366 indices of ``records`` for ``customers_served`` (N_T) over ``period``.

    ``period`` is a :class:`Period` or its length in minutes (ASAI needs it).
    """
    params = params or IndexParams()
    if customers_served < 1:
        raise ReliabilityError(f"customers served {customers_served} < 1")
    minutes = period.minutes if isinstance(period, Period) else float(period)
    records = list(records)
    sustained = [r for r in records if r.sustained]
    momentary = sum(r.customers for r in records if r.momentary)
    n_i = sum(r.customers for r in sustained)
    cmi = sum(customer_microseconds(r) for r in sustained) / _MICROSECONDS_PER_MINUTE
    per = _per_customer(sustained, params)
    n_t = customers_served
    saidi = cmi / n_t
    return Indices(
        customers_served=n_t, period_minutes=minutes,
        sustained_interruptions=len(sustained), customer_interruptions=n_i,
        customer_minutes=cmi, customers_interrupted=per.interrupted if per else None,
        momentary_customer_events=momentary,
        saifi=n_i / n_t, saidi=saidi, caidi=cmi / n_i if n_i else None,
        caifi=n_i / per.interrupted if per and per.interrupted else None,
        asai=1.0 - saidi / minutes if minutes > 0 else float("nan"),
        maifi_e=momentary / n_t,
        cemi_n=per.cemi / n_t if per else None,
        celid_s=per.celid_s / n_t if per else None,
        celid_t=per.celid_t / n_t if per else None,
        params=params,
    )


def _per_customer(sustained: list[Interruption], params: IndexParams) -> _PerCustomer | None:
    if any(r.customer_ids is None for r in sustained):
        return None
    counts: dict[str, int] = {}
    totals: dict[str, timedelta] = {}
    longest: dict[str, timedelta] = {}
    for record in sustained:
        duration = record.duration
        for cid in record.customer_ids or ():
            counts[cid] = counts.get(cid, 0) + 1
            totals[cid] = totals.get(cid, timedelta()) + duration
            longest[cid] = max(longest.get(cid, timedelta()), duration)
    s = timedelta(minutes=params.celid_s_minutes)
    t = timedelta(minutes=params.celid_t_minutes)
    return _PerCustomer(
        interrupted=len(counts),
        cemi=sum(1 for k in counts.values() if k > params.cemi_n),
        celid_s=sum(1 for d in longest.values() if d >= s),
        celid_t=sum(1 for d in totals.values() if d >= t),
    )


def select(records: Iterable[Interruption], *, planned: bool | None = False,
           exclude_days: Iterable[date] = (), only_days: Iterable[date] | None = None,
           tz: tzinfo | None = None) -> list[Interruption]:
    """Records with ``planned`` as given (None: both), by the local day they start on.

    ``exclude_days`` drops records starting on those days (Major Event Days);
    ``only_days`` keeps only those; ``tz`` is the zone of the day boundaries.
    """
    excluded = frozenset(exclude_days)
    only = None if only_days is None else frozenset(only_days)
    kept = []
    for record in records:
        if planned is not None and record.planned != planned:
            continue
        day = local_day(record, tz)
        if day in excluded or (only is not None and day not in only):
            continue
        kept.append(record)
    return kept


def local_day(record: Interruption, tz: tzinfo | None) -> date:
    """The day an interruption is accrued to: the local day on which it begins."""
    return (record.start.astimezone(tz) if tz else record.start).date()


def compute_indices_by(records: Iterable[Interruption], territory: Territory, grouping: str,
                       period: Period | float, params: IndexParams | None = None,
                       ) -> dict[str, Indices]:
    """Indices per group (``system``, ``feeder``, ``substation``, ``region``), each with
    the customers served in that group as N_T; groups without records are included."""
    served: Mapping[str, int] = territory.served(grouping)
    key: Callable[[Interruption], str] = territory.group_key(grouping)
    buckets: dict[str, list[Interruption]] = {name: [] for name in served}
    for record in records:
        buckets[key(record)].append(record)
    return {name: compute_indices(buckets[name], served[name], period, params)
            for name in sorted(served)}
