"""Replay a log of events through the engine: the same fold the live system runs."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gis import Network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import Event, Noted, Rejected
from outage.open_reports import open_reports
from outage.scoring import PredictionParams

MAX_LISTED_REJECTIONS = 1000
# A few lines dated this far from the rest of the file are a clock gone wrong (a meter's
# reset by the outage to 1970, a GPS week rollover), not history: replayed as dated,
# one would start an outage decades back. How few: under a tenth of the lines.
CLOCK_GONE_WRONG = timedelta(days=365)


@dataclass(slots=True)
class ReplayResult:
    engine: OutageEngine
    events: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    ignored: list[Rejected] = field(default_factory=list)  # unknown types, with a warning
    noted: list[Noted] = field(default_factory=list)  # accepted on an assumption
    reordered: int = 0  # events earlier than a line above them (replayed in time order)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """RESULT.json of DESIGN.md §5 (extra keys are additions, never changes)."""
        engine = self.engine
        outages = sorted(engine.outages(), key=lambda o: (o.started, o.id))
        reports = open_reports(engine)
        return {
            "outages": [engine.describe(o) for o in outages],
            # Reports no live outage explains at the end, for the trouble desk.
            "open_reports": [r.to_json() for r in reports[:MAX_LISTED_REJECTIONS]],
            "stats": {
                "events": self.events,
                "rejected": len(self.rejected),
                "seconds": round(self.seconds, 3),
                "ignored": len(self.ignored),
                "out_of_order": self.reordered,
                "stale_meter_readings": engine.stats.stale,
                "by_type": dict(sorted(engine.stats.by_type.items())),
                "rejections": [
                    {"line": r.line, "reason": r.reason}
                    for r in (self.rejected + self.ignored)[:MAX_LISTED_REJECTIONS]
                ],
                "open_reports": len(reports),
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
    progress: Callable[[Sequence[tuple[int, Event]]], Iterable[tuple[int, Event]]]
    | None = None,
) -> ReplayResult:
    """Apply numbered events in event-time order; bad ones are counted with their line
    and reason. `progress` may wrap the events in time order as they are applied (a
    bar on a terminal).

    A batch can be put in order, as the live system could not: files exported from
    several systems (calls, then meter messages, then SCADA) replayed line by line
    would show the engine every restoration before the outage. Lines earlier than an
    accepted line above them are noted; events at the same time keep their file order.
    """
    engine = engine or OutageEngine(network, params)  # callers may bring a configured one
    result = ReplayResult(engine)
    started = time.perf_counter()
    timed: list[tuple[int, Event]] = []
    for number, item in events:
        if isinstance(item, Noted):
            result.noted.append(item)
        elif isinstance(item, Rejected):
            if item.unknown_type:
                result.ignored.append(item)
                warnings.warn(f"line {number}: {item.reason}; ignored", stacklevel=2)
            else:
                result.rejected.append(item)
        else:
            timed.append((number, item))
    in_file_order = timed
    timed = sorted(timed, key=lambda pair: pair[1].time)  # stable: file order within one time
    far = _far_from_the_rest(timed)
    if far:
        result.rejected += far
        refused = {r.line for r in far}
        timed = [pair for pair in timed if pair[0] not in refused]
    accepted: set[int] = set()
    for number, event in progress(timed) if progress else timed:
        notes: list[str] = []
        try:
            engine.apply(event, notes)
            result.events += 1
            accepted.add(number)
        except EventError as error:
            result.rejected.append(Rejected(number, str(error)))
        result.noted += [Noted(number, note) for note in notes]
    engine.settle()
    # Refused lines (far from the rest, or by the engine) put nothing out of order.
    reordered = _reordered([pair for pair in in_file_order if pair[0] in accepted])
    result.reordered = len(reordered)
    result.noted += reordered
    result.rejected.sort(key=lambda r: r.line)
    result.noted.sort(key=lambda n: n.line)
    result.seconds = time.perf_counter() - started
    return result


def _far_from_the_rest(ordered: list[tuple[int, Event]]) -> list[Rejected]:
    """The lines (`ordered` by time) of a small group, under a tenth of them, dated more
    than CLOCK_GONE_WRONG before or after every other line."""
    groups: list[list[tuple[int, Event]]] = []
    for pair in ordered:
        if groups and pair[1].time - groups[-1][-1][1].time <= CLOCK_GONE_WRONG:
            groups[-1].append(pair)
        else:
            groups.append([pair])
    if len(groups) < 2:
        return []
    main = max(groups, key=len)
    first, last = main[0][1].time, main[-1][1].time
    refused = []
    for group in groups:
        if group is main or 10 * len(group) >= len(ordered):
            continue
        for number, event in group:
            days = abs((first - event.time if event.time < first else event.time - last).days)
            side = "before" if event.time < first else "after"
            refused.append(Rejected(number, (
                f"time {event.time.isoformat()} is {days:,} days {side} the file's other "
                f"events ({first:%Y-%m-%d} to {last:%Y-%m-%d}): a clock gone wrong? "
                "Not replayed")))
    return refused


def _reordered(events: list[tuple[int, Event]]) -> list[Noted]:
    """Notes for the lines (in file order) earlier than an accepted line above them; a
    line the engine refused, whatever its time, put nothing out of order."""
    notes: list[Noted] = []
    latest: tuple[datetime, int] | None = None  # the latest time so far, and its line
    for number, event in events:
        if latest is not None and event.time < latest[0]:
            notes.append(Noted(number, (
                f"time {event.time.isoformat()} is before line {latest[1]}'s "
                f"{latest[0].isoformat()}: replayed in time order")))
        if latest is None or event.time > latest[0]:
            latest = (event.time, number)
    return notes


__all__ = ["ReplayResult", "replay_events"]
