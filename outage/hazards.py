"""Hazards (wire down, fire) of customers' open reports, found by where they hang.

A hazard comes with a call, often the first one, before any outage is predicted;
it belongs to whatever outage is later predicted over the caller, and stands on its
own until then. Candidates are numbered in preorder, so the customers below a
candidate `c` hang from candidates in ``[c, tout[c])``: a sorted list of those with
a hazard answers "which hazards are below c" in O(log n + found), however many
hazards a storm brings.
"""

from __future__ import annotations

import bisect


class HazardIndex:
    def __init__(self) -> None:
        self._of: dict[int, set[str]] = {}  # customer → hazards
        self._at: dict[int, set[int]] = {}  # candidate → customers with a hazard there
        self._candidate: dict[int, int] = {}  # customer → its candidate
        self._keys: list[int] = []  # candidates with a hazard, sorted

    def add(self, customer: int, candidate: int, hazard: str) -> None:
        self._of.setdefault(customer, set()).add(hazard)
        if customer in self._candidate:
            return
        self._candidate[customer] = candidate
        if candidate not in self._at:
            self._at[candidate] = set()
            bisect.insort(self._keys, candidate)
        self._at[candidate].add(customer)

    def clear(self, customer: int) -> None:
        """The customer's reports are over (power back, or their outage restored)."""
        if self._of.pop(customer, None) is None:
            return
        candidate = self._candidate.pop(customer)
        here = self._at[candidate]
        here.discard(customer)
        if not here:
            del self._at[candidate]
            del self._keys[bisect.bisect_left(self._keys, candidate)]

    def of(self, customer: int) -> tuple[str, ...]:
        return tuple(sorted(self._of.get(customer, ())))

    def below(self, first: int, end: int) -> set[str]:
        """Hazards of customers hanging from candidates ``first <= c < end``."""
        keys = self._keys
        found: set[str] = set()
        for k in keys[bisect.bisect_left(keys, first):bisect.bisect_left(keys, end)]:
            for customer in self._at[k]:
                found |= self._of[customer]
        return found
