"""The outage engine: a pure fold of events into outages, on event time.

`OutageEngine.apply(event)` validates the event against the network, updates the
evidence of the customers it concerns, lets the predictor re-decide the affected
path, and maps the result onto outage records (`OutageBook`). It never reads the
wall clock, so replaying a log reproduces the live state exactly.
"""

from __future__ import annotations

import math
from dataclasses import replace

from outage.callbacks import VERIFY_LONE_AFTER
from outage.candidates import NONE
from outage.customer_reports import (
    EVIDENCE_FOR,
)
from outage.engine.devices import EngineDevices
from outage.engine.records import seconds
from outage.errors import EventError, OutageNotFoundError
from outage.events import (
    Action,
    Call,
    CallbackAnswer,
    CrewUpdate,
    DeviceOperation,
    DispatcherAction,
    Event,
    MeterReading,
    Tick,
)
from outage.records import Outage, Stage

# Dispatcher actions that annotate an outage (an ETR, a cause) and change nothing else.
ANNOTATIONS = frozenset({Action.SET_ETR, Action.RELEASE_ETR, Action.SET_CAUSE})

# How often (in events) the false-call rate is re-estimated.
REFIT_EVERY = 1000


class OutageEngine(EngineDevices):
    """Evidence per customer, the predictor over the candidate tree, and the outage book;
    events in, changed outages out (`apply`)."""

    def apply(self, event: Event, notes: list[str] | None = None) -> list[Outage]:
        """Apply one validated event; return the outages it changed. Raises EventError.
        What `check` had to assume (an id spelt differently) is appended to `notes`."""
        event = self.check(event, notes)
        if self.now is not None and event.time < self.now:
            self.stats.out_of_order += 1
        self.now = event.time if self.now is None else max(self.now, event.time)
        limit = seconds(event.time)  # what is due by now, in the heaps' seconds
        # Late restore messages are gathered (2 minutes) before restorations are
        # reviewed (10): a record they grow is not reviewed.
        due = (self._expire_powered(event.time, limit)
               + self._check_restorations(event.time, limit)
               + self._record_late_restorations(limit)
               + self._review_restorations(event.time, limit)
               + self._lift_prior_caps(event.time, limit)
               + self.closes.lapse(limit, event.time, self._remap)
               + self._retire_old_reports(event.time, limit))
        self._retry_verifications(limit)
        self._verify_lone_reports(limit)
        if isinstance(event, Tick):
            # Only time passed: not an event in the counts (the false-call refits keep
            # their cadence however often the clock ticks). The onset window is
            # re-learned, though: a storm whose faults began together must not leave its
            # narrow window to the quiet day after it (O(feeders) unless it moved).
            due += [o for o in self._refit_onset_window(event.time) if o not in due]
            due += [o for o in self._re_estimate(event.time) if o not in due]
            return self._publish(due)
        if isinstance(event, Call):
            touched = self._on_call(event)
        elif isinstance(event, MeterReading):
            touched = self._on_meter(event)
        elif isinstance(event, CallbackAnswer):
            touched = self._on_callback(event)
        elif isinstance(event, DeviceOperation):
            touched = self._on_device(event)
        elif isinstance(event, CrewUpdate):
            touched = self._on_crew(event)
        else:
            touched = self._on_dispatcher(event)
        self.stats.by_type[event.type] = self.stats.by_type.get(event.type, 0) + 1
        if isinstance(event, DispatcherAction) and event.action in ANNOTATIONS:
            # An ETR or a cause says nothing of what is out, and the plan sets ETRs as
            # it replans: not an event in the refits' counts (they keep their cadence).
            return self._publish(due + [o for o in touched if o not in due])
        self.stats.events += 1
        # Early and often while a storm is young (32, 64, … events), then every 1000. A
        # storm is young again after a quiet spell: the engine runs for months, and a
        # day's second storm counted from the first would wait for its 1000th event.
        if self._last_event is not None and event.time - self._last_event > EVIDENCE_FOR:
            self._storm_began = self.stats.events - 1
        self._last_event = max(event.time, self._last_event or event.time)
        n = self.stats.events - self._storm_began
        if n % REFIT_EVERY == 0 or (n >= 32 and n & (n - 1) == 0):
            touched += self._refit_false_calls(event.time)
            touched += self._refit_gasp_prior(event.time)
            touched += self._refit_onset_window(event.time)
        # The storm's size sooner: a storm of small outages is a few calls at first, and
        # read as mistakes they would raise the false-call rate that makes them so. Then
        # seldom (it costs a pass over every candidate with evidence): the outages shown
        # halving or growing by half size it again as well (`PriorUpdates.rescale`).
        if n >= 4 and n & (n - 1) == 0:
            touched += self._refit_storm_size(event.time)
        return self._publish(due + [o for o in touched if o not in due])

    def settle(self) -> list[Outage]:
        """Take in what the events so far say but the engine waits to gather (restore
        messages from one late closing come over a minute or two), now: the end of a
        replay. A live service's clock does it as time passes. What is still out is
        dated from all its reports as a restored outage is (`_date_by_reports`): the
        replay's last word on it."""
        touched = (self._record_late_restorations(math.inf)
                   + self._review_restorations(self.now, math.inf))
        if self.now is not None:
            # Not the false-call rate before it: in a short stream of lone calls, all
            # still unexplained when the storm was last sized, it would read them as
            # mistakes before the storm's size says otherwise.
            touched += [o for o in self._refit_storm_size(self.now) if o not in touched]
        dated = []
        for outage in self.book.live():
            was = outage.started
            self._date_by_reports(outage, outage.candidate, self.now or was)
            if outage.started != was:
                dated.append(outage)
        return self._publish(touched + [o for o in dated if o not in touched])

    def _publish(self, touched: list[Outage]) -> list[Outage]:
        """Tell the listeners of the outages an event changed; return them."""
        for outage in touched:
            self.book.publish(outage)
            if self.callback is not None and outage.stage is Stage.PREDICTED:
                self._lone_checks.watch(outage.id, seconds(outage.updated)
                                        + VERIFY_LONE_AFTER.total_seconds())
        return touched

    def check(self, event: Event, notes: list[str] | None = None) -> Event:
        """The event with its ids as this network spells them; EventError if it names
        something this network or engine lacks.

        An id spelt differently (``Load.S1A`` or ``s1a`` for ``load.s1a``) that can
        mean only one element is taken as that one, with a note in `notes`.
        """
        if isinstance(event, Call) and event.customer_id is None:
            self.names.customer_of(event)
        if (isinstance(event, Call | MeterReading | CallbackAnswer)
                and event.customer_id is not None):
            try:
                customer = self.names.spelt("customer_id", event.customer_id, notes)
            except EventError as unknown:
                if not isinstance(event, Call) or event.location is None:
                    raise
                return self.names.placed_by_location(event, unknown, notes)
            if customer != event.customer_id:
                event = replace(event, customer_id=customer)
        if isinstance(event, DeviceOperation):
            return self._check_device(event, notes)
        if isinstance(event, DispatcherAction) and event.action is Action.CLEAR_REPORTS:
            customers = tuple(self.names.spelt("customer_id", c, notes) for c in event.customer_ids)
            index = self.network.customers.index
            inside = [c for c in customers if self._outage_of_customer(index[c]) is not None]
            if inside:
                raise EventError(f"customer {inside[0]!r} is in a live outage: cancel or "
                                 "restore the outage instead of clearing its reports")
            return replace(event, customer_ids=customers)
        if (isinstance(event, CrewUpdate | DispatcherAction)
                and event.outage_id not in self.book.outages):
            raise EventError(str(OutageNotFoundError(event.outage_id)))
        if isinstance(event, DispatcherAction):
            return self._check_action(event, notes)
        return event

    def _check_device(self, op: DeviceOperation, notes: list[str] | None) -> DeviceOperation:
        device = self.names.spelt("device_id", op.device_id, notes)
        if device != op.device_id:
            op = replace(op, device_id=device)
        if self.ties.is_tie(device):
            if notes is not None:
                notes.append(f"{device} is a normally-open tie: outages follow the "
                             "network as normally switched, but a section it feeds "
                             "behind a device reported open has power")
        else:
            self._candidate_of_device(device)  # refused before anything changes
        return op

    def _check_action(self, action: DispatcherAction,
                      notes: list[str] | None) -> DispatcherAction:
        """Refuse a dispatcher's action the outage cannot take, before anything changes
        (a refused event is not logged, so it must leave no trace, not even the clock)."""
        if action.action in (Action.SET_ETR, Action.SET_CAUSE):
            return action
        outage = self.book.outages[action.outage_id]
        if not outage.active:
            raise EventError(f"outage {outage.id!r} is {outage.stage}: nothing to {action.action}")
        if action.action is Action.MERGE:
            target = self.book.outages.get(action.target)
            if target is None or not target.active:
                raise EventError(f"target {action.target!r} is not a live outage")
            if self.tree.covering([outage.candidate, target.candidate]) == NONE:
                raise EventError(f"merge: {outage.id!r} and {target.id!r} are fed from "
                                 "different sources: no one device could be open for both")
        if action.action is Action.SPLIT:
            customers = tuple(self.names.spelt("customer_id", c, notes)
                              for c in action.customer_ids)
            inside = self._split_devices(outage, customers)
            if not inside or inside == {outage.candidate}:
                raise EventError("split: those customers are not below a device inside the "
                                 "outage")
            return replace(action, customer_ids=customers)
        return action
