"""Asking meters whether they have power, when the evidence is ambiguous.

The engine calls a `MeterPinger` with the meters it wants to hear from; answers
come back later as ordinary `meter` events with ``ping: true``. Without a
head-end (``oms replay``) there is no pinger and the engine uses what it has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from outage.engine.records import EngineRecords

PINGS_PER_QUESTION = 3


class MeterPinger(Protocol):
    """Plug point to the AMI head-end."""

    def ping(self, customer_ids: list[str]) -> None:
        """Ask these meters for their state; answers arrive as meter events."""


def choose_pings(engine: EngineRecords, candidate: int) -> list[int]:
    """Meters (customer indices) whose answer separates the candidate from its parent
    and its children.

    Silent meters below the candidate say whether it is really out; silent meters
    below its parent but outside it say whether the outage is larger.
    """
    chosen: list[int] = []
    below = engine.customers_below(candidate)
    chosen += _silent(engine, below)[:PINGS_PER_QUESTION]
    parent = int(engine.tree.parent[candidate])
    if parent >= 0:
        around = np.setdiff1d(engine.customers_below(parent), below, assume_unique=True)
        chosen += _silent(engine, around)[:PINGS_PER_QUESTION]
    return chosen


def _silent(engine: EngineRecords, customers: np.ndarray) -> list[int]:
    quiet = customers[~np.isfinite(engine.reports.report_time[customers])]
    quiet = quiet[np.isinf(engine.reports.meter_time[quiet])]
    step = max(len(quiet) // PINGS_PER_QUESTION, 1)  # spread over the area, not the first few
    chosen: list[int] = quiet[::step].tolist()
    return chosen
