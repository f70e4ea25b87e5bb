"""The complaints register against the handbook's targets: taken up within an hour,
resolved within five working days.

A share counts the complaints whose clock has run out or stopped: one filed ten
minutes ago and not yet taken up is neither in time nor late.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outage.complaints.book import Complaint


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    received: int  # filed since
    acknowledged_in_time: int
    acknowledge_decided: int  # taken up, or past the hour without
    resolved_in_time: int
    resolve_decided: int  # resolved, or past the deadline without
    open: int  # not resolved, whenever filed
    awaiting_acknowledgement: tuple[str, ...]  # open, past the hour, nobody on it
    overdue: tuple[str, ...]  # open past the resolution deadline
    by_category: dict[str, int]  # filed since
    open_by_department: dict[str, int]

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    def to_json(self) -> dict[str, Any]:
        return {"received": self.received, "open": self.open,
                "acknowledged_in_time": self._share(self.acknowledged_in_time,
                                                    self.acknowledge_decided),
                "resolved_in_time": self._share(self.resolved_in_time, self.resolve_decided),
                "awaiting_acknowledgement": list(self.awaiting_acknowledgement),
                "overdue": list(self.overdue), "by_category": self.by_category,
                "open_by_department": self.open_by_department}


def summarise(complaints: Iterable[Complaint], now: datetime,
              since: datetime) -> ComplaintSummary:
    """Complaints filed from `since` on against their deadlines as of `now`; and every
    open one, whenever filed."""
    received = ack_ok = ack_n = res_ok = res_n = 0
    categories: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    awaiting: list[str] = []
    overdue: list[str] = []
    for c in complaints:
        if c.resolved is None:
            departments[c.department] += 1
            if c.acknowledged is None and now > c.acknowledge_by:
                awaiting.append(c.reference)
            if now > c.resolve_by:
                overdue.append(c.reference)
        if c.received < since:
            continue
        received += 1
        categories[c.category] += 1
        if c.acknowledged is not None or now > c.acknowledge_by:
            ack_n += 1
            ack_ok += c.acknowledged is not None and c.acknowledged <= c.acknowledge_by
        if c.resolved is not None or now > c.resolve_by:
            res_n += 1
            res_ok += c.resolved is not None and c.resolved <= c.resolve_by
    return ComplaintSummary(received, ack_ok, ack_n, res_ok, res_n,
                            sum(departments.values()), tuple(awaiting), tuple(overdue),
                            dict(categories), dict(departments))
