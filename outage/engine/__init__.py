"""The outage engine: a pure fold of events into outages, on event time.

`OutageEngine` is built in layers, one concern a module, each on the one below it:

- `records` — the engine's state, its outage records and what it shows of them;
- `restoration` — what a restoration ends, moves and dates; each evidence update;
- `found_open` — outages nobody reported: devices found open, late restore messages;
- `restoration_checks` — what the meters say after a restoration, reviews, pings;
- `evidence` — calls, callbacks and meter messages, and the estimates learned;
- `devices` — operations from SCADA and crews, ties, crews, dispatchers' actions;
- `fold` — `OutageEngine` itself: each event validated and applied, in order.
"""

from outage.engine.fold import OutageEngine as OutageEngine

__all__ = ["OutageEngine"]
