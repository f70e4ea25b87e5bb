"""Time for the live server: the wall clock, or an accelerated simulation clock (demo).

The engine runs on event time; the live server stamps what it receives with the
clock of the app, so a demo storm replayed at 30x and a customer's report made
during it share one time line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Plug point for 'now' (wall clock in production, simulated in the demo)."""

    def now(self) -> datetime: ...


class WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(slots=True)
class SimClock:
    """Simulated time: `start` at creation, running `speed` times faster than the wall."""

    start: datetime
    speed: float = 30.0
    _t0: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def wall_seconds(self, sim_seconds: float) -> float:
        """Real seconds that `sim_seconds` of simulated time take."""
        return sim_seconds / self.speed
