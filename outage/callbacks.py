"""Calling back the customers who reported, once the power should be back.

Where meters cannot be pinged (no AMI, or a head-end that does not answer), an OMS
asks people: after a restoration, an outbound IVR calls back the customers in the
restored area who had reported, "is your power on now?". A "no" is a report made
after the restoration — a nested outage the crew has not found yet; a "yes" is
evidence against one. The engine calls a `CustomerCallback` with the customers to
ask; their answers come back as ``callback`` events. Without one (``oms replay``),
nobody is called back and the engine waits for customers to call again.

An outage that rests on one customer's call is verified the same way: if nothing else
has said so within `VERIFY_LONE_AFTER`, the caller is asked whether the power is still
off. A "yes, it is on" from the only one who reported it is a false call (or a problem
on the customer's side): the outage is cancelled, not restored, and no interruption is
recorded — as a trouble desk closes a single-customer ticket found OK.
"""

from __future__ import annotations

import heapq
from datetime import timedelta
from typing import Protocol

MAX_CALLBACKS = 200  # per restoration: enough to find a nested outage, not a call storm
# How long an outage resting on one caller waits for other evidence before the caller
# is asked: long enough for neighbours' calls (a call spread or so), short enough that
# a crew is not sent to a false call.
VERIFY_LONE_AFTER = timedelta(minutes=30)


class CustomerCallback(Protocol):
    """Plug point to an outbound IVR."""

    def call_back(self, customer_ids: list[str]) -> None:
        """Ask these customers whether their power is on; answers arrive as events."""


class LoneReportChecks:
    """Outages due to be checked for resting on one caller, in time order; each outage
    is checked once."""

    def __init__(self) -> None:
        self._due: list[tuple[float, str]] = []  # (seconds when due, outage id)
        self._watched: set[str] = set()

    def watch(self, outage_id: str, due: float) -> None:
        """Check `outage_id` at `due` (seconds), unless it is watched already."""
        if outage_id not in self._watched:
            self._watched.add(outage_id)
            heapq.heappush(self._due, (due, outage_id))

    def due(self, limit: float) -> list[str]:
        """The outages due by `limit` (seconds), taken off the list."""
        ids = []
        while self._due and self._due[0][0] <= limit:
            ids.append(heapq.heappop(self._due)[1])
        return ids
