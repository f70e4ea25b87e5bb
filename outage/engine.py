"""The outage engine: a pure fold of events into outages, on event time.

`OutageEngine.apply(event)` validates the event against the network, updates the
evidence of the customers it concerns, lets the predictor re-decide the affected
path, and maps the result onto outage records (`OutageBook`). It never reads the
wall clock, so replaying a log reproduces the live state exactly.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from gis import Network, Topology
from outage.book import Listener, OutageBook
from outage.calibration import Calibration, restore_counts
from outage.callbacks import MAX_CALLBACKS, VERIFY_LONE_AFTER, CustomerCallback, LoneReportChecks
from outage.candidates import NONE, build_candidates
from outage.close_priors import ClosePriors
from outage.customer_reports import (
    BACK,
    EVIDENCE_FOR,
    NESTED_WINDOW,
    RESTORE_GRACE,
    UNHEARD_BACK,
    CustomerReports,
    flagged,
)
from outage.errors import EventError, OutageNotFoundError
from outage.etr import RestorationTimes, StillOut
from outage.events import (
    Action,
    Call,
    CallbackAnswer,
    CrewStatus,
    CrewUpdate,
    DeviceOperation,
    DispatcherAction,
    Event,
    MeterReading,
    Tick,
)
from outage.explain import explain
from outage.hazards import HazardIndex
from outage.late_restores import found_devices
from outage.names import NetworkNames
from outage.pinger import MeterPinger, choose_pings
from outage.predict import Change, Predictor, RestoredMeters
from outage.records import Outage, Stage
from outage.restoration_review import operated_device
from outage.scoring import PredictionParams, Scorer
from outage.ties import TieSections

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A meter's "on" is evidence of power for this long; after it, it says nothing.
POWERED_FOR = timedelta(minutes=30)
# How far one outage's calls spread when call timing is switched off.
DEFAULT_CALL_SPREAD = PredictionParams().call_spread_minutes
# Restore messages from one closing come this long before the one that restored its
# outage, at most (they race over the head-end), and up to RESTORE_GRACE after it.
RESTORE_BURST = timedelta(minutes=2)
# Chance a customer with power is heard from at a restoration anyway (a meter's
# restore message after a reboot or a switching blip, a false call).
HEARD_WITH_POWER = 1e-3
# Power-restore messages later than that come from meters still out behind a device
# nobody reported open; those from its closing arrive within this of each other.
LATE_GATHER = timedelta(minutes=2)
# Below this chance of every restore message of a restored area being lost, none
# arriving says nobody was restored.
ALL_LOST = 1e-3
# Chance that a restored outage hides a nested one (a second device still open).
NESTED_PRIOR = 0.2
# Outages going on (or just restored) that make a storm whose starts date an outage
# found open that nobody reported.
STORM_PEERS = 3
# A model ETR moved by less than this is not news (nobody is told of it).
ETR_MOVE = timedelta(minutes=5)
# The storm's restoration curve is redrawn at most this often (event time): a busy
# storm's restorations come seconds apart, and each redraw re-estimates every live ETR.
ETR_REDRAW = timedelta(minutes=5)
# A close reported this soon after meters below the device said power was back is the
# late report of that restoration (crews report on the way to the next job).
CLOSE_REPORTED_LATE = timedelta(hours=1)
# Meters asked at most to verify one restoration (one per transformer), and how
# long before a meter is asked again.
VERIFY_PINGS = 1000
PING_RETRY = timedelta(minutes=15)
# A restoration is verified up to this many times, PING_RETRY apart, while some of its
# transformers have said nothing (a ping or its answer can be lost).
VERIFY_ROUNDS = 3
# The shape of a saved engine state; bump it when the engine's attributes change, or
# what the fold makes of the same events (a snapshot must equal a replay of its log).
STATE_VERSION = 63
# How often (in events) the false-call rate is re-estimated.
REFIT_EVERY = 1000
# Reports on the board before their times say how far apart the outages begin.
WINDOW_REPORTS = 10


def _seconds(t: datetime) -> float:
    return (t - EPOCH).total_seconds()


def _messages_from(restored: datetime | None) -> float | None:
    """From when meters' "on" are the restore messages of a restoration at `restored`
    (they race it by up to RESTORE_BURST): they end the outage, they do not say its
    customers had power before its reports. None for no restoration."""
    return None if restored is None else _seconds(restored - RESTORE_BURST)


@dataclass(slots=True)
class EngineStats:
    events: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    out_of_order: int = 0
    stale: int = 0
    pings_requested: int = 0
    callbacks_requested: int = 0


class OutageEngine:
    """Evidence per customer, the predictor over the candidate tree, and the outage book."""

    def __init__(
        self,
        network: Network,
        params: PredictionParams | None = None,
        *,
        pinger: MeterPinger | None = None,
        callback: CustomerCallback | None = None,
        predictor: type[Predictor] = Predictor,
    ) -> None:
        self.state_version = STATE_VERSION
        self.network = network
        self.params = params or PredictionParams()
        self.topology = Topology(network)
        self.tree = build_candidates(network, self.topology)
        self.predictor = predictor(self.tree, Scorer(self.params))
        self.book = OutageBook(self.tree, NESTED_WINDOW)
        self.pinger = pinger
        self.callback = callback
        self.stats = EngineStats()
        # The event count when the storm in progress began, and the last event's time.
        self._storm_began = 0
        self._last_event: datetime | None = None
        self.now: datetime | None = None
        n = len(network.customers.ids)
        self._parent = self.tree.customer_parent.tolist()
        self._cand_parent = self.tree.parent.tolist()
        self.reports = CustomerReports(n)
        self._retire: list[tuple[float, int]] = []  # (when, customer): see EVIDENCE_FOR
        self._retired_unfit = 0  # callers set aside since the false-call rate was learned
        self._minutes_ref: float | None = None  # keeps report times small numbers
        self._powered_expiry: list[tuple[float, int]] = []
        self.hazards = HazardIndex()  # for outages predicted later over their callers
        # (review time, outage id, candidate, restoration time, customers who reported)
        self._reviews: list[tuple[float, str, int, float, tuple[int, ...]]] = []
        # (check time, candidate restored, restoration time, meters that had gasped)
        # (when due, restored area, restored at, meters that gasped, customers who called)
        self._restore_checks: list[
            tuple[float, int, float, tuple[int, ...], tuple[int, ...]]] = []
        # (next round's time, candidate restored, restoration time, rounds left)
        self._verify_retries: list[tuple[float, int, float, int]] = []
        self._lone_checks = LoneReportChecks()  # outages that may rest on one caller
        # (time, meter, out since, its area restored at): restore messages come late
        self._late_restores: list[tuple[float, int, float, float]] = []
        self._prior_caps: list[tuple[float, int]] = []  # (until, candidate)
        # What devices reported closed say of themselves and those above, for a while.
        self.closes = ClosePriors(self.predictor)
        # Closes after which no meter came back: device -> (close, silent meters).
        self._dark_closes: dict[int, tuple[datetime, int]] = {}  # for explanations
        self.calibration = Calibration(self.params)
        self.restoration_times = RestorationTimes()  # what the model's ETRs learn from
        self._etr_redrawn: datetime | None = None
        self._callers = 0
        self.names = NetworkNames(network, self.params.location_tolerance_m)
        self.ties = TieSections(network, self.topology, self.tree, self.predictor, self.book)

    def subscribe(self, listener: Listener) -> None:
        self.book.subscribe(listener)

    # -- the fold ------------------------------------------------------------------
    def apply(self, event: Event, notes: list[str] | None = None) -> list[Outage]:
        """Apply one validated event; return the outages it changed. Raises EventError.
        What `check` had to assume (an id spelt differently) is appended to `notes`."""
        event = self.check(event, notes)
        if self.now is not None and event.time < self.now:
            self.stats.out_of_order += 1
        self.now = event.time if self.now is None else max(self.now, event.time)
        limit = _seconds(event.time)  # what is due by now, in the heaps' seconds
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
        self.stats.events += 1
        self.stats.by_type[event.type] = self.stats.by_type.get(event.type, 0) + 1
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
        return self._publish(due + [o for o in touched if o not in due])

    def settle(self) -> list[Outage]:
        """Take in what the events so far say but the engine waits to gather (restore
        messages from one late closing come over a minute or two), now: the end of a
        replay. A live service's clock does it as time passes. What is still out is
        dated from all its reports as a restored outage is (`_date_by_reports`): the
        replay's last word on it."""
        touched = (self._record_late_restorations(math.inf)
                   + self._review_restorations(self.now, math.inf))
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
                self._lone_checks.watch(outage.id, _seconds(outage.updated)
                                        + VERIFY_LONE_AFTER.total_seconds())
        return touched

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["pinger"] = None  # a live connection, not state: re-attach after loading
        state["callback"] = None
        return state

    @property
    def current(self) -> bool:
        """False for a state saved by an engine whose state had another shape (a snapshot
        taken before an upgrade): such a state is rebuilt from the event log instead."""
        return getattr(self, "state_version", None) == STATE_VERSION

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

    def close_below(self, candidate: int) -> tuple[str, datetime] | None:
        """The latest close below `candidate` still saying it is likely closed: the
        device closed and when, or None."""
        latest = self.closes.latest_close_below(candidate)
        return None if latest is None else (self.tree.element_id[latest[0]], latest[1])

    def earliest_report_below(self, candidate: int, restored: datetime | None = None
                              ) -> tuple[datetime, datetime] | None:
        """The earliest call or last gasp below `candidate` of the outage going on there
        (see `CustomerReports.onset_below`), and the earliest still standing there since its
        meters last said they had power (earlier: set aside as of something else); or
        None. As of now, or of its restoration at `restored`: the restore messages that
        ended it do not set its reports aside."""
        customers = self.customers_below(candidate)
        as_of = restored or self.now
        until = math.inf if as_of is None else _seconds(as_of)
        earliest, _, standing = self.reports.onset_below(customers, self._call_spread(), until,
                                                         _messages_from(restored))
        if not math.isfinite(earliest):
            return None
        first = float(self.reports.report_time[customers][standing].min())
        return EPOCH + timedelta(seconds=earliest), EPOCH + timedelta(seconds=first)

    def _call_spread(self) -> float:
        """How far one outage's calls spread (seconds): learned, or the default where
        call timing is switched off."""
        return 60 * (self.predictor.scorer.spread("call") or DEFAULT_CALL_SPREAD)

    def isolating_below(self, candidate: int) -> list[str]:
        """Devices reported open inside `candidate`'s outage while it was on the board
        (a crew isolating the fault), still open."""
        lo, hi = int(self.tree.tin[candidate]), int(self.tree.tout[candidate])
        predictor = self.predictor
        return [self.tree.element_id[a] for a in predictor.active_between(lo + 1, hi)
                if predictor.forced[a] and predictor.isolating[a]]

    def dark_close_below(self, candidate: int) -> tuple[str, datetime, int] | None:
        """The latest close below `candidate`, in the last six hours, after which none of
        the meters that had gasped came back: the device, when, and how many meters."""
        if self.now is None:
            return None
        since = self.now - NESTED_WINDOW
        found = [(when, self.tree.element_id[c], silent)
                 for c, (when, silent) in self._dark_closes.items()
                 if c != candidate and self.tree.contains(candidate, c) and when >= since]
        if not found:
            return None
        when, device, silent = max(found)
        return device, when, silent

    # -- evidence ------------------------------------------------------------------
    def _on_call(self, call: Call) -> list[Outage]:
        i = self.names.customer_of(call)
        t = _seconds(call.time)
        touched = self._count_call(i, call.time)
        if call.hazard is not None:
            self.hazards.add(i, self._parent[i], str(call.hazard), t)
        outage = self._outage_of_customer(i)
        if outage is not None:
            if call.hazard is not None:
                outage.hazards.add(str(call.hazard))
            if outage not in touched:
                touched.append(outage)
        return touched

    def _count_call(self, i: int, when: datetime) -> list[Outage]:
        """Customer `i` says the power is off (counted once until their outage ends)."""
        # Called again after their old reports were set aside: a report anew.
        touched = self._clear_customer(i, when) if self.reports.retired[i] else []
        touched += self._out_again(i, when)
        if self.reports.called[i]:
            return touched
        t = _seconds(when)
        self.reports.called[i] = 1
        self._callers += 1
        self.reports.report_time[i] = min(self.reports.report_time[i], t)
        self.reports.call_minutes[i] = self._minutes(t)
        self._set_aside_later(i, t)
        changed = self._update(i, calls=1, when=when)
        return touched + [o for o in changed if o not in touched] if touched else changed

    def _on_callback(self, answer: CallbackAnswer) -> list[Outage]:
        """Called back: "still off" is a report like a call; "on" is like a meter's
        answer to a ping (its outage is over, and evidence against one above it) — but
        from the one caller a predicted outage rests on, it says there was none."""
        i = self.network.customers.index[answer.customer_id]
        if answer.on:
            if self._had_power_before(i, answer.time):
                self.stats.stale += 1
                return []
            outage = self._outage_of_customer(i)
            touched: list[Outage] = []
            if outage is not None and self._lone_caller(outage) == i:
                touched = self._cancel(outage, answer.time)
                outage.explanation = (
                    f"Cancelled: it rested on one call, from {answer.customer_id}, who said "
                    f"the power was on when called back at {answer.time:%H:%M} (a false call "
                    f"or a problem on the customer's side).")
            return touched + self._power_is_on(i, answer.time, ping=True)
        return self._count_call(i, answer.time)

    def _lone_caller(self, outage: Outage) -> int | None:
        """The customer a predicted outage rests on, when that is one caller and nothing
        else (no last gasp, no device report, no hazard); else None."""
        c = outage.candidate
        if (outage.stage is not Stage.PREDICTED or self.predictor.forced[c]
                or outage.hazards):
            return None
        reporters = self._reporters_below(c)
        if len(reporters) != 1:
            return None
        i = int(reporters[0])
        r = self.reports
        return i if r.called[i] and not r.gasped[i] and not r.silent[i] else None

    def _verify_lone_reports(self, limit: float) -> None:
        """Ask the one caller an outage still rests on, once due, whether the power is
        still off (`outage.callbacks`)."""
        for outage_id in self._lone_checks.due(limit):
            outage = self.book.outages.get(outage_id)
            i = None if outage is None else self._lone_caller(outage)
            if i is not None and self.callback is not None:
                self.stats.callbacks_requested += 1
                self.callback.call_back([self.network.customers.ids[i]])

    def _on_meter(self, reading: MeterReading) -> list[Outage]:
        i = self.network.customers.index[reading.customer_id]
        t = _seconds(reading.time)
        if (t < self.reports.meter_time[i]
                or (reading.on and self._had_power_before(i, reading.time))):
            # Older than a reading already applied, or an "on" older than what says
            # the customer is out: either way it says nothing of now.
            self.stats.stale += 1
            return []
        self.reports.meter_time[i] = t
        touched = self.predictor_ami_on(reading.time)
        if not reading.on:
            touched += self._out_again(i, reading.time)
            if not reading.ping and t > self.reports.restored_at[i]:
                # A last gasp since its restoration: it had power again, so it is out
                # since now, not since the outage it was restored from.
                self.reports.out_since[i] = math.inf
            if self.reports.powered[i]:
                self.reports.powered[i] = 0
                touched += self._update(i, powered=-1, when=reading.time)
            if self.reports.retired[i] or ((self.reports.silent[i] or self.reports.unheard[i])
                                           and not reading.ping):
                # Gasping again after its old reports were set aside, or after silence
                # since its area was restored (its power came back, the restore message
                # lost): a new outage's report.
                touched += self._clear_customer(i, reading.time)
            if not self.reports.gasped[i]:
                self.reports.gasped[i] = 1
                self.reports.report_time[i] = min(self.reports.report_time[i], t)
                self.reports.gasp_minutes[i] = self._gasp_onset(i, t, ping=reading.ping)
                self._set_aside_later(i, t)
                touched += self._update(i, gasps=1, when=reading.time)
            return touched
        return touched + self._power_is_on(i, reading.time, ping=reading.ping)

    def _had_power_before(self, i: int, when: datetime) -> bool:
        """Whether a meter's (or a called-back customer's) "on" at `when` is older than
        what says it is out now (its customer's report, or the start of the outage it is
        in): it had power then, which says nothing of now (out of time order)."""
        reported = float(self.reports.report_time[i])
        if math.isfinite(reported) and _seconds(when) < reported:
            return True
        outage = self._outage_of_customer(i)
        return outage is not None and when < outage.started

    def _gasp_onset(self, i: int, t: float, *, ping: bool) -> float:
        """When meter `i`, now saying it is off, lost power (minutes, for the timing
        of last gasps). A ping's answer is no last gasp: its time says when the meter
        was asked, often an hour into the outage, and taken for an onset it would part
        the meter from its neighbours (a recloser's outage read as a dozen below it).
        One still out since a restored outage began lost power then; any other went
        out with the nearest meters that gasped."""
        if not ping:
            return self._minutes(t)
        since = self.reports.out_since[i]
        if math.isfinite(since):
            return self._minutes(since)
        neighbours = self.predictor.neighbours_gasp_minutes(self._parent[i])
        return self._minutes(t) if neighbours is None else neighbours

    def predictor_ami_on(self, when: datetime) -> list[Outage]:
        """The first meter message switches the meter channel on for every score."""
        if self.predictor.ami:
            return []
        return self._remap(self.predictor.set_ami(True), when)

    def _power_is_on(self, i: int, when: datetime, *, ping: bool = False) -> list[Outage]:
        """A meter has power: its outage (if any) is over; it is evidence against others."""
        t = _seconds(when)
        touched: list[Outage] = []
        outage = self._outage_of_customer(i)
        since_restored = t - self.reports.restored_at[i]
        if (not ping and outage is None and math.isfinite(self.reports.out_since[i])
                and RESTORE_GRACE.total_seconds() < since_restored
                < NESTED_WINDOW.total_seconds()):
            # Never back since its area was restored, and back now: it was still out.
            self._late_restores.append((t, i, float(self.reports.out_since[i]),
                                        float(self.reports.restored_at[i])))
        self.reports.meter_on_time[i] = t
        if self.ties.feeds(self._parent[i]):
            self.reports.on_through_tie.add(i)
        else:
            self.reports.on_through_tie.discard(i)
        if not ping:
            self.reports.restore_message_time[i] = t
        # A silent meter's restore message says its power came back only now: it was
        # out. A ping's answer says only that it has power; it may never have been out.
        r = self.reports
        reported = r.called[i] or r.gasped[i] or (r.silent[i] and not ping)
        # A meter sends a restore message when its power returns, so one from a meter
        # that never said it was out (its last gasp lost) ends the outage above it too
        # — unless its area was restored a moment ago and it had not said it was back:
        # then it is that restoration's message, delayed. Only a ping's answer (or such
        # a delayed message) is evidence the prediction is wrong.
        delayed = (math.isfinite(self.reports.out_since[i])
                   and since_restored <= RESTORE_GRACE.total_seconds())
        restored = reported or not (ping or delayed)
        if outage is not None and restored and not self.predictor.forced[outage.candidate]:
            touched += self._restore_from_meters(outage, when)
        news = outage is not None or reported
        touched += self._clear_customer(i, when)
        # "On" is evidence against outages above the meter only while it is news (the
        # engine thought otherwise, or a ping was answered); a restore after a known
        # restoration merely confirms it, and tracking it would cost every update twice.
        if (news or ping) and not self.reports.powered[i]:
            self.reports.powered[i] = 1
            heapq.heappush(self._powered_expiry, (_seconds(when + POWERED_FOR), i))
            touched += self._update(i, powered=1, when=when)
        self.reports.out_since[i] = math.inf
        return touched

    def _restore_from_meters(self, outage: Outage, when: datetime) -> list[Outage]:
        """Restore an outage a meter says is over; once the restoration's messages are
        in, review which device it was (no crew or SCADA report names it)."""
        c = outage.candidate
        reporters = self._reporters_below(c)
        review = not self._still_open_below(c)  # a partial restoration: left as it is
        touched = self._restore([c], when, named=False,
                                by="its meters said the power was back")
        if review and outage.restored is not None:
            heapq.heappush(self._reviews, (_seconds(when + RESTORE_GRACE), outage.id, c,
                                           _seconds(outage.restored),
                                           tuple(reporters.tolist())))
        return touched

    def _review_restorations(self, now: datetime | None, limit: float) -> list[Outage]:
        """Restorations seen by the meters whose messages are all in: the device each
        ended (see `outage.restoration_review`)."""
        touched: list[Outage] = []
        while self._reviews and self._reviews[0][0] <= limit:
            _, outage_id, c, restored_at, reporters = heapq.heappop(self._reviews)
            outage = self.book.outages.get(outage_id)
            if (outage is None or outage.stage is not Stage.RESTORED or outage.candidate != c
                    or outage.restored is None or _seconds(outage.restored) != restored_at):
                continue  # moved since (a crew's close named the device) or reopened
            if self._review(outage, restored_at, np.array(reporters, dtype=np.int64),
                            now or outage.restored):
                touched.append(outage)
        return touched

    def _review(self, outage: Outage, restored_at: float, reporters: np.ndarray,
                now: datetime) -> bool:
        """Move a restored record to the device its restoration says operated; True
        when it moved."""
        c, tree = outage.candidate, self.tree
        # Its feeder (the device below the source): what one closing restores.
        area = self.customers_below(tree.path_up(c)[-2:][0])
        # Restore messages from customers of another restoration lately belong to
        # that one (they count as silent here); from the rest, with this one, they say
        # "out too".
        since = restored_at - NESTED_WINDOW.total_seconds()
        restored = self.reports.restored_at[area]
        other = (restored >= since) & (restored != restored_at)
        sent = self.reports.restore_message_time[area]
        with_it = (sent >= restored_at - RESTORE_BURST.total_seconds()) & (
            sent <= restored_at + RESTORE_GRACE.total_seconds())
        messages = np.setdiff1d(area[with_it & ~other], reporters)
        heard = np.union1d(reporters, messages)
        if len(heard) == 0:
            return False
        # Meters that said they had power again with another restoration while this
        # outage went on, and nothing since: this one did not hold them.
        on = self.reports.meter_on_time[area]
        powered = np.setdiff1d(area[other & (on > _seconds(outage.started))
                                    & (on < restored_at - RESTORE_BURST.total_seconds())],
                               reporters)
        live = np.array([tree.tin[a] for a in self.book.by_candidate], dtype=np.int64)

        def counts(a: int) -> tuple[int, int, int] | None:
            if ((live >= tree.tin[a]) & (live < tree.tout[a])).any():
                return None
            below = self.customers_below(a)
            return (len(below), int(np.isin(below, heard, assume_unique=True).sum()),
                    int(np.isin(below, powered, assume_unique=True).sum()))

        p = self.params
        gasp = self.calibration.gasp_delivery if self.predictor.ami else 0.0
        call = (outage.calls + p.call_alpha) / (outage.customers_out + p.call_alpha + p.call_beta)
        said_nothing = (1 - gasp) * (1 - self.calibration.restore_rate) * (1 - call)
        silence = math.log(max(said_nothing, 1e-9))  # every estimate stays below 1
        best = operated_device(
            tree, c, tree.customer_parent[reporters].tolist(),
            tree.customer_parent[messages].tolist(), counts,
            self.predictor.prior_log_odds, silence=silence, outside=math.log(HEARD_WITH_POWER),
            on_while_out=math.log(p.powered_if_out),
            best_prior=math.log(p.max_prior / (1 - p.max_prior)))
        if best == c:
            return False
        was = outage.device_id
        self._move(outage, best, now, live=False)
        outage.customer_ids = tuple(self.network.customers.ids[i]
                                    for i in self.customers_below(best).tolist())
        outage.explanation = (
            f"Its restoration at {outage.restored:%H:%M} says {outage.device_id} "
            f"operated, not {was} as predicted: {outage.device_id} explains best which "
            f"of its customers were heard from (calls, last gasps, power-restore "
            f"messages with the restoration: {len(heard)}) and which were not. "
            f"Predicted: {outage.explanation}")
        return True

    def _expire_powered(self, now: datetime, limit: float) -> list[Outage]:
        touched: list[Outage] = []
        while self._powered_expiry and self._powered_expiry[0][0] <= limit:
            _, i = heapq.heappop(self._powered_expiry)
            r = self.reports
            if r.powered[i] and r.meter_time[i] + POWERED_FOR.total_seconds() <= limit:
                self.reports.powered[i] = 0
                touched += self._update(i, powered=-1, when=now)
        return touched

    def _clear_customer(self, i: int, when: datetime) -> list[Outage]:
        r = self.reports
        calls, gasps, silent, unheard = r.called[i], r.gasped[i], r.silent[i], r.unheard[i]
        if self.reports.retired[i]:  # its calls and gasps are out of the evidence already
            self.reports.retired[i] = 0
            calls = gasps = 0
        self._callers -= calls
        r.called[i] = r.gasped[i] = r.silent[i] = r.unheard[i] = 0
        self.reports.report_time[i] = math.inf
        self.hazards.clear(i)
        if calls or gasps or silent or unheard:
            return self._update(i, calls=-calls, gasps=-gasps, silent=-silent,
                                unheard=-unheard, when=when)
        return []

    def _out_again(self, i: int, when: datetime) -> list[Outage]:
        """Customer `i`, whose meter said it was back after a restoration, says it is out:
        that "back" is over (it would tell against every outage over them)."""
        said = self.reports.back[i]
        if not said:
            return []
        self.reports.back[i] = 0
        return self._update(i, back=-(said == BACK), unheard_back=-(said == UNHEARD_BACK),
                            when=when)

    def _date_report(self, i: int) -> None:
        """Customer `i`'s report, standing again or for the first time after its area
        was restored, dates from when it went out with that outage."""
        self.reports.report_time[i] = min(self.reports.report_time[i],
                                          self.reports.out_since[i])

    def _set_aside_later(self, i: int, since: float) -> None:
        """Look at customer `i`'s reports again EVIDENCE_FOR after `since`."""
        heapq.heappush(self._retire, (since + EVIDENCE_FOR.total_seconds(), i))

    def _retire_old_reports(self, now: datetime, limit: float) -> list[Outage]:
        """Reports no live outage explains, EVIDENCE_FOR after they were made: out of
        the evidence, still standing. Those an outage explains stay with it (its
        restoration clears them); they are looked at again later."""
        touched: list[Outage] = []
        while self._retire and self._retire[0][0] <= limit:
            due, i = heapq.heappop(self._retire)
            if self.reports.retired[i] or not (self.reports.called[i] or self.reports.gasped[i]):
                continue
            if due - EVIDENCE_FOR.total_seconds() < self.reports.report_time[i]:
                continue  # cleared and reported again since: the later report's entry
            if self._outage_of_customer(i) is not None:
                self._set_aside_later(i, limit)
                continue
            # Out of the false-call count too: the rate is of the callers on the board.
            self._callers -= self.reports.called[i]
            touched += self._update(i, calls=-self.reports.called[i], gasps=-self.reports.gasped[i],
                                    when=now)
            self.reports.retired[i] = 1
            self._retired_unfit += self.reports.called[i]
        if self._retired_unfit and 10 * self._retired_unfit >= self._callers:
            # The rate learned with them on the board would expect their calls still:
            # a quiet area would read as one whose customers are out and silent. Learned
            # again once a tenth as many have gone as are on the board.
            self._retired_unfit = 0
            touched += [o for o in self._refit_false_calls(now) if o not in touched]
        return touched

    def _refit_false_calls(self, now: datetime) -> list[Outage]:
        """Estimate how often customers with power call anyway, from the calls no outage
        explains; a storm brings many more of them than a quiet day."""
        explained, inside = self.predictor.explained_calls()
        rate = self.calibration.refit_false_calls(self._callers - explained,
                                                  len(self.reports.called) - inside)
        if rate is None:
            return []
        return self._remap(self.predictor.set_false_call_rate(rate), now)

    def _refit_onset_window(self, now: datetime) -> list[Outage]:
        """Learn how far apart the storm's outages begin, from the reports on the board:
        last gasps (within seconds of their onset) where enough meters gasped, else
        first calls less their own spread. Faults that all begin together must not
        read as one outage for their common onset. With too few reports on the board
        (the storm over), the configured window again."""
        scorer = self.predictor.scorer
        variance = math.inf
        for channel in ("gasp", "call"):
            n, t, t2 = self.predictor.report_times(channel)
            if n >= WINDOW_REPORTS:
                variance = t2 / n - (t / n) ** 2 - scorer.spread(channel) ** 2
                break
        window = self.calibration.refit_window(variance, scorer.window)
        if window is None:
            return []
        return self._remap(self.predictor.set_window(window), now)

    def _refit_gasp_prior(self, now: datetime, *, count_callers: bool = True) -> list[Outage]:
        """Learn how often last gasps arrive: from the callers (out, or they would not
        call) whose meter gasped, and the restored outages. Counting the callers scans
        every customer: after a restoration the last count stands."""
        if not self.predictor.ami:
            return []
        if count_callers:
            gasped = np.frombuffer(self.reports.called, dtype=np.bool_) & np.frombuffer(
                self.reports.gasped, dtype=np.bool_)
            self.calibration.count_callers(self._callers, int(np.count_nonzero(gasped)))
        prior = self.calibration.refit_gasp_prior()
        if prior is None:
            return []
        return self._remap(self.predictor.set_gasp_prior(*prior), now)

    def _expect_nested(self, c: int, when: datetime) -> list[Outage]:
        """For a while after a restoration, a device inside it may still be open. Then
        its silent meters are forgotten (`_lift_prior_caps`), below a device with none
        inside it too."""
        heapq.heappush(self._prior_caps, (_seconds(when + NESTED_WINDOW), c))
        inside = int(self.tree.tout[c] - self.tree.tin[c]) - 1
        if inside <= 0:
            return []
        penalty = math.log(inside / NESTED_PRIOR)
        return self._remap(self.predictor.cap_prior(c, penalty), when)

    def _lift_prior_caps(self, now: datetime, limit: float) -> list[Outage]:
        touched: list[Outage] = []
        while self._prior_caps and self._prior_caps[0][0] <= limit:
            _, c = heapq.heappop(self._prior_caps)
            touched += self._remap(self.predictor.cap_prior(c, None), now)
            below = self.customers_below(c)
            # Silence was their only report: it says no more, nor dates a later outage.
            self.reports.report_time[below[self.reports.silent_only(below)]] = math.inf
            self.reports.forget_since_restored(below)
            touched += self._remap(self.predictor.set_meters_below(c, None), now)
        return touched

    def _check_restorations(self, now: datetime, limit: float) -> list[Outage]:
        """The meters of a restored area, RESTORE_GRACE on: those that said nothing
        since, gasped or not, against those that said they are back.

        Where restore messages do arrive from the area, the silent ones are evidence
        of customers still out: a nested outage, found without waiting for calls. Where
        none does, and too many are silent to be lost messages, nobody was restored.
        """
        touched: list[Outage] = []
        while self._restore_checks and self._restore_checks[0][0] <= limit:
            _, region, restored_at, gasped, callers = heapq.heappop(self._restore_checks)
            self._verify_restoration(region, restored_at)
            meters = np.array(gasped, dtype=np.int64)
            back = self.reports.meter_on_time[meters] >= restored_at
            parents = self.tree.customer_parent
            rate = self.calibration.count_restores(*restore_counts(parents[meters], back))
            if rate is not None:
                touched += self._remap(self.predictor.set_restore_delivery(rate), now)
            touched += self._refit_gasp_prior(now, count_callers=False)
            if not (self.params.restore_messages and self.predictor.ami):
                continue  # silence says nothing from a head-end that sends no restores
            unheard, heard = self._unheard_after(region, restored_at, meters)
            if (len(meters) + len(unheard) >= 2 and back.sum() == 0 and len(heard) == 0
                    and self._lost(region, meters, unheard) < ALL_LOST
                    and not self._heard_back(region, restored_at)):
                # No restore message at all, and too many to have been lost by chance:
                # nobody came back.
                touched += self._restored_nobody(
                    region, restored_at, meters[self.reports.meter_time[meters] < restored_at],
                    callers, now)
                continue
            quiet = meters[~back & (self.reports.meter_time[meters] < restored_at)]
            for i in quiet.tolist():
                self.reports.silent[i] = 1
                self._date_report(i)
            touched += self._learn_unheard_delivery(meters, back, unheard, heard, now)
            # Back and still on: one out again since is a new outage's report already.
            meters_back, heard = self._still_on(meters[back]), self._still_on(heard)
            self.reports.heard_since_restored(unheard, meters_back, heard)
            touched += self._remap(self.predictor.set_meters_below(region, RestoredMeters(
                silent=parents[quiet], back=parents[meters_back], unheard=parents[unheard],
                unheard_back=parents[heard])),
                now)
        return touched

    def _unheard_after(self, region: int, restored_at: float,
                       gasped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The meters a restoration gave power back whose last gasp had not arrived
        (none of `gasped`): those that said nothing since, and those whose restore
        message came."""
        r = self.reports
        customers = self.customers_below(region)
        mine = customers[r.restored_at[customers] == restored_at]
        mine = mine[~np.isin(mine, gasped)]
        back = r.meter_on_time[mine] >= restored_at
        quiet = ~back & (r.meter_time[mine] < restored_at)
        return mine[quiet], mine[back]

    def _still_on(self, meters: np.ndarray) -> np.ndarray:
        """Those of `meters` whose latest message says they have power."""
        r = self.reports
        on: np.ndarray = meters[r.meter_on_time[meters] >= r.meter_time[meters]]
        return on

    def _learn_unheard_delivery(self, gasped: np.ndarray, back: np.ndarray,
                                unheard: np.ndarray, heard: np.ndarray,
                                now: datetime) -> list[Outage]:
        """Count the restore messages of a restoration's meters whose last gasp was
        lost (`restore_counts`, grouped with the meters that gasped)."""
        meters = np.concatenate([gasped, unheard, heard])
        if len(meters) == len(gasped):
            return []
        arrived = np.concatenate([back, np.zeros(len(unheard), dtype=bool),
                                  np.ones(len(heard), dtype=bool)])
        among = np.arange(len(meters)) >= len(gasped)
        rate = self.calibration.count_unheard_restores(*restore_counts(
            self.tree.customer_parent[meters], arrived, among))
        return [] if rate is None else self._remap(self.predictor.set_unheard_delivery(rate),
                                                   now)

    def _lost(self, region: int, gasped: np.ndarray, unheard: np.ndarray) -> float:
        """The chance that the restore messages of every meter of a restored area that
        said nothing were lost (`gasped` and `unheard` meters, at their delivery rates):
        of those outside the device inside the area that holds the likeliest share of
        them (it may be a nested outage, the few others restored)."""
        cal = self.calibration
        weights = np.concatenate([np.full(len(gasped), -math.log1p(-cal.restore_rate)),
                                  np.full(len(unheard), -math.log1p(-cal.unheard_rate))])
        meters = np.concatenate([gasped, unheard])
        return math.exp(self._most_inside(region, meters, weights) - float(weights.sum()))

    def _most_inside(self, region: int, meters: np.ndarray, weights: np.ndarray) -> float:
        """The most weight of `meters` below any one device strictly inside `region`
        (0 for none) — not one right below it serving all its customers: one of those
        open is the area not restored at all."""
        lo, hi = int(self.tree.tin[region]), int(self.tree.tout[region])
        if hi - lo < 2:
            return 0.0
        # Candidates are numbered in preorder: children after their parents.
        below = np.bincount(self.tree.customer_parent[meters] - lo, weights=weights,
                            minlength=hi - lo)
        parent = self._cand_parent
        for offset in range(hi - lo - 1, 1, -1):
            if below[offset]:
                below[parent[lo + offset] - lo] += below[offset]
        for twin in self.predictor.twins_below(region):
            below[twin - lo] = 0.0
        return float(below[1:].max())

    def _heard_back(self, region: int, restored_at: float) -> bool:
        """Whether any meter below `region` said it is back since shortly before its
        restoration was reported (a crew reports its close up to an hour after the
        meters, whose records were restored then)."""
        since = restored_at - CLOSE_REPORTED_LATE.total_seconds()
        return bool((self.reports.meter_on_time[self.customers_below(region)] >= since).any())

    def _restored_nobody(self, region: int, restored_at: float, meters: np.ndarray,
                         callers: tuple[int, ...], now: datetime) -> list[Outage]:
        """None of the meters that gasped in a restored area said it is back: nobody
        was restored. A crew repaired a device while one above it is still open (storm
        crews work in parallel), or a restoration was recorded too soon. Their last
        gasps stand again, and the close says nothing of the devices above being
        closed. A device inside the area still open (a nested outage holding nearly
        all of it, the few restored meters' messages lost) stays as likely as after
        any restoration: the evidence decides between the two."""
        touched: list[Outage] = []
        self._dark_closes[region] = (EPOCH + timedelta(seconds=restored_at), len(meters))
        touched += self.closes.withdraw(region, now, self._remap)
        for i in meters.tolist():
            if not self.reports.gasped[i]:
                self.reports.gasped[i] = 1
                self._date_report(i)
                self._set_aside_later(i, _seconds(now))
                touched += self._update(i, gasps=1, when=now)
        for i in callers:  # their calls stand again too, at their first call's time
            if not self.reports.called[i] and self.reports.meter_on_time[i] < restored_at:
                self.reports.called[i] = 1
                self._callers += 1
                self._date_report(i)
                self._set_aside_later(i, _seconds(now))
                touched += self._update(i, calls=1, when=now)
        return touched

    def _verify_restoration(self, region: int, restored_at: float,
                            rounds: int = VERIFY_ROUNDS) -> None:
        """Ask one meter behind each transformer (or last device) of a restored area
        none of whose meters has said anything since whether it has power: those that
        do not are a nested outage, found before anyone calls again. Transformers
        still unheard are asked again (another of their meters, where they have one)
        PING_RETRY later, `rounds` times in all."""
        if self.pinger is None or self.now is None:
            return
        customers = self.customers_below(region)
        parents = self.tree.customer_parent[customers]
        heard = self.reports.meter_time[customers] >= restored_at
        unheard = ~np.isin(parents, parents[heard])
        if not unheard.any():
            return
        # One meter per unheard transformer: the one asked least lately.
        order = np.argsort(self.reports.pinged_at[customers[unheard]], kind="stable")
        quiet, quiet_parents = customers[unheard][order], parents[unheard][order]
        _, first = np.unique(quiet_parents, return_index=True)
        self._ask(quiet[np.sort(first)][:VERIFY_PINGS].tolist())
        if rounds > 1:
            heapq.heappush(self._verify_retries, (_seconds(self.now + PING_RETRY), region,
                                                  restored_at, rounds - 1))

    def _retry_verifications(self, limit: float) -> None:
        while self._verify_retries and self._verify_retries[0][0] <= limit:
            _, region, restored_at, rounds = heapq.heappop(self._verify_retries)
            self._verify_restoration(region, restored_at, rounds)

    def _minutes(self, t: float) -> float:
        """Minutes since the first report (small numbers keep the sums of squares exact)."""
        if self._minutes_ref is None:
            self._minutes_ref = t / 60
        return t / 60 - self._minutes_ref

    def _update(
        self, i: int, *, calls: int = 0, gasps: int = 0, powered: int = 0, silent: int = 0,
        unheard: int = 0, back: int = 0, unheard_back: int = 0, when: datetime,
    ) -> list[Outage]:
        change = self.predictor.add_evidence(
            self._parent[i], calls, gasps, powered, silent, float(self.reports.call_minutes[i]),
            float(self.reports.gasp_minutes[i]), unheard, back, unheard_back)
        touched = self._remap(change, when)
        parent = self._parent[i]
        outage = self._outage_of_candidate_path(parent)
        if outage is None:
            return touched
        dated = (calls > 0 or gasps > 0) and self._dated_by_report(outage, when)
        if dated or outage not in touched:
            self._refresh(outage, when)  # its ETR counts from its start
            if outage not in touched:
                touched.append(outage)
        return touched

    @staticmethod
    def _dated_by_report(outage: Outage, sent: datetime) -> bool:
        """An outage on the board starts no later than a report it explains: one `sent`
        before its start and received after (a phone's queued report, a late message)
        moves the start back. One sent more than NESTED_WINDOW before is of something
        else (an earlier outage, or a clock gone wrong): it moves nothing. True when it
        moved the start."""
        if not outage.active or not outage.started - NESTED_WINDOW <= sent < outage.started:
            return False
        outage.started = sent
        outage.first_report = min(outage.first_report, sent)
        return True

    # -- devices, crews, dispatchers -------------------------------------------------
    def _candidate_of_device(self, device_id: str) -> int:
        c = self.tree.index.get(device_id)
        if c is not None:
            return c
        branch = self.network.element_branch(device_id)
        matches = np.flatnonzero(self.tree.branch == branch)
        if len(matches) == 0 and device_id not in self.network.devices.index:
            kind = self.network.branch_kind(branch)
            raise EventError(f"device_id {device_id!r} is a {kind}, not a device whose "
                             "operation the engine follows (switching devices, service "
                             "transformers)")
        if len(matches) == 0:
            raise EventError(f"device_id {device_id!r} feeds nobody in the traced network")
        return int(matches[0])

    def _tie_closed(self, op: DeviceOperation) -> list[Outage]:
        """A tie closed: when one side is dead behind a device reported open and the
        other side is energised, the section behind that device is back-fed. Its
        customers are restored now (a partial restoration of the outage above them);
        the outage above goes on for the rest."""
        paths = self.ties.paths(op.device_id)
        dead = [self.ties.isolated_by(path) for path in paths]
        live = [not self.ties.dark(path) for path in paths]
        for side in (0, 1):
            boundary = dead[side]
            if boundary is not None and live[1 - side] and boundary not in self.ties.fed:
                above = self._outage_of_candidate_path(boundary)
                if above is not None and above.started > op.time:
                    return []  # closed before that outage began (out of time order)
                return self._back_feed(boundary, op)
        return []

    def _transferred(self, c: int, tie_op: DeviceOperation) -> list[Outage]:
        """`c` opened with a closed tie beyond it: the section below it is fed through
        the tie. With no outage over it, nobody lost power (a load transfer, make
        before break); with one, the section is back-fed out of it, as when the tie
        closes after the device opens. Should the tie open, the section is dark from
        then (`_tie_opened`)."""
        above = self._outage_of_candidate_path(c)
        if above is not None and above.started <= tie_op.time:
            return self._back_feed(c, tie_op)
        self.ties.fed[c] = tie_op.device_id
        touched = self._remap(self.predictor.set_detached(c, True), tie_op.time)
        if above is not None and above.active:  # began after it (out of time order)
            self._refresh(above, tie_op.time, recount=True)
            touched.append(above)
        return touched

    def _back_feed(self, boundary: int, op: DeviceOperation) -> list[Outage]:
        when = op.time
        above = self._outage_of_candidate_path(boundary)
        fed = self._fed_customers(boundary)
        self.ties.fed[boundary] = op.device_id
        if above is not None and above.candidate == boundary:
            # The section was an outage of its own: the back-feed restores it.
            touched = self._restore([boundary], when, by=f"back-fed through {op.device_id}")
            return touched + self._remap(self.predictor.set_detached(boundary, True), when)
        if above is not None:
            # A restoration step of the outage above: the record keeps everyone it
            # interrupted, and these customers' interruption ends now.
            above.steps.append((when, tuple(self.network.customers.ids[i] for i in fed)))
        self._mark_restored(fed, above.started if above is not None else when, when)
        # The predictor forgets every report below the boundary (`cut_off`), so the
        # engine does too: behind a device still open below it, that device speaks.
        self._forget_reports(self._interrupted_by(boundary), when, boundary)
        touched = self._remap(self.predictor.cut_off(boundary), when)
        if above is not None and above.active:
            self._refresh(above, when)
            touched.append(above)
        return touched

    def _tie_opened(self, op: DeviceOperation) -> list[Outage]:
        """A tie opened: sections it back-fed whose isolating device is still open are
        dark again, from now — unless another closed tie feeds them still."""
        touched: list[Outage] = []
        for boundary, tie in list(self.ties.fed.items()):
            if tie != op.device_id:
                continue
            del self.ties.fed[boundary]
            still_open = self.ties.device_open.get(self.tree.element_id[boundary])
            other = self.ties.feeding(boundary) if still_open else None
            if other is not None:
                self.ties.fed[boundary] = other
                continue
            touched += self._remap(self.predictor.set_detached(boundary, False), op.time)
            if still_open:
                touched += self._remap(self.predictor.set_forced(boundary, True), op.time)
                # Dark from now: the back-feed restored them (`_mark_restored`) since
                # the outage above began.
                self.reports.out_since[self._fed_customers(boundary)] = _seconds(op.time)
            above = self._outage_of_candidate_path(boundary)
            if above is not None and above.active:  # the section is its again
                self._refresh(above, op.time, recount=True)
                touched.append(above)
        return touched

    def _fed_customers(self, boundary: int) -> np.ndarray:
        """Customers a back-feed past `boundary` reaches: all below it but those behind
        devices still reported open further down."""
        still_open = self._still_open_below(boundary)
        return self._back_on(self.customers_below(boundary), still_open)

    def _on_device(self, op: DeviceOperation) -> list[Outage]:
        known = self.ties.device_open.get(op.device_id)
        self.ties.device_open[op.device_id] = op.open
        if self.ties.is_tie(op.device_id):
            if op.open == (known is None or known):  # a tie is normally open
                return []  # as it was: nothing switched
            return self._tie_opened(op) if op.open else self._tie_closed(op)
        c = self._candidate_of_device(op.device_id)
        if op.open:
            if c in self.ties.fed:
                return []  # open already, its section fed through a tie
            tie = self.ties.feeding(c)
            if tie is not None:
                return self._transferred(c, replace(op, device_id=tie))
            # Opened inside an outage on the board: maybe isolating the fault, the
            # device above still open too (the reports decide). So with any a crew
            # reports open: a crew sees that device, not those above it, where SCADA
            # watches them too (it would have reported one above open).
            isolating = (op.source != "scada"
                         or self._outage_of_candidate_path(self._cand_parent[c]) is not None)
            touched = self._remap(self.predictor.set_forced(c, True, isolating=isolating),
                                  op.time)
            outage = self._outage_at(c)
            if outage is not None:
                outage.stage = max(outage.stage, Stage.CONFIRMED, key=_stage_order)
                found = self._found_since(c, op)
                if found is not None and found < outage.started:
                    outage.started = outage.first_report = found
                self._refresh(outage, op.time)
                if outage not in touched:
                    touched.append(outage)
            return touched
        late = self._closed_after_meters(c, op) if known is None else None
        if late is not None:
            touched = late
        else:
            back = self._back_before_close(c, op)
            by = f"{op.source} reported {op.device_id} closed"
            if back < op.time:
                by = f"its meters said the power was back; {by} at {op.time:%H:%M}"
            touched = self._restore_below(c, back, by=by)
            if not touched and known is None:
                touched = self._found_open(c, op)
        return touched + self._known_closed(c, op) + self._resync(op.time)

    def _back_before_close(self, c: int, op: DeviceOperation) -> datetime:
        """When the power behind a device a crew closed came back, when it was reported
        open or outages were predicted below it (they move up to it): by the restore
        messages of the meters it feeds (none fed from elsewhere or behind a device still
        open), when they came before the close (crews report on the way to the next job,
        within CLOSE_REPORTED_LATE) and after any switching step of its outage, the lower
        median of their times; else the close itself (SCADA reports at once)."""
        outage = self._outage_at(c)
        if op.source == "scada":
            return op.time
        if outage is None:
            # Predicted below it: the device that closed was open (they move up to it),
            # and its meters outside them said when its power came back.
            inside = [o for o in self.book.live() if o.candidate != c
                      and self.tree.contains(c, o.candidate)
                      and not self.predictor.forced[o.candidate]]
            if not inside:
                return op.time
            return self._back_before_late_close(c, op, min(o.started for o in inside))
        if not self.predictor.forced[c]:
            return op.time
        since = max([outage.started, op.time - CLOSE_REPORTED_LATE,
                     *(when for when, _ in outage.steps)])
        return self._back_by_messages(c, since, op.time)

    def _back_before_late_close(self, c: int, op: DeviceOperation,
                                since: datetime | None = None) -> datetime:
        """When the power behind a device a crew closed, with no outage of its own on the
        board, came back: by the restore messages of its meters in the hour before the
        close (and after `since`), but for those that came with another restoration of
        theirs (its grace period)."""
        after = (float(self.reports.restored_at[self.customers_below(c)].max())
                 + RESTORE_GRACE.total_seconds())
        window = max(_seconds(op.time - CLOSE_REPORTED_LATE), after,
                     -math.inf if since is None else _seconds(since))
        return self._back_by_messages(c, EPOCH + timedelta(seconds=window), op.time)

    def _back_by_messages(self, c: int, since: datetime, closed: datetime) -> datetime:
        """The lower median of the restore messages that came between `since` and a
        crew's close of `c` from the meters it feeds (none fed from elsewhere or behind
        a device still open); the close itself when none came."""
        fed = self._back_on(self._interrupted_by(c), self._still_open_below(c))
        times = self.reports.restore_message_time[fed]
        back = np.sort(times[(times >= _seconds(since)) & (times <= _seconds(closed))])
        if not len(back):
            return closed
        return EPOCH + timedelta(seconds=float(back[(len(back) - 1) // 2]))

    def _closed_after_meters(self, c: int, op: DeviceOperation) -> list[Outage] | None:
        """A close that meters below the device beat: their power came back before the
        close was reported (crews report on the way to the next job), so it reports a
        restoration already recorded, not news. None when it is news.

        A record of this device restored lately is confirmed, and outages predicted
        below it since are nested ones it did not end. Records restored lately below
        it were it (a close names what was open): they merge and move to it, with all
        its customers, unless someone below has reported out since. A record above it
        moves down when only this device's meters came back, else it stands.
        """
        if self._outage_at(c) is not None:
            return None  # open again since: this close ends that
        customers = self.customers_below(c)
        since = op.time - CLOSE_REPORTED_LATE
        if not (self.reports.meter_on_time[customers] >= _seconds(since)).any():
            return None  # no meter below it came back lately (the scan below is long)
        records = self._restored_lately(c, since)
        if not records:
            return None
        began = _seconds(records[0].started)
        if not (self.reports.meter_on_time[customers] > began).any():
            return None
        how = (f"{op.source.capitalize()} reported {self.tree.element_id[c]} closed at "
               f"{op.time:%Y-%m-%d %H:%M}, after meters below it said the power was back")
        exact = [o for o in records if o.candidate == c]
        if exact:
            exact[-1].explanation += f" {how}."
            return [exact[-1]]
        # Reports since from below it, but for those in an outage below it that began
        # before the restoration (a nested one, or behind a switch a crew opened to
        # isolate the fault: out all along, which the close cannot end).
        restored = min(o.restored or op.time for o in records)
        ends = self._back_on(customers, [o.candidate for o in self.book.live()
                                         if o.candidate != c and self.tree.contains(c, o.candidate)
                                         and o.started < restored])
        reported = (np.frombuffer(self.reports.called, dtype=np.uint8)[ends]
                    | np.frombuffer(self.reports.gasped, dtype=np.uint8)[ends])
        if reported.any():
            return None  # out since, below it: this close may be what ends that
        inside = [o for o in records if self.tree.contains(c, o.candidate)]
        if not inside:
            above = records[-1]
            outside = np.setdiff1d(self.customers_below(above.candidate), customers)
            if (self.reports.meter_on_time[outside] > began).any():
                return []  # the area above came back too: that outage was real
            inside = [above]
        self._found_restored(inside, c, customers, op.time, how)
        return inside

    def _restored_lately(self, c: int, since: datetime) -> list[Outage]:
        """Records restored since `since` at or below candidate `c` and above it, but
        for those a crew's or SCADA's close of their own device restored (that device
        was open: a separate outage), oldest first. Above it, a device found from late
        restore messages counts as closed by report too."""
        def closed_by_report(o: Outage) -> bool:
            a = o.candidate
            return a != c and self.closes.closed_by_report(a)

        return sorted((o for o in self.book.outages.values()
                       if o.stage is Stage.RESTORED and o.restored is not None
                       and o.restored >= since and not closed_by_report(o)
                       and (self.tree.contains(c, o.candidate)
                            or (self.tree.contains(o.candidate, c)
                                and o.device_id not in self.ties.device_open))),
                      key=lambda o: (o.started, o.id))

    def _found_restored(self, records: list[Outage], c: int, customers: np.ndarray,
                        when: datetime, how: str) -> None:
        """Restored records that were really candidate `c` open: the oldest takes the
        others in and moves to it, with all its `customers`, restored when the first was."""
        kept = records[0]
        for other in records[1:]:
            OutageBook.merge(other, kept, when)
        restored = min(o.restored for o in records if o.restored is not None)
        predicted = ", ".join(dict.fromkeys(o.device_id for o in records))
        self._move(kept, c, when, live=False)
        kept.stage, kept.restored = Stage.RESTORED, restored
        kept.customer_ids = tuple(self.network.customers.ids[i] for i in customers.tolist())
        kept.explanation = (f"{how} at {restored:%H:%M}: it was open, not {predicted} "
                            f"as predicted. Predicted: {kept.explanation}")

    def _known_closed(self, c: int, op: DeviceOperation) -> list[Outage]:
        """A device reported closed is not open again until something says so: for
        NESTED_WINDOW after a crew's close, for good once SCADA reports on it."""
        floor = self.closes.floor(c, _seconds(op.time + NESTED_WINDOW),
                                  scada=op.source == "scada")
        return self._remap(floor, op.time) + self._closed_below(c, op.time)

    def _closed_below(self, c: int, when: datetime) -> list[Outage]:
        """The devices above `c`, just closed, are likely closed too: unless reported
        open, or an outage there is confirmed. For NESTED_WINDOW."""
        above = [a for a in self.tree.path_up(c)[1:] if not self.predictor.forced[a]
                 and ((outage := self._outage_at(a)) is None or outage.stage is Stage.PREDICTED)]
        return self.closes.speak_for_above(c, _seconds(when + NESTED_WINDOW), when, above,
                                           self._remap)

    def _resync(self, when: datetime) -> list[Outage]:
        """Records for exactly the candidates the predictor selects.

        Moving a record to the device a crew found (rather than the one predicted)
        leaves the predictor's choice without a record; the next reports under it
        must still show as an outage.
        """
        missing = self.predictor.selected - self.book.by_candidate.keys()
        return self._remap(Change(frozenset(), frozenset(missing)), when) if missing else []

    def _on_crew(self, update: CrewUpdate) -> list[Outage]:
        outage = self.book.outages[update.outage_id]
        if update.cause:
            outage.cause = update.cause
        if update.crew_id:
            outage.crew_id = update.crew_id
        outage.updated = update.time
        if not outage.active:
            return [outage]
        if update.status is CrewStatus.RESTORED:
            # The crew names this outage: restored, at its start at the earliest (a
            # phone's queued report can carry a time from before the outage's record).
            crew = f"crew {outage.crew_id}" if outage.crew_id else "the crew"
            return self._restore_below(outage.candidate, max(update.time, outage.started),
                                       by=f"{crew} reported it restored")
        stage = Stage(str(update.status)) if update.status is not CrewStatus.NEED_HELP else None
        if stage is not None:
            outage.stage = stage
        if update.status is CrewStatus.ON_SITE:  # the crew has seen it: confirmed
            return self._confirm(outage, update.time)
        return [outage]

    def _on_dispatcher(self, action: DispatcherAction) -> list[Outage]:
        when = action.time
        if action.action is Action.CLEAR_REPORTS:
            return self._clear_reports(action.customer_ids, when)
        outage = self.book.outages[action.outage_id]
        if action.action is Action.SET_ETR:
            if action.by == "plan" and outage.etr_source == "dispatcher":
                return []  # a person's estimate stands until a person changes it
            outage.etr, outage.etr_source = action.etr, action.by
            return [outage]
        if action.action is Action.SET_CAUSE:
            outage.cause = action.cause
            return [outage]
        if action.action is Action.CONFIRM:
            return self._confirm(outage, when)
        if action.action is Action.CANCEL:
            return self._cancel(outage, when)
        if action.action is Action.MERGE:
            return self._merge(outage, action.target, when)
        return self._split(outage, action.customer_ids, when)

    def _clear_reports(self, customer_ids: tuple[str, ...], when: datetime) -> list[Outage]:
        """Checked, no outage: forget these customers' reports (and their hazards)."""
        index = self.network.customers.index
        touched: list[Outage] = []
        for c in customer_ids:
            touched += self._clear_customer(index[c], when)
        return touched

    def _confirm(self, outage: Outage, when: datetime) -> list[Outage]:
        touched = self._remap(self.predictor.set_forced(outage.candidate, True), when)
        if outage.stage is Stage.PREDICTED:
            outage.stage = Stage.CONFIRMED
        self._refresh(outage, when)
        return [*touched, outage]

    def _cancel(self, outage: Outage, when: datetime) -> list[Outage]:
        """Not an outage: forget the evidence below it, so it does not come back."""
        c = outage.candidate
        self.book.by_candidate.pop(c, None)
        outage.stage, outage.updated = Stage.CANCELLED, when
        touched = [outage]
        if self.predictor.forced[c]:
            touched += self._remap(self.predictor.set_forced(c, False), when)
        for i in self.customers_below(c):
            touched += self._clear_customer(int(i), when)
        return touched

    def _merge(self, outage: Outage, target_id: str, when: datetime) -> list[Outage]:
        target = self.book.outages[target_id]
        common = self.tree.covering([outage.candidate, target.candidate])
        if common == NONE:  # refused in `_check_action`
            return []
        return self._remap(self.predictor.set_forced(common, True), when)

    def _split_devices(self, outage: Outage, customer_ids: tuple[str, ...]) -> set[int]:
        """The lowest devices over `customer_ids` that lie inside `outage`."""
        index = self.network.customers.index
        parents = {self._parent[index[c]] for c in customer_ids}
        return {p for p in parents if p != NONE and self.tree.contains(outage.candidate, p)}

    def _split(self, outage: Outage, customer_ids: tuple[str, ...], when: datetime) -> list[Outage]:
        """Force open the devices below the outage over `customer_ids` (checked in
        `_check_action`): they become outages of their own."""
        touched: list[Outage] = []
        for p in sorted(self._split_devices(outage, customer_ids) - {outage.candidate}):
            touched += self._remap(self.predictor.set_forced(p, True), when)
        return touched

    # -- restoration -----------------------------------------------------------------
    def _restore_below(self, candidate: int, when: datetime, *,
                       by: str = "") -> list[Outage]:
        """A device closed again: every outage at or below it is restored."""
        own = self._outage_at(candidate)
        if own is not None and own.started > when:
            return []  # reported out of time order: it closed before this outage began
        lo, hi = int(self.tree.tin[candidate]), int(self.tree.tout[candidate])
        # Devices still reported open below stay out: a partial restoration. An outage
        # that began after the close (reported out of time order), or in a section
        # below back-fed from elsewhere, is not ended by it.
        inside = [c for c in self.predictor.fed_by(candidate, list(self.book.by_candidate))
                  if lo <= int(self.tree.tin[c]) < hi
                  and (c == candidate or not self.predictor.forced[c])
                  and self.book.outages[self.book.by_candidate[c]].started <= when]
        touched: list[Outage] = []
        predicted: list[str] = []  # what the record said before the close named the device
        if not inside:
            was = self._repoint_covering_outage(candidate, when)
            if was is not None:
                inside, predicted = [candidate], [was]
        elif candidate not in inside:
            # The device that closed was open: the outages predicted below it were it.
            predicted = [self.tree.element_id[c] for c in inside]
            touched += self._repoint_inside_outages(candidate, inside, when)
            inside = [candidate]
        if predicted and by:
            by += f" (predicted at {', '.join(predicted)} until then)"
        touched += self._restore(inside, when, closed_device=candidate, by=by)
        if self.predictor.forced[candidate]:
            touched += self._remap(self.predictor.set_forced(candidate, False), when)
        return touched

    def _found_open(self, c: int, op: DeviceOperation) -> list[Outage]:
        """A device closed that no event had reported open and no prediction covered.

        Closing it says it was open: its customers were out, unreported (a storm patrol
        finds such devices). The outage is recorded and restored at once, starting at the
        earliest report below it, or with the outage its customers were last restored
        from (they never came back: a nested outage), else (nobody reported it) in the
        middle of the storm's other outages' starts, or on a quiet day as long before
        the close as its kind of outage lasts — except for a SCADA close with no report
        below, which is a state report.
        """
        customers = self.customers_below(c)
        if len(customers) == 0:
            return []
        reported = self.reports.report_time[customers]
        if (np.isfinite(reported) & (reported > _seconds(op.time))).any():
            # Reported out after the close (which came out of time order): that is an
            # outage since, not this find, and its reports must stand.
            return []
        # A crew reports its close on the way to the next job: restore messages from
        # the meters it feeds in the hour before say when the power came back (SCADA
        # reports at once). They were out until then, not with power — unless the
        # messages came with another restoration of theirs (its grace period).
        back = op.time if op.source == "scada" else self._back_before_late_close(c, op)
        # As it stood when the power came back: the restore messages end the outage,
        # they do not say its customers had power before their reports.
        started = self._start_of(c, back, _seconds(back), restored=back)
        since = self.reports.never_back_since(customers, _seconds(op.time))
        left_out = math.isfinite(since) and since < _seconds(started)
        if left_out:  # not for meters that said they had power since
            started = EPOCH + timedelta(seconds=since)
        if op.source == "scada" and started >= op.time:
            # SCADA sees its devices open as well as close: a close it never saw open,
            # with nobody out below, is a state report (e.g. after a restart), not news.
            return []
        how = (f"Found open: {op.source} closed it at {op.time:%Y-%m-%d %H:%M} with no "
               "outage predicted here. ")
        if left_out:
            how += (f"Its customers were out since {started:%H:%M} with an outage restored "
                    "since, and none of them said the power was back: it was open then "
                    "too. ")
        if back < op.time:
            how += (f"Its meters said the power was back at {back:%H:%M}, "
                    f"{(op.time - back).total_seconds() / 60:.0f} minutes before the close "
                    "was reported. ")
        storm = self._storm_onsets(back) if started >= back else []
        if len(storm) >= STORM_PEERS:
            # Its customers' minutes count toward the reliability indices: a start at
            # the close would count none, and the storm is when it most likely opened.
            started = storm[len(storm) // 2]
            how += (f"Nobody reported it, so its start is taken as the middle of the "
                    f"storm's {len(storm)} other outages' starts ({started:%H:%M}). ")
        elif started >= back:
            # A quiet day: nothing says when it opened, but a repair ends a sustained
            # interruption, not one of no minutes (which would count as momentary and
            # leave the indices short): it lasted what its kind lasts, the median. Unless
            # a meter behind it had power since then (before the restore messages of
            # its repair) and no last gasp came: then it opened just now, if at all.
            lasted = self.restoration_times.median_minutes(self.tree.kind[c])
            opened = back - timedelta(minutes=lasted)
            heard = self.reports.last_heard(customers, _seconds(back - RESTORE_BURST))
            if heard < _seconds(opened):
                started = opened
                how += (f"Nobody reported it, so its start is taken as {lasted:.0f} "
                        f"minutes before the power came back, how long such an outage "
                        f"lasts ({started:%H:%M}). ")
        return self._record_found(c, started, back, how)

    def _found_since(self, c: int, op: DeviceOperation) -> datetime | None:
        """When a device a crew reports open went dark, if it was found open behind an
        outage above it restored lately: its customers never came back (a nested
        outage, found before the repair rather than at it). None for SCADA (it reports
        an opening as it happens), or when the latest restoration of the area was the
        device's own or one below it (opened again since), or none lately."""
        if op.source == "scada":
            return None
        since = op.time - NESTED_WINDOW
        latest = max((o for o in self.book.outages.values()
                      if o.stage is Stage.RESTORED and o.restored is not None
                      and o.restored >= since and (self.tree.contains(o.candidate, c)
                                                   or self.tree.contains(c, o.candidate))),
                     key=lambda o: o.restored or op.time, default=None)
        if latest is None or latest.candidate == c or not self.tree.contains(latest.candidate, c):
            return None
        dark = self.reports.never_back_since(self.customers_below(c), _seconds(op.time))
        return EPOCH + timedelta(seconds=dark) if math.isfinite(dark) else None

    def _storm_onsets(self, when: datetime) -> list[datetime]:
        """The starts, in order, of the outages going on at `when` or restored within
        NESTED_WINDOW before it (cancelled ones aside): the storm in progress."""
        since = when - NESTED_WINDOW
        return sorted(o.started for o in self.book.outages.values()
                      if o.stage is not Stage.CANCELLED and o.started < when
                      and (o.restored is None or o.restored >= since))

    def _record_found(self, c: int, started: datetime, closed: datetime,
                      how: str) -> list[Outage]:
        """An outage nobody predicted, known once it is over: recorded and restored."""
        outage = self._new_outage(c, self.book.new_id(), closed, started)
        outage.stage = Stage.CONFIRMED
        self.book.outages[outage.id] = outage
        self.book.by_candidate[c] = outage.id
        touched = self._restore([c], closed, closed_device=c)
        outage.explanation = how + outage.explanation
        return touched

    def _record_late_restorations(self, limit: float) -> list[Outage]:
        """Restore messages that came long after their area's restoration, once those
        from one device's closing are all in: that device was still open (see
        `outage.late_restores`)."""
        late = self._late_restores
        if not late or late[0][0] + LATE_GATHER.total_seconds() > limit:
            return []
        self._late_restores = []
        by_restoration: dict[float, list[tuple[float, int, float, float]]] = {}
        for entry in late:
            # A meter another record has restored since is in that one's minutes.
            if self.reports.restored_at[entry[1]] == entry[3]:
                by_restoration.setdefault(entry[3], []).append(entry)
        touched: list[Outage] = []
        for restored_at, entries in by_restoration.items():
            def on_time(c: int, restored_at: float = restored_at) -> bool:
                on = self.reports.meter_on_time[self.customers_below(c)]
                return bool(((on >= restored_at)
                             & (on < restored_at + RESTORE_GRACE.total_seconds())).any())
            when = {i: (t, since) for t, i, since, _ in entries}
            for c, meters in found_devices(self.tree, list(when), on_time):
                if self._outage_of_candidate_path(c) is not None:
                    continue  # an outage there or above already covers them
                back = min(when[i][0] for i in meters)
                started = EPOCH + timedelta(seconds=min(when[i][1] for i in meters))
                how = (f"Found from {len(meters)} power-restore messages that came "
                       f"{(back - restored_at) / 60:.0f} minutes after the outage around "
                       "it was restored: still open until then. ")
                inside = self._restored_with(c, back)
                if inside is None:
                    touched += self._record_found(c, started, EPOCH + timedelta(seconds=back),
                                                  how)
                else:  # the same closing restored a record below it: that record grows
                    touched.append(self._grow_restored(inside, c, started, how))
                self.reports.out_since[meters] = math.inf  # they said they are back
                # A crew's report of that close, coming later, is not a second outage.
                self.ties.device_open[self.tree.element_id[c]] = False
        return touched

    def _restored_with(self, c: int, back: float) -> Outage | None:
        """A record the meters restored strictly below `c` within RESTORE_GRACE of
        `back` (its review still to come): `c`'s closing, most likely, restored both."""
        for _, outage_id, inner, restored_at, _ in self._reviews:
            if (abs(restored_at - back) <= RESTORE_GRACE.total_seconds() and inner != c
                    and self.tree.contains(c, inner)):
                outage = self.book.outages[outage_id]
                if (outage.stage is Stage.RESTORED and outage.candidate == inner
                        and outage.restored is not None
                        and _seconds(outage.restored) == restored_at):
                    return outage
        return None

    def _grow_restored(self, outage: Outage, c: int, started: datetime, how: str) -> Outage:
        """Move a restored record up to `c`, whose late restore messages came with its
        restoration; the customers it gains were out from `started` until then."""
        assert outage.restored is not None
        was = outage.device_id
        self._move(outage, c, outage.restored, live=False)
        outage.started = min(outage.started, started)
        customers = self.customers_below(c)
        self.reports.restored_at[customers] = _seconds(outage.restored)
        outage.customer_ids = tuple(self.network.customers.ids[i] for i in customers.tolist())
        outage.explanation = (f"{how}They came back with {was}'s restoration, so "
                              f"{outage.device_id} above it operated. Predicted: "
                              f"{outage.explanation}")
        return outage

    def _still_open_below(self, c: int) -> list[int]:
        """Devices below `c` still reported open (SCADA, a crew, a dispatcher)."""
        lo, hi = int(self.tree.tin[c]), int(self.tree.tout[c])
        return [a for a in self.predictor.active_between(lo + 1, hi) if self.predictor.forced[a]]

    def _back_on(self, customers: np.ndarray, still_open: list[int]) -> np.ndarray:
        """`customers` except those behind a device still open (reported, or an outage
        below that began before): partial restoration."""
        if not still_open:
            return customers
        out = np.concatenate([self.customers_below(a) for a in still_open])
        return np.setdiff1d(customers, out)

    def _repoint_inside_outages(self, candidate: int, inside: list[int],
                                when: datetime) -> list[Outage]:
        """Move the oldest outage below `candidate` up to it; merge the others into it.
        It starts with the reports below `candidate`, or with one of them known out
        before (as an outage the predictor moves up, `OutageBook.apply`)."""
        outages = self.book.oldest_first([self.book.outages[self.book.by_candidate[c]]
                                          for c in inside])
        kept = outages[0]
        parts = [replace(kept), *outages[1:]]  # kept's start as it was, too
        own = self._start_of(candidate, when, restored=when)
        if own <= when:  # not from reports after the close (a stream out of time order)
            kept.started = kept.first_report = own
        for part in parts:
            self.book.date_by_known(kept, part)
        for other in outages[1:]:
            del self.book.by_candidate[other.candidate]
            OutageBook.merge(other, kept, when, dated=False)
        del self.book.by_candidate[kept.candidate]
        self._move(kept, candidate, when)
        return outages[1:]

    def _move(self, outage: Outage, candidate: int, when: datetime, *,
              live: bool = True) -> None:
        """Re-point an outage record at another candidate (what was really found open)."""
        outage.candidate = candidate
        outage.device_id = self.tree.element_id[candidate]
        outage.device_kind = self.tree.kind[candidate]
        outage.customers_out = int(self.tree.customers[candidate])
        outage.critical_out = int(self.tree.critical[candidate])
        outage.updated = when
        if live:
            self.book.by_candidate[candidate] = outage.id

    def _repoint_covering_outage(self, candidate: int, when: datetime) -> str | None:
        """A device closed below a predicted outage: that device was what operated,
        when some of the outage's reports are behind it.

        The outage record moves down to the device (and is restored with it); reports
        elsewhere under the old prediction are explained afresh. Returns the device it
        was predicted at, or None when nothing moved.
        """
        covering = self._outage_of_candidate_path(int(self.tree.parent[candidate]))
        if (covering is None or self.predictor.forced[covering.candidate]
                or covering.started > when):
            return None
        if not self.reports.has_evidence(self.customers_below(candidate)).any():
            return None  # it explains none of the reports: found open on its own
        # Out since the first report behind the device, not since reports elsewhere
        # under the old prediction (another outage's, or a false call).
        started = self._start_of(candidate, when, restored=when)
        if started > when:
            return None  # its reports came after the close (reported out of time order)
        was = covering.device_id
        del self.book.by_candidate[covering.candidate]
        self._move(covering, candidate, when)
        covering.started = covering.first_report = started
        return was

    def _restore(self, candidates: list[int], when: datetime, *,
                 named: bool = True, closed_device: int = NONE,
                 by: str = "") -> list[Outage]:
        """Restore the outages at `candidates`; `named` when a device report (a crew's
        or SCADA's close) says which device it was, not the meters' messages. The
        record of `closed_device`, the device a crew or SCADA closed (or the crew on site
        reported restored), is certain: a close names what was open. `by` says what
        restored them, for their explanations."""
        touched: list[Outage] = []
        for c in candidates:
            outage = self._outage_at(c)
            if outage is None:
                continue
            still_open = self._still_open_below(c)
            # The record keeps everyone the operation interrupted; who is back now
            # (everyone but the sections behind devices still open) is what changes.
            affected = self._interrupted_by(c)
            customers = self._back_on(affected, still_open)
            ids = self.network.customers.ids
            # Everyone it interrupted, those restored in steps before it (back-fed) too,
            # once: a section back-fed and dark again since is among `affected`.
            now_ids = tuple(ids[i] for i in affected)
            out_now = set(now_ids)
            early = list(dict.fromkeys(c for _, step in outage.steps for c in step
                                       if c not in out_now))
            outage.customer_ids = now_ids + tuple(early)
            self._refresh(outage, when)
            if c == closed_device:
                outage.confidence = 1.0
            # After `_refresh`, whose dating has no wait.
            self._date_by_reports(outage, c, when, restoring=True)
            if early:
                outage.customers_out += int(self.network.customers.count[
                    [self.network.customers.index[c] for c in early]].sum())
            outage.explanation = explain(self, outage, when, named=c == closed_device)
            if by:
                outage.explanation += f" Restored at {when:%Y-%m-%d %H:%M}: {by}."
            self.book.restore([c], when)
            if self.restoration_times.observe(outage.device_kind, outage.started, when):
                touched += self._re_estimate(when)
            # Their evidence is explained and over; who is still out must say so again.
            self._mark_restored(customers, outage.started, when)
            touched += self._learn_from_restored(affected, outage.started, when,
                                                 call_share=named)
            self._forget_reports(affected, when, c)
            touched += self._remap(self.predictor.clear_below(c), when)
            touched += self._expect_nested(c, when)
            if self.predictor.forced[c]:
                touched += self._remap(self.predictor.set_forced(c, False), when)
            for a in still_open:  # out since the larger outage began, not since now
                if self.predictor.isolating[a]:  # what it isolated is over: a plain open
                    touched += self._remap(self.predictor.set_forced(a, True), when)
                inner = self._outage_at(a)
                if inner is not None:
                    inner.started = min(inner.started, self._dark_since(a, outage))
            touched.append(outage)
        return touched

    def _date_by_reports(self, outage: Outage, c: int, when: datetime, *,
                         wait: bool = True, restoring: bool = False) -> None:
        """Date `outage` again from all its reports up to `when`, when its start is theirs
        (its earliest report, or a later onset they gave it), or a dating as left out by
        a restoration (`CustomerReports.left_out_since`) that they no longer bear out: as
        they double while it is live, and when it is over (restored, or the replay ends).

        Created from its first few reports, it could not yet tell a lone call an hour
        before them from its own first: it starts at its onset as all of them tell it
        (`CustomerReports.onset_below`). When it is over (`wait`) and only calls told of
        it, it starts the first caller's wait before that: one outage's calls come about
        a call spread after the power goes, the first of `k` about 1/k of it (the
        earliest call is always late, most for a small outage that one or two call
        about), but not before its customers last had power. A last gasp dates it to the
        second (a silent meter, to its gasp at the outage restored since); a device's
        open, exactly. Not while it is live: its start is also what says a
        report or a close stamped before it, and received after, is of an earlier
        time, and an estimate would take an "on" stamped in the wait for its end.
        """
        outage.dated_reports = outage.calls + outage.gasps
        if self.predictor.forced[c] or when <= outage.started:
            return  # a close stamped before its reports restores it at its start
        customers = self.customers_below(c)
        until = _seconds(when)
        onset, heard, reported = self.reports.onset_below(
            customers, self._call_spread(), until, _messages_from(when if restoring else None))
        if not math.isfinite(onset):
            return
        times = self.reports.report_time[customers]
        started, first = _seconds(outage.started), float(times[reported].min())
        # Dated as left out by a restoration, on its first few reports: dated again
        # unless all of them say so still.
        left_out = (started < first
                    and (np.abs(self.reports.out_since[customers] - started) < 1).any()
                    and math.isinf(self.reports.left_out_since(
                        customers, heard, _seconds(when), self._call_spread(), until)))
        if started <= first - 1 and outage.started != outage.report_dated and not left_out:
            return  # dated before its reports by something else: a crew, a restoration
        # Never before an onset they gave it already: more reports only set more aside
        # (a spread learned wider since would take in a storm's scattered false calls).
        onset = max(onset, started) if started >= first else onset
        start, outage.first_call_wait = onset, 0.0
        callers = customers[reported & (times >= onset)]
        # Only calls told of it: a last gasp dates it to the second, and a silent meter
        # to when it went out with an outage restored since.
        if wait and len(callers) and not (flagged(self.reports.gasped, callers)
                                          | flagged(self.reports.silent, callers)).any():
            restored = self.reports.restored_at[customers]
            had_power = max(heard, float(restored[restored <= onset].max(initial=0.0)))
            start = max(onset - round(self._call_spread() / len(callers)), had_power)
            outage.first_call_wait = (onset - start) / 60
        outage.started = outage.report_dated = EPOCH + timedelta(seconds=start)
        outage.first_report = EPOCH + timedelta(seconds=onset)  # its own, as they all tell

    def _dark_since(self, a: int, outage: Outage) -> datetime:
        """When the section behind `a` (still open as `outage` is restored) went dark:
        with `outage`, or later, when a tie that back-fed it in the meantime opened."""
        customers = self.customers_below(a)
        since = float(self.reports.out_since[customers].min()) if len(customers) else math.inf
        if math.isfinite(since) and since > _seconds(outage.started):
            return EPOCH + timedelta(seconds=since)
        return outage.started

    def _mark_restored(self, customers: np.ndarray, started: datetime,
                       when: datetime) -> None:
        """Remember when `customers` got power back and since when they were out: since
        this outage began, or since an earlier one they were restored from lately and
        never came back from (nested); older history is over."""
        began = _seconds(started)
        stale = self.reports.restored_at[customers] < _seconds(when - NESTED_WINDOW)
        self.reports.out_since[customers] = np.where(
            stale, began, np.minimum(self.reports.out_since[customers], began))
        self.reports.restored_at[customers] = _seconds(when)

    def _re_estimate(self, when: datetime) -> list[Outage]:
        """Redraw the storm's restoration curve, unless it was redrawn less than ETR_REDRAW
        ago; the live outages whose model ETR it moves by more than ETR_MOVE, re-estimated."""
        if self._etr_redrawn is not None and when - self._etr_redrawn < ETR_REDRAW:
            return []
        self._etr_redrawn = when
        live = self.book.live()
        times = self.restoration_times
        times.refit([StillOut(o.device_kind, o.started) for o in live], when)
        moved = []
        for outage in live:
            if outage.etr_source != "model":
                continue
            etr = times.estimate(outage.device_kind, outage.started, when, len(live))
            if outage.etr is None or abs(etr - outage.etr) > ETR_MOVE:
                outage.etr, outage.updated = etr, when
                moved.append(outage)
        return moved

    def _learn_from_restored(self, customers: np.ndarray, started: datetime,
                             when: datetime, *, call_share: bool = True) -> list[Outage]:
        """Fold a restored outage's first-call and last-gasp times into the estimated
        spread of each channel, and its share of callers into the call prior; re-price
        the scores when an estimate moves. Reports set aside, or made before it began,
        are of something else: a false call standing since yesterday's storm read as a
        day's spread, and the call timing flattened (the spread learned as 156 minutes
        against 19 for the same storm alone). The share of callers is learned only where
        a device report named the device (`call_share`): restored by its meters, an
        outage's customers are the engine's own guess, and one predicted too high would
        teach a lower share, which predicts higher still."""
        touched: list[Outage] = []
        if self._minutes_ref is None:
            return touched  # no report yet: nothing to learn from
        aside = flagged(self.reports.retired, customers)
        began = self._minutes(_seconds(started))
        for channel, flags, times in (("call", self.reports.called, self.reports.call_minutes),
                                      ("gasp", self.reports.gasped, self.reports.gasp_minutes)):
            reporters = customers[flagged(flags, customers) & ~aside
                                  & (times[customers] >= began)]
            estimate = self.calibration.observe_spread(
                channel, times[reporters], self.predictor.scorer.spread(channel))
            if estimate is not None:
                touched += self._remap(self.predictor.set_spread(channel, estimate), when)
            if channel == "call" and call_share:
                prior = self.calibration.count_calls(len(customers), len(reporters))
                if prior is not None:
                    touched += self._remap(self.predictor.set_call_prior(*prior), when)
        return touched

    def _forget_reports(self, customers: np.ndarray, restored_at: datetime,
                        region: int) -> None:
        """Reset the report flags of customers whose outage is over; watch their meters."""
        gasped, callers = [], []
        r = self.reports
        for i in customers[r.has_evidence(customers)].tolist():
            if r.gasped[i] or r.silent[i]:
                gasped.append(i)
            if r.called[i]:
                callers.append(i)
            if not r.retired[i]:
                self._callers -= r.called[i]
            r.called[i] = r.gasped[i] = r.retired[i] = 0
        r.forget_since_restored(customers)
        self.reports.report_time[customers] = math.inf
        if self.predictor.ami:
            self.calibration.count_gasps(len(customers), len(gasped))
        if self.callback is not None and callers:
            asked = callers[:MAX_CALLBACKS]
            self.stats.callbacks_requested += len(asked)
            self.callback.call_back([self.network.customers.ids[i] for i in asked])
        # Hazards outlive the restoration for a nested outage's sake, then go.
        for i in self.hazards.older_than(_seconds(restored_at - NESTED_WINDOW)):
            if not math.isfinite(self.reports.report_time[i]):
                self.hazards.clear(i)
        # Meters have their say, and a head-end can verify the restoration.
        if gasped or self.pinger is not None or self.predictor.ami:
            check = _seconds(restored_at + RESTORE_GRACE)
            heapq.heappush(self._restore_checks, (check, region, _seconds(restored_at),
                                                  tuple(gasped), tuple(callers)))

    def _reporters_below(self, c: int) -> np.ndarray:
        """The customers below candidate `c` whose reports stand (a call or a gasp)."""
        customers = self.customers_below(c)
        reporters: np.ndarray = customers[self.reports.has_evidence(customers)]
        return reporters

    # -- records -------------------------------------------------------------------
    def _remap(self, change: Change, when: datetime) -> list[Outage]:
        if not change.removed and not change.added:
            return []
        touched = self.book.apply(change, when, lambda c, oid: self._new_outage(c, oid, when))
        rescaled = self.predictor.rescale()
        if rescaled.removed or rescaled.added:
            touched += self.book.apply(rescaled, when,
                                       lambda c, oid: self._new_outage(c, oid, when))
        for outage in touched:
            if outage.active:
                self._refresh(outage, when)
        self._ping_if_unsure(change)
        return touched

    def _new_outage(self, c: int, outage_id: str, when: datetime,
                    started: datetime | None = None) -> Outage:
        started = started or self._start_of(c, when)
        _, calls, gasps, _ = self.predictor.evidence_of(c)
        return Outage(
            id=outage_id,
            candidate=c,
            device_id=self.tree.element_id[c],
            device_kind=self.tree.kind[c],
            feeder=self.tree.feeder[c],
            stage=Stage.CONFIRMED if self.predictor.forced[c] else Stage.PREDICTED,
            started=started,
            first_report=started,
            updated=when,
            customers_out=int(self.tree.customers[c]),
            critical_out=int(self.tree.critical[c]),
            hazards=self._hazards_below(c, when),
            dated_reports=calls + gasps,  # `_start_of` read them all: dated again as they double
        )

    def _hazards_below(self, c: int, when: datetime) -> set[str]:
        """Hazards reported by customers below candidate `c` (a first caller's wire down
        is the new outage's, however many calls it took to predict it); after their own
        outage was restored, for a nested outage's six hours only."""
        report_time = self.reports.report_time
        return self.hazards.below(int(self.tree.tin[c]), int(self.tree.tout[c]),
                                  _seconds(when - NESTED_WINDOW),
                                  lambda i: float(report_time[i]))

    def _start_of(self, c: int, when: datetime, until: float = math.inf, *,
                  restored: datetime | None = None) -> datetime:
        """Earliest report below the candidate of the outage going on
        (`CustomerReports.onset_below`, as of `until`), backdated for customers never
        restored (`CustomerReports.left_out_since`). For an outage `restored` then, the
        restore messages of that restoration (from RESTORE_BURST before it) end it: they
        do not say its customers had power before its reports."""
        customers, spread = self.customers_below(c), self._call_spread()
        earliest, heard, _ = self.reports.onset_below(customers, spread, until,
                                                      _messages_from(restored))
        earliest = min(earliest, self.reports.left_out_since(customers, heard, _seconds(when),
                                                             spread, until))
        return EPOCH + timedelta(seconds=earliest) if math.isfinite(earliest) else when

    def _refresh(self, outage: Outage, when: datetime, *, recount: bool = False) -> None:
        """Its evidence, confidence and ETR as they are now; its count of customers out
        too while sections below are back-fed, or when one stops being (`recount`)."""
        c = outage.candidate
        _, calls, gasps, _ = self.predictor.evidence_of(c)
        if outage.active:
            outage.calls, outage.gasps = calls, gasps
            if self.ties.fed or recount:  # sections below back-fed from elsewhere are not out
                out = self._interrupted_by(c)
                outage.customers_out = int(self.network.customers.count[out].sum())
        outage.confidence = self.predictor.confidence(c)
        outage.updated = when
        if outage.active:
            if outage.calls + outage.gasps >= max(1, 2 * outage.dated_reports):
                # As its reports double: a few datings per outage, none per report.
                self._date_by_reports(outage, c, when, wait=False)
            live = len(self.book.by_candidate)
            outage.etr = (
                outage.etr
                if outage.etr_source != "model"
                else self.restoration_times.estimate(outage.device_kind, outage.started,
                                                      when, live)
            )

    def describe(self, outage: Outage) -> dict[str, object]:
        """The outage as JSON, with its customers and a fresh explanation (read side)."""
        if outage.active:
            outage.explanation = explain(self, outage)
        return outage.to_json(self.customer_ids_of(outage))

    def customers_below(self, c: int) -> np.ndarray:
        """Customer indices de-energised when candidate `c` is open."""
        branch = int(self.tree.branch[c])
        if branch != NONE:
            return self.topology.downstream_customers(branch)
        return self.topology.source_customers(self.network.sources.index[self.tree.element_id[c]])

    def _outage_at(self, c: int) -> Outage | None:
        outage_id = self.book.by_candidate.get(c)
        return self.book.outages[outage_id] if outage_id else None

    def _outage_of_candidate_path(self, c: int) -> Outage | None:
        by_candidate, parent = self.book.by_candidate, self._cand_parent
        if self.ties.fed:  # rare: a section back-fed is out of reach of the outage above
            return self._outage_of_fed_path(c)
        while c != NONE:
            outage_id = by_candidate.get(c)
            if outage_id is not None:
                return self.book.outages[outage_id]
            c = parent[c]
        return None

    def _outage_of_fed_path(self, c: int) -> Outage | None:
        by_candidate, parent, fed = self.book.by_candidate, self._cand_parent, self.ties.fed
        while c != NONE:
            outage_id = by_candidate.get(c)
            if outage_id is not None:
                return self.book.outages[outage_id]
            if c in fed:
                return None
            c = parent[c]
        return None

    def _outage_of_customer(self, i: int) -> Outage | None:
        return self._outage_of_candidate_path(self._parent[i])

    def _ping_if_unsure(self, change: Change) -> None:
        if self.pinger is None:
            return
        for c in change.added:
            if self.predictor.confidence(c) < 0.9:
                self._ask(choose_pings(self, c))

    def _ask(self, meters: list[int]) -> None:
        """Ping these meters, except those asked lately (an unanswered ping is not
        repeated at once: a head-end in a storm has enough to do)."""
        if self.pinger is None or self.now is None or not meters:
            return
        now = _seconds(self.now)
        fresh = [i for i in meters if self.reports.pinged_at[i] <= now - PING_RETRY.total_seconds()]
        if fresh:
            self.reports.pinged_at[fresh] = now
            self.stats.pings_requested += len(fresh)
            ids = self.network.customers.ids
            self.pinger.ping([ids[i] for i in fresh])

    # -- views ---------------------------------------------------------------------
    def outages(self, *, include_cancelled: bool = False) -> list[Outage]:
        return [o for o in self.book.outages.values()
                if include_cancelled or o.stage is not Stage.CANCELLED]

    def customer_ids_of(self, outage: Outage) -> tuple[str, ...]:
        if outage.customer_ids or not outage.active:
            return outage.customer_ids
        ids = self.network.customers.ids
        return tuple(ids[i] for i in self._interrupted_by(outage.candidate))

    def _interrupted_by(self, c: int) -> np.ndarray:
        """Customers below `c` but those in sections back-fed from elsewhere."""
        customers = self.customers_below(c)
        fed = [a for a in self.ties.fed if a != c and self.tree.contains(c, a)]
        if not fed:
            return customers
        return np.setdiff1d(customers, np.concatenate([self.customers_below(a) for a in fed]))

    def customer_status(self, customer_id: str) -> Outage | None:
        """The live outage a customer is in, if any."""
        i = self.network.customers.index.get(customer_id)
        if i is None:
            raise EventError(f"customer_id {customer_id!r} is not a customer of this network")
        return self._outage_of_customer(i)


_ORDER = list(Stage)


def _stage_order(stage: Stage) -> int:
    return _ORDER.index(stage)
