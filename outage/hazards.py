"""Hazards (wire down, fire) reported with customers' calls, found by where they hang.

A hazard comes with a call, often the first one, before any outage is predicted;
it belongs to whatever outage is later predicted over the caller, and stands on its
own until then. A restoration does not end it (a wire down is down until someone
makes it safe): a nested outage found over the caller soon after takes it too.

Candidates are numbered in preorder, so the customers below a candidate `c` hang
from candidates in ``[c, tout[c])``: a sorted list of those with a hazard answers
"which hazards are below c" in O(log n + found), however many hazards a storm brings.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable


class HazardIndex:
    def __init__(self) -> None:
        self._of: dict[int, set[str]] = {}  # customer → hazards
        self._at: dict[int, set[int]] = {}  # candidate → customers with a hazard there
        self._candidate: dict[int, int] = {}  # customer → its candidate
        self._keys: list[int] = []  # candidates with a hazard, sorted
        self._time: dict[int, float] = {}  # customer → latest hazard report (s)

    def add(self, customer: int, candidate: int, hazard: str, when: float) -> None:
        self._of.setdefault(customer, set()).add(hazard)
        self._time[customer] = max(when, self._time.get(customer, -math.inf))
        if customer in self._candidate:
            return
        self._candidate[customer] = candidate
        if candidate not in self._at:
            self._at[candidate] = set()
            bisect.insort(self._keys, candidate)
        self._at[candidate].add(customer)

    def clear(self, customer: int) -> None:
        """The customer's hazards are over: power back, checked by the desk, or kept
        past the nested window after their outage was restored."""
        if self._of.pop(customer, None) is None:
            return
        del self._time[customer]
        candidate = self._candidate.pop(customer)
        here = self._at[candidate]
        here.discard(customer)
        if not here:
            del self._at[candidate]
            del self._keys[bisect.bisect_left(self._keys, candidate)]

    def __contains__(self, customer: object) -> bool:
        return customer in self._of

    def of(self, customer: int) -> tuple[str, ...]:
        return tuple(sorted(self._of.get(customer, ())))

    def older_than(self, when: float) -> list[int]:
        """Customers whose latest hazard report is before `when`."""
        return [c for c, t in self._time.items() if t < when]

    def below(self, first: int, end: int, since: float = -math.inf,
              report_start: Callable[[int], float] = lambda customer: -math.inf) -> set[str]:
        """Hazards of customers hanging from candidates ``first <= c < end``: reported
        since `since`, or part of the customer's open report (which began at
        `report_start(customer)`, infinite when none is open)."""
        keys = self._keys
        found: set[str] = set()
        for k in keys[bisect.bisect_left(keys, first):bisect.bisect_left(keys, end)]:
            for customer in self._at[k]:
                t = self._time[customer]
                if t >= since or report_start(customer) <= t:
                    found |= self._of[customer]
        return found
