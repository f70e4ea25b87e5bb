"""The live outage service: validate, log durably, then apply — one writer, in order.

`OutageService.submit` is what every intake (REST API, IVR gateway, AMI head-end,
SCADA bridge) calls. An event is checked first (a bad one is refused with the
reason and never logged), then committed to the event log, then folded into the
engine; only then is it acknowledged. `OutageService.open` rebuilds the engine
from the latest snapshot plus the events after it, so a crash loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from gis import Network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import Event, event_to_json, parse_event
from outage.log import EventLog
from outage.records import Outage
from outage.scoring import PredictionParams

log = logging.getLogger(__name__)

# How far ahead of the receiver's clock a sender's clock may run (the usual tolerance
# between systems' clocks). An event dated later has a wrong clock: taken at its time, it
# would carry the engine's time, and every later event's, into the future for good.
CLOCK_SKEW = timedelta(minutes=5)
# How long after its time an event is still taken at its time. One dated further back
# has a wrong clock (a meter's reset by the outage to 1970, a phone system set to
# another year, a scenario's fixed dates): what it says is news now, as it arrives.
MAX_LATE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the caller gets back: the event's place in the log and what it changed."""

    seq: int
    outages: tuple[str, ...]
    error: str | None = None  # accepted and logged, but the engine found it inapplicable
    duplicate: bool = False  # a retry of an event already logged under the same key
    notes: tuple[str, ...] = ()  # what was assumed to accept it (an unknown channel…)


class OutageService:
    """Event log + engine, behind one lock (the single writer of this partition)."""

    def __init__(self, engine: OutageEngine, log: EventLog, *, snapshot_every: int = 5000,
                 applied_seq: int = 0) -> None:
        self.engine = engine
        self.log = log
        self.snapshot_every = snapshot_every
        self.applied_seq = applied_seq
        # Logged events the engine failed on (a defect): (seq, what went wrong).
        self.faults: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    @classmethod
    def open(cls, network: Network, log: EventLog, params: PredictionParams | None = None,
             *, snapshot_every: int = 5000) -> OutageService:
        """Rebuild the state: latest snapshot, then every event logged after it.

        A snapshot taken by an older engine, or under other prediction parameters (a
        changed default included), is not used: the log is folded afresh."""
        snapshot = log.latest_snapshot()
        if (snapshot is not None and isinstance(snapshot[1], OutageEngine)
                and snapshot[1].current
                and snapshot[1].params == (params or PredictionParams())):
            seq, engine = snapshot[0], snapshot[1]
        else:
            seq, engine = 0, OutageEngine(network, params)
        service = cls(engine, log, snapshot_every=snapshot_every, applied_seq=seq)
        for event_seq, data in log.read(after=seq):
            service._apply(parse_event(data), event_seq)
        return service

    def subscribe(self, listener: Callable[[Outage], None]) -> None:
        self.engine.subscribe(listener)

    def validate(self, data: Any, notes: list[str] | None = None) -> Event:
        """Parse and check an event against the network; raises EventError with the reason.
        What had to be assumed to accept it is appended to `notes`."""
        return self.engine.check(parse_event(data, notes), notes)

    def submit(self, data: Any, idempotency_key: str | None = None, *,
               now: datetime | None = None) -> Receipt:
        """Validate, append durably, apply; the receipt is the acknowledgement.

        With an `idempotency_key`, a retry of the same submission returns the first
        one's sequence number and changes nothing (the key is committed with the event).
        With `now` (the receiver's clock), an event whose sender's clock is plainly
        wrong is taken as received now (`on_the_clock`); the receipt's notes say so.
        """
        with self._lock:
            notes: list[str] = []
            event = self.validate(data, notes)
            if now is not None:
                event = on_the_clock(event, now, notes)
            if idempotency_key is None:
                (seq,) = self.log.append([event_to_json(event)])
            else:
                seq, new = self.log.append_once(event_to_json(event), idempotency_key)
                if not new:
                    return Receipt(seq, (), duplicate=True)
            return replace(self._apply(event, seq), notes=tuple(notes))

    def _apply(self, event: Event, seq: int) -> Receipt:
        error = None
        try:
            touched = self.engine.apply(event)
        except EventError as problem:  # deterministic: a replay refuses it the same way
            touched, error = [], str(problem)
        except Exception as defect:  # a bulkhead: logged and kept, see below
            # The event is in the log already: were the failure raised, every restart
            # would fail on it again and the service would never come back. It is
            # logged as an error, kept in `faults`, and the fold goes on (a replay fails
            # the same way at the same point, so the state is still the log's).
            log.exception("event %d could not be applied: %s", seq, event_to_json(event))
            self.faults.append((seq, f"{type(defect).__name__}: {defect}"))
            touched, error = [], f"internal error applying event {seq}; it is logged"
        self.applied_seq = seq
        if self.snapshot_every and seq % self.snapshot_every == 0:
            self.log.save_snapshot(seq, self.engine)
        return Receipt(seq, tuple(dict.fromkeys(o.id for o in touched)), error)

    def snapshot(self) -> None:
        with self._lock:
            self.log.save_snapshot(self.applied_seq, self.engine)


def on_the_clock(event: Event, now: datetime, notes: list[str]) -> Event:
    """The event as the live board takes it against the receiver's clock `now`: dated
    more than CLOCK_SKEW ahead of it or MAX_LATE behind, its sender's clock is wrong, not
    the news: taken as received now, and `notes` says so. Never refused for its time:
    a last gasp dated 1970 is a meter whose clock the outage reset, losing power now."""
    when = event.time
    if when > now + CLOCK_SKEW:
        off = f"{(when - now).total_seconds() / 60:,.0f} minutes ahead of"
    elif when < now - MAX_LATE:
        off = f"{(now - when).total_seconds() / 3600:,.0f} hours before"
    else:
        return event
    notes.append(f"time {when.isoformat()} is {off} this system's clock "
                 f"({now.isoformat(timespec='seconds')}): taken as received then; check the "
                 "sending system's clock")
    return replace(event, time=now)
