"""The response to customers' reports: a crew on site within two hours of the first
report (the service-request target of the customer-service handbook).

An outage is responded to when a crew first reports itself on site, or reports it
restored without having said so (`Outage.arrived`), or when its power comes back by
other means (SCADA, a close elsewhere): then nobody need come. Cancelled outages (a
false call, a merge) are no request of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from outage.records import Outage, Stage

RESPONSE_TARGET = timedelta(hours=2)


def responded_at(outage: Outage) -> datetime | None:
    """When the utility answered the outage's reports on site (or the power came back).
    A crew's arrival is recorded only while the outage is live: never after its
    restoration."""
    return outage.arrived or outage.restored


@dataclass(frozen=True, slots=True)
class ResponseSummary:
    """Outages first reported since a time, against the response target."""

    target: timedelta
    answered: int  # responded to
    within_target: int  # of those, within the target of their first report
    waiting: tuple[str, ...]  # live, nobody on site yet (ids, oldest report first)
    overdue: tuple[str, ...]  # of those, first reported more than the target ago

    @property
    def share_within(self) -> float | None:
        return self.within_target / self.answered if self.answered else None

    def to_json(self) -> dict[str, Any]:
        return {"target_minutes": self.target.total_seconds() / 60,
                "answered": self.answered, "within_target": self.within_target,
                "share_within": self.share_within, "waiting": len(self.waiting),
                "overdue": list(self.overdue)}


def summarise(outages: Iterable[Outage], now: datetime, since: datetime,
              target: timedelta = RESPONSE_TARGET) -> ResponseSummary:
    """The outages first reported from `since` on, answered and within `target`; and
    every live one still waiting, whenever it was reported."""
    answered = within = 0
    waiting: list[Outage] = []
    for outage in outages:
        if outage.stage is Stage.CANCELLED:
            continue
        done = responded_at(outage)
        if done is None:
            waiting.append(outage)
        elif outage.first_report >= since:
            answered += 1
            within += done - outage.first_report <= target
    waiting.sort(key=lambda o: o.first_report)
    return ResponseSummary(target, answered, within, tuple(o.id for o in waiting),
                           tuple(o.id for o in waiting if now - o.first_report > target))
