"""Model estimates of restoration time, before a crew's plan or a dispatcher says better.

Before a storm has restored anything: a typical duration by what operated, stretched
by the storm's size. Once it has restored a few outages, the storm itself says how
long its outages last. Durations, relative to their kind's typical one, are a
survival curve (Kaplan–Meier): the restored outages are its events, the outages still
out are censored (they have lasted *at least* this long). Counting the open ones is
what keeps the estimate honest early in a storm, when only the quick outages have
been restored. Each outage's ETR is then the median of what remains *given how long
it has already lasted*, so an outage that has outlived most of its peers is not
promised the peers' time.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Typical time from the start of an outage to restoration, by what operated
# (investigation, patrol, repair). A storm stretches them: crews are shared.
TYPICAL_MINUTES = {
    "service_transformer": 150,
    "fuse": 120,
    "sectionalizer": 150,
    "recloser": 180,
    "breaker": 180,
    "switch": 120,
    "source": 240,
}
STORM_OUTAGES = 25  # live outages at which restoration times double
MIN_AHEAD = timedelta(minutes=30)  # never promise less than this from now
RECENT = 200  # restorations the curve is drawn from: this storm's, not last month's
RECENT_HOURS = 24.0
MIN_RESTORED = 5  # restorations before the storm's own curve replaces the typical times
SUSTAINED_MINUTES = 5.0  # a shorter interruption says nothing of repair times


def typical_minutes(kind: str) -> float:
    return TYPICAL_MINUTES.get(kind, 180)


def _ratio(kind: str, started: datetime, until: datetime) -> float:
    """How long, in multiples of the kind's typical duration."""
    return (until - started).total_seconds() / 60 / typical_minutes(kind)


@dataclass(frozen=True, slots=True)
class StillOut:
    """An outage still out, as the curve counts it."""

    kind: str
    started: datetime


class RestorationTimes:
    """The storm's restorations so far, and the survival curve drawn from them."""

    def __init__(self) -> None:
        self._restored: deque[tuple[datetime, float]] = deque(maxlen=RECENT)
        self._steps: list[float] = []  # ratios at which the curve drops (ascending)
        self._falling: list[float] = []  # minus the curve just after each step (ascending)

    def observe(self, kind: str, started: datetime, restored: datetime) -> bool:
        """Fold in a restoration; True when it counts (not a momentary interruption)."""
        if (restored - started).total_seconds() < SUSTAINED_MINUTES * 60:
            return False
        self._restored.append((restored, _ratio(kind, started, restored)))
        return True

    def refit(self, still_out: Iterable[StillOut], now: datetime) -> None:
        """Draw the curve again from the recent restorations and the outages still out."""
        since = now - timedelta(hours=RECENT_HOURS)
        events = sorted(r for when, r in self._restored if when >= since)
        self._steps, self._falling = [], []
        if len(events) < MIN_RESTORED:
            return
        censored = sorted(_ratio(o.kind, o.started, now) for o in still_out)
        at_risk = len(events) + len(censored)
        survival, i, j = 1.0, 0, 0
        while i < len(events):
            ratio = events[i]
            while j < len(censored) and censored[j] < ratio:  # out of the risk set first
                at_risk -= 1
                j += 1
            ended = 0
            while i < len(events) and events[i] == ratio:
                ended += 1
                i += 1
            survival *= 1 - ended / at_risk
            at_risk -= ended
            self._steps.append(ratio)
            self._falling.append(-survival)

    @property
    def learned(self) -> bool:
        """True once the storm's own restorations draw the curve."""
        return bool(self._steps)

    def estimate(self, kind: str, started: datetime, now: datetime,
                 live_outages: int) -> datetime:
        """When this outage will likely be restored; never sooner than MIN_AHEAD from now.

        From the storm's curve, the median of its remaining time given how long it has
        lasted; before the curve (or past its last restoration), the kind's typical
        duration stretched by the storm's size.
        """
        ratio = self._conditional_median(_ratio(kind, started, now))
        if ratio is None:
            ratio = 1 + max(live_outages - 1, 0) / STORM_OUTAGES
        return max(started + timedelta(minutes=typical_minutes(kind) * ratio),
                   now + MIN_AHEAD)

    def median_minutes(self, kind: str) -> float:
        """How long an outage of this kind lasts from its start, the median: by the
        storm's curve once it has one, else the kind's typical duration."""
        ratio = self._conditional_median(0.0)
        return typical_minutes(kind) * (ratio if ratio is not None else 1.0)

    def _conditional_median(self, lasted: float) -> float | None:
        if not self._steps:
            return None
        k = bisect.bisect_right(self._steps, lasted)
        alive = -self._falling[k - 1] if k else 1.0
        # The first step where the curve falls to half of those that lasted this long.
        m = bisect.bisect_left(self._falling, -alive / 2 - 1e-12, lo=k)
        # None: it has lasted longer than half of what the storm has restored.
        return self._steps[m] if m < len(self._steps) else None
