"""Who watches which customer's status, and whose status an update may have changed.

A status page open on a customer's account (a Socket.IO connection in the customer's
room) or a subscription makes a customer watched; closing the page ends the watch, so
the set is the pages open now, not every lookup since the server started. After each
event only the watched customers supplied through an outage whose device, stage, ETR or
count out moved (where it is now, or where it was) or through a device switched, those
the event names, and those whose own report stood again or lapsed are looked at again:
during a storm the whole city may have the page open, and looking at every watcher's
status on every event would hold the engine's lock for seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import numpy as np

# (customer indices, candidates) -> which of those customers are supplied through them
SuppliedThrough = Callable[[np.ndarray, set[int]], np.ndarray]


class Relayed(Protocol):
    """What `StatusWatchers.due` reads of a changed outage (an `Outage`)."""

    @property
    def id(self) -> str: ...
    @property
    def candidate(self) -> int: ...
    @property
    def active(self) -> bool: ...
    @property
    def stage(self) -> Any: ...
    @property
    def etr(self) -> Any: ...
    @property
    def customers_out(self) -> int: ...


def status_key(status: dict[str, Any]) -> str:
    """What of a customer's status is worth a message: power, the outage's stage, its
    ETR (not the clock the status was read at)."""
    outage = status.get("outage") or {}
    return f"{status['power']}|{outage.get('stage', '')}|{outage.get('etr', '')}"


def was_out(key: str) -> bool:
    """Whether a status key (`status_key`) said the power was off or a report of the
    customer's was being checked."""
    return key.startswith(("off|", "unknown|"))


class StatusWatchers:
    """The watched customers and the status each was last sent."""

    def __init__(self, index: Mapping[str, int], subscribed: Iterable[str] = ()) -> None:
        self._index = index
        self._subscribed = set(subscribed)
        self._sockets: dict[str, str] = {}  # Socket.IO session id -> customer
        self._pages: Counter[str] = Counter()  # customer -> status pages open
        self._sent: dict[str, str] = {c: "" for c in self._subscribed}
        self._touched: set[str] = set()
        # Watched customers with a report of their own as of the last event, as a set
        # and as a mask over `_arrays` (rebuilt with them).
        self._reporting: set[str] = set()
        self._was_reporting = np.zeros(0, dtype=bool)
        self._switched: set[int] = set()  # devices switched since the last batch
        # Live outage id -> what its customers were last told of it: its device, stage
        # and ETR, and how many are out (a section back-fed from elsewhere is not); its
        # calls and confidence say nothing on a status page.
        self._told: dict[str, tuple[int, Any, Any, int]] = {}
        self._arrays: tuple[list[str], np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._sent)

    def __contains__(self, customer_id: object) -> bool:
        return customer_id in self._sent

    def subscribe(self, customer_id: str) -> None:
        """Watched for good (updates to a subscription outlive any page)."""
        self._subscribed.add(customer_id)
        self._watch(customer_id)

    def open(self, sid: str, customer_id: str) -> None:
        """A status page (connection `sid`) watches `customer_id`; one customer per page."""
        if self._sockets.get(sid) == customer_id:
            return
        self.close(sid)
        self._sockets[sid] = customer_id
        self._pages[customer_id] += 1
        self._watch(customer_id)

    def close(self, sid: str) -> None:
        """The page is gone: its customer stays watched only for another page or a
        subscription."""
        customer_id = self._sockets.pop(sid, None)
        if customer_id is None:
            return
        self._pages[customer_id] -= 1
        if self._pages[customer_id] <= 0:
            del self._pages[customer_id]
            if customer_id not in self._subscribed:
                self._sent.pop(customer_id, None)
                self._touched.discard(customer_id)
                self._reporting.discard(customer_id)
                self._arrays = None

    def touch(self, customer_id: str) -> None:
        """An event named the customer (their own report, the desk clearing it): their
        status may have changed without any outage changing."""
        if customer_id in self._sent:
            self._touched.add(customer_id)

    def touch_reporting(self, reporting: Callable[[np.ndarray], np.ndarray]) -> None:
        """Any event moves the engine's clock, and what falls due with it (a restored
        area's silent meters weighed) can make a report stand again or lapse with no
        outage changing. `reporting` says which customers (indices) have a report of
        their own now; those of the watched whose answer changed are looked at again."""
        if not self._sent:
            return
        ids, indices = self._watched_arrays()
        now = reporting(indices)
        for k in np.flatnonzero(now != self._was_reporting):
            self._touched.add(ids[k])
            (self._reporting.add if now[k] else self._reporting.discard)(ids[k])
        self._was_reporting = now

    def touch_device(self, candidate: int) -> None:
        """A device below which reports may stand or be cleared was switched."""
        self._switched.add(candidate)

    def due(self, changed: Iterable[Relayed], supplied_through: SuppliedThrough) -> list[str]:
        """The watched customers whose status `changed` outages may have changed: those
        supplied through the device of each outage whose device, stage, ETR or count of
        customers out moved (where it is now, and where it was), or through a device
        switched since; and those an event named (their own reports, or the desk's)."""
        devices, self._switched = self._switched, set()
        for o in changed:
            before = self._told.pop(o.id, None)
            now = (o.candidate, o.stage, o.etr, o.customers_out) if o.active else None
            if now is not None:
                self._told[o.id] = now
            if now != before:
                devices.update(told[0] for told in (before, now) if told is not None)
        due, self._touched = self._touched, set()
        if devices and self._sent:
            ids, indices = self._watched_arrays()
            due.update(ids[k] for k in np.flatnonzero(supplied_through(indices, devices)))
        return sorted(due)

    def subscribed(self, customer_id: str) -> bool:
        return customer_id in self._subscribed

    def last(self, customer_id: str) -> str:
        """The status key last sent to a watched customer ("" before any)."""
        return self._sent.get(customer_id, "")

    def sent(self, customer_id: str, key: str) -> bool:
        """Record the status `key` sent to a watched customer; False when it is the one
        sent last (nothing to send)."""
        if customer_id not in self._sent or self._sent[customer_id] == key:
            return False
        self._sent[customer_id] = key
        return True

    def _watch(self, customer_id: str) -> None:
        if customer_id not in self._sent:
            self._sent[customer_id] = ""
            self._arrays = None

    def _watched_arrays(self) -> tuple[list[str], np.ndarray]:
        # Rebuilt when the watched set changes, not on every batch of changes.
        if self._arrays is None:
            ids = [c for c in self._sent if c in self._index]
            self._arrays = ids, np.fromiter((self._index[c] for c in ids), dtype=np.int64,
                                            count=len(ids))
            self._was_reporting = np.fromiter((c in self._reporting for c in ids), dtype=bool,
                                              count=len(ids))
        return self._arrays
