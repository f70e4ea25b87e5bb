"""What a device reported closed says of the devices around it, for a while.

A device a crew or SCADA reports closed is closed: open again with nobody saying so
only by a small chance — for some hours after a crew's close, and for good once SCADA
has reported on the device (SCADA reports its devices opening too). The devices above
it are likelier closed as well: crews restore from the source outward. Both speak
through the predictor's priors (a floor under the device's penalty, a raise of the
penalties above it) and lapse when their time is up; a device closed again speaks
through its latest close. `ClosePriors` keeps what each close still says and when it
lapses; the engine maps each change of the predictor onto its records as it comes
(`Remap`), since the next step reads the records as they then are.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from datetime import datetime

from outage.predict import Change, Predictor
from outage.records import Outage

# Chance that a device just closed (by a crew or SCADA) is open again with nobody
# saying so.
REOPENED_UNREPORTED = 1e-3
REOPENED_PENALTY = math.log((1 - REOPENED_UNREPORTED) / REOPENED_UNREPORTED)
# How much likelier a crew closes a device below one that is closed than below one that
# is open (crews restore from the source outward): the devices above a crew's close are
# this much less likely out.
CLOSED_BELOW = 20.0

# The engine's mapping of a predictor change onto its records, at a time.
Remap = Callable[[Change, datetime], list[Outage]]


class ClosePriors:
    """The floors and raises that closes still hold over the predictor's priors.

    Times are the engine's seconds; a close speaks until the time it is given.
    """

    def __init__(self, predictor: Predictor) -> None:
        self._predictor = predictor
        self._floors: list[tuple[float, int]] = []  # (until, candidate)
        self._floored_until: dict[int, float] = {}  # the latest close's floor per candidate
        self._raises: list[tuple[float, int]] = []  # (until, candidate closed)
        # per candidate closed: until when, and the devices above it made unlikelier
        self._raised_above: dict[int, tuple[float, list[int]]] = {}
        self._closes_below: dict[int, int] = {}  # per device above: closes still saying so
        self._latest_close_below: dict[int, tuple[int, datetime]] = {}  # for explanations
        self._scada_watched: set[int] = set()  # candidates SCADA has reported on

    def closed_by_report(self, candidate: int) -> bool:
        """Whether a crew's close still holds `candidate` closed, or SCADA watches it."""
        return candidate in self._floored_until or candidate in self._scada_watched

    def latest_close_below(self, candidate: int) -> tuple[int, datetime] | None:
        """The latest close below `candidate` still saying it is likely closed: the
        candidate closed and when, or None."""
        return self._latest_close_below.get(candidate)

    def floor(self, candidate: int, until: float, *, scada: bool) -> Change:
        """`candidate` reported closed: not open again unreported, until `until` (a
        crew's close) or for good (`scada`)."""
        if scada:
            self._scada_watched.add(candidate)
        else:
            self._floored_until[candidate] = until
            heapq.heappush(self._floors, (until, candidate))
        return self._predictor.floor_prior(candidate, REOPENED_PENALTY)

    def speak_for_above(self, candidate: int, until: float, when: datetime, above: list[int],
                        remap: Remap) -> list[Outage]:
        """The devices `above` the one just closed are likely closed too, until `until`;
        an earlier close of the same device no longer speaks for them."""
        for a in above:
            self._closes_below[a] = self._closes_below.get(a, 0) + 1
            self._latest_close_below[a] = (candidate, when)
        earlier = self._raised_above.get(candidate)
        self._raised_above[candidate] = (until, above)
        heapq.heappush(self._raises, (until, candidate))
        touched = remap(self._predictor.raise_prior(above, math.log(CLOSED_BELOW)), when)
        if earlier is not None:  # the same device closed again: this close speaks now
            touched += self._unraise(earlier[1], when, remap)
        return touched

    def withdraw(self, candidate: int, when: datetime, remap: Remap) -> list[Outage]:
        """The close of `candidate` restored nobody: it says nothing of those above."""
        entry = self._raised_above.pop(candidate, None)
        return [] if entry is None else self._unraise(entry[1], when, remap)

    def lapse(self, limit: float, when: datetime, remap: Remap) -> list[Outage]:
        """What closes said until `limit` (seconds) or earlier no longer holds, `when`."""
        touched: list[Outage] = []
        while self._raises and self._raises[0][0] <= limit:
            until, c = heapq.heappop(self._raises)
            entry = self._raised_above.get(c)
            if entry is None or entry[0] != until:
                continue  # closed again since: the later close speaks
            del self._raised_above[c]
            touched += self._unraise(entry[1], when, remap)
        while self._floors and self._floors[0][0] <= limit:
            until, c = heapq.heappop(self._floors)
            if self._floored_until.get(c) != until:
                continue  # closed again since: the later close's floor stands
            del self._floored_until[c]
            if c not in self._scada_watched:
                touched += remap(self._predictor.floor_prior(c, None), when)
        return touched

    def _unraise(self, above: list[int], when: datetime, remap: Remap) -> list[Outage]:
        """A close no longer speaks for the devices above it (those no other close below
        still speaks for are as likely out as before)."""
        lift = []
        for a in above:
            self._closes_below[a] -= 1
            if self._closes_below[a] == 0:
                del self._closes_below[a]
                del self._latest_close_below[a]
                lift.append(a)
        return remap(self._predictor.raise_prior(lift, None), when)
