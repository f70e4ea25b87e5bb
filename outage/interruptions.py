"""From outages to interruption records: each customer's exact minutes without power.

An outage record says when its device operated and closed; a customer's
interruption is the union of the outages it was in. A nested outage (backdated to
the larger one's start) and a partial restoration therefore give each customer
its own end. Customers interrupted over the same interval by the same outage are
one `Interruption` record, which is what the reliability indices are made of.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from gis import Network
from outage.records import Outage, Stage
from outage.reliability.records import Interruption, compress_customer_ids

Span = tuple[datetime, datetime, str, str]  # start, end, outage id, feeder


def interruptions(
    network: Network, outages: Iterable[Outage], customer_ids: dict[str, tuple[str, ...]],
    now: datetime | None = None,
) -> list[Interruption]:
    """Records for restored outages (and live ones up to `now`, when given)."""
    spans: defaultdict[str, list[Span]] = defaultdict(list)
    for outage in outages:
        end = outage.restored if outage.stage is Stage.RESTORED else now
        if outage.stage is Stage.CANCELLED:
            continue
        # Customers restored in a step before the whole (a back-fed section).
        early = {c: when for when, ids in outage.steps for c in ids}
        for customer in {*customer_ids[outage.id], *early}:
            until = early.get(customer, end)
            if until is not None:
                spans[customer].append((outage.started, max(until, outage.started),
                                        outage.id, outage.feeder))
    groups: defaultdict[Span, list[str]] = defaultdict(list)
    for customer, mine in spans.items():
        for span in _union(mine):
            groups[span].append(customer)
    counts = network.customers.count
    index = network.customers.index
    records = [
        Interruption(start, end, int(sum(int(counts[index[c]]) for c in ids)),
                     feeder=feeder or None,
                     momentary=(end - start).total_seconds() <= 300,
                     outage_id=outage_id, customer_ids=tuple(sorted(ids)))
        for (start, end, outage_id, feeder), ids in groups.items()
    ]
    return sorted(records, key=lambda r: (r.start, r.outage_id, r.end))


def _union(spans: list[Span]) -> list[Span]:
    """Merge overlapping spans; a merged span is named by the outage that ended it."""
    merged: list[Span] = []
    for start, end, outage_id, feeder in sorted(spans):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            if end > last[1]:
                merged[-1] = (last[0], end, outage_id, feeder)
        else:
            merged.append((start, end, outage_id, feeder))
    return merged


def write_outages_csv(records: Iterable[Interruption], path: Path) -> None:
    """The OUTAGES.csv that `oms reliability report` reads."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "start", "end", "customers", "feeder", "momentary",
                         "customer_ids"])
        for n, r in enumerate(records, start=1):
            writer.writerow([f"{r.outage_id}-{n}", r.start.isoformat(), r.end.isoformat(),
                             r.customers, r.feeder or "", "true" if r.momentary else "false",
                             compress_customer_ids(r.customer_ids or ())])
