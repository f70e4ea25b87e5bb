"""Feeding the reliability tracker a year-to-date history before the live events.

The sample history (sample_data/history/outages.csv) covers five past years of a
synthetic territory of about the same size. To show a believable year-to-date on
the dashboard, the latest history year's interruptions before today's date are
moved to the current year and counted; live outages then add to them. A real
deployment seeds the tracker from its own interruption records instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from outage.reliability import ReliabilityTracker
from outage.reliability.records import read_outages

log = logging.getLogger(__name__)


def seed_history(tracker: ReliabilityTracker, path: str | Path, now: datetime) -> int:
    """Count the latest history year's records before `now`'s date, moved into `now`'s year;
    return how many were counted."""
    records = list(read_outages(path).records)
    if not records:
        return 0
    latest = max(r.start.year for r in records)
    counted = 0
    for record in records:
        if record.start.year != latest or record.end.year != latest:
            continue
        try:
            moved = replace(record, start=record.start.replace(year=now.year),
                            end=record.end.replace(year=now.year))
        except ValueError:  # 29 February in a year without one
            continue
        if moved.end < now:
            tracker.add(moved)
            counted += 1
    log.info("reliability: %d history records seeded into %d", counted, now.year)
    return counted
