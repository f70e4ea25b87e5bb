"""Checks that a set of interruption records is consistent with a territory and a period.

Nothing is clipped or dropped: the first problem raises an error naming the record
(CSV line when read from a file) and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import pairwise

from outage.reliability.errors import (
    OutsidePeriodError,
    OverlapError,
    RecordError,
    UnknownFeederError,
)
from outage.reliability.records import Interruption, Period, utc
from outage.reliability.territory import Territory

Locate = Callable[[int], str]


def default_locate(records: Sequence[Interruption]) -> Locate:
    """Name records as ``record N (id X)``, counting from 1."""
    return lambda i: f"record {i + 1} (id {records[i].outage_id})"


def validate_interruptions(records: Sequence[Interruption], territory: Territory,
                           period: Period | None = None, *,
                           locate: Locate | None = None) -> None:
    """Raise a :class:`RecordError` subclass for the first inconsistent record.

    Checks: inside ``period``; feeder known (when customers served are per feeder);
    customers not above customers served; no customer in two overlapping records
    (exactly, by ``customer_ids``, and, for every record, by the count of customers out
    at once on a feeder never exceeding those it serves).
    """
    where = locate or default_locate(records)
    for index, record in enumerate(records):
        try:
            _check_record(record, territory, period)
        except RecordError as error:
            raise error.at(where(index)) from None
    _check_customer_overlaps(records, where)
    _check_concurrency(records, territory, where)
    _check_distinct_customers(records, territory)


def _check_record(record: Interruption, territory: Territory, period: Period | None) -> None:
    if period is not None and not period.contains(record):
        field = "start" if utc(record.start) < utc(period.start) else "end"
        raise OutsidePeriodError(f"{getattr(record, field).isoformat()} is outside the period "
                                 f"{period}", field=field)
    served = territory.customers_served
    if territory.feeders:
        feeder = territory.by_name.get(record.feeder or "")
        if feeder is None:
            known = ", ".join(sorted(territory.by_name))
            raise UnknownFeederError(f"unknown feeder {record.feeder!r} (known: {known})",
                                     field="feeder")
        served = feeder.customers
    if record.customers > served:
        scope = f"feeder {record.feeder!r}" if territory.feeders else "the system"
        raise RecordError(f"{record.customers} customers, more than the {served} that "
                          f"{scope} serves", field="customers")


def _check_customer_overlaps(records: Sequence[Interruption], where: Locate) -> None:
    spans: dict[str, list[tuple[datetime, datetime, int]]] = {}
    for index, record in enumerate(records):
        for cid in record.customer_ids or ():
            spans.setdefault(cid, []).append((utc(record.start), utc(record.end), index))
    for cid, intervals in spans.items():
        intervals.sort()
        for (_, end, first), (start, _, second) in pairwise(intervals):
            if start < end:
                raise OverlapError(f"customer {cid!r} is already interrupted by "
                                   f"{where(first)} until {end.isoformat()}",
                                   field="customer_ids", where=where(second))


def _check_concurrency(records: Sequence[Interruption], territory: Territory,
                       where: Locate) -> None:
    feeders = territory.by_name
    events: dict[str, list[tuple[datetime, int, int]]] = {}
    for index, record in enumerate(records):
        key = record.feeder or "" if feeders else ""
        bucket = events.setdefault(key, [])
        bucket.append((utc(record.start), 1, index))
        bucket.append((utc(record.end), 0, index))  # ends sort first: touching is fine
    for key, bucket in events.items():
        served = feeders[key].customers if feeders else territory.customers_served
        out = 0
        for moment, is_start, index in sorted(bucket):
            out += records[index].customers if is_start else -records[index].customers
            if out > served:
                scope = f"on feeder {key!r}" if feeders else "in the system"
                raise OverlapError(f"overlapping records put {out} customers out {scope} at "
                                   f"{moment.isoformat()}, more than the {served} served",
                                   field="start", where=where(index))


def _check_distinct_customers(records: Sequence[Interruption], territory: Territory) -> None:
    ids = {cid for record in records for cid in record.customer_ids or ()}
    if len(ids) > territory.customers_served:
        raise RecordError(f"{len(ids)} distinct customers interrupted, more than the "
                          f"{territory.customers_served} served", field="customer_ids")
