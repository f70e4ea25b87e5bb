"""Replay a log of events through the engine: the same fold the live system runs."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gis import Network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import Event, Noted, Rejected, read_jsonl
from outage.scoring import PredictionParams

MAX_LISTED_REJECTIONS = 1000


@dataclass(slots=True)
class ReplayResult:
    engine: OutageEngine
    events: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    ignored: list[Rejected] = field(default_factory=list)  # unknown types, with a warning
    noted: list[Noted] = field(default_factory=list)  # accepted on an assumption
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """RESULT.json of DESIGN.md §5 (extra keys are additions, never changes)."""
        engine = self.engine
        outages = sorted(engine.outages(), key=lambda o: (o.started, o.id))
        return {
            "outages": [engine.describe(o) for o in outages],
            "stats": {
                "events": self.events,
                "rejected": len(self.rejected),
                "seconds": round(self.seconds, 3),
                "ignored": len(self.ignored),
                "out_of_order": engine.stats.out_of_order,
                "stale_meter_readings": engine.stats.stale,
                "by_type": dict(sorted(engine.stats.by_type.items())),
                "rejections": [
                    {"line": r.line, "reason": r.reason}
                    for r in (self.rejected + self.ignored)[:MAX_LISTED_REJECTIONS]
                ],
                "noted": len(self.noted),
                "notes": [{"line": n.line, "reason": n.reason}
                          for n in self.noted[:MAX_LISTED_REJECTIONS]],
            },
        }


def replay_events(
    network: Network,
    events: Iterable[tuple[int, Event | Rejected | Noted]],
    params: PredictionParams | None = None,
    engine: OutageEngine | None = None,
) -> ReplayResult:
    """Apply numbered events in order; bad ones are counted with their line and reason."""
    engine = engine or OutageEngine(network, params)  # callers may bring a configured one
    result = ReplayResult(engine)
    started = time.perf_counter()
    for number, item in events:
        if isinstance(item, Noted):
            result.noted.append(item)
            continue
        if isinstance(item, Rejected):
            if item.unknown_type:
                result.ignored.append(item)
                warnings.warn(f"line {number}: {item.reason}; ignored", stacklevel=2)
            else:
                result.rejected.append(item)
            continue
        notes: list[str] = []
        try:
            engine.apply(item, notes)
            result.events += 1
        except EventError as error:
            result.rejected.append(Rejected(number, str(error)))
        result.noted += [Noted(number, note) for note in notes]
    result.seconds = time.perf_counter() - started
    return result


def replay_file(
    network: Network, path: Path, params: PredictionParams | None = None
) -> ReplayResult:
    """Replay a JSON Lines event file."""
    return replay_events(network, read_jsonl(path), params)


__all__ = ["ReplayResult", "replay_events", "replay_file"]
