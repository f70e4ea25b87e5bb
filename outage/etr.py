"""Model estimates of restoration time, before a crew's plan or a dispatcher says better."""

from __future__ import annotations

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


def estimate_etr(kind: str, started: datetime, now: datetime, live_outages: int) -> datetime:
    """Started + the typical duration for the kind, stretched by the storm's size."""
    typical = TYPICAL_MINUTES.get(kind, 180) * (1 + max(live_outages - 1, 0) / STORM_OUTAGES)
    return max(started + timedelta(minutes=typical), now + MIN_AHEAD)
