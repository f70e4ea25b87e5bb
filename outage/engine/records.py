"""The outage engine's state, its outage records and what it shows of them.

A layer of `OutageEngine` (see `outage.engine`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from gis import Network, Topology
from outage.book import Listener, OutageBook
from outage.calibration import Calibration
from outage.callbacks import CustomerCallback, LoneReportChecks
from outage.candidates import NONE, build_candidates
from outage.close_priors import ClosePriors
from outage.customer_reports import (
    NESTED_WINDOW,
    CustomerReports,
    flagged,
)
from outage.errors import EventError
from outage.etr import RestorationTimes
from outage.explain import explain
from outage.hazards import HazardIndex
from outage.names import NetworkNames
from outage.pinger import MeterPinger, choose_pings
from outage.predict import Change, Predictor
from outage.records import Outage, Stage
from outage.scoring import PredictionParams, Scorer
from outage.ties import TieSections

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How far one outage's calls spread when call timing is switched off.
DEFAULT_CALL_SPREAD = PredictionParams().call_spread_minutes
# Restore messages from one closing come this long before the one that restored its
# outage, at most (they race over the head-end), and up to RESTORE_GRACE after it.
RESTORE_BURST = timedelta(minutes=2)
# How long before a meter is asked again (to verify a restoration, or as a ping).
PING_RETRY = timedelta(minutes=15)
# The shape of a saved engine state; bump it when the engine's attributes change, or
# what the fold makes of the same events (a snapshot must equal a replay of its log).
STATE_VERSION = 67


def seconds(t: datetime) -> float:
    """`t` in seconds since the epoch: the time scale of the engine's heaps and arrays."""
    return (t - EPOCH).total_seconds()


def messages_from(restored: datetime | None) -> float | None:
    """From when meters' "on" are the restore messages of a restoration at `restored`
    (they race it by up to RESTORE_BURST): they end the outage, they do not say its
    customers had power before its reports. None for no restoration."""
    return None if restored is None else seconds(restored - RESTORE_BURST)


@dataclass(slots=True)
class EngineStats:
    events: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    out_of_order: int = 0
    stale: int = 0
    pings_requested: int = 0
    callbacks_requested: int = 0


class EngineRecords:
    """The engine's state (evidence per customer, the predictor over the candidate tree,
    the outage book) and the records the predictor's changes map onto."""

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
        until = math.inf if as_of is None else seconds(as_of)
        earliest, _, standing = self.reports.onset_below(customers, self._call_spread(), until,
                                                         messages_from(restored))
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

    def _minutes(self, t: float) -> float:
        """Minutes since the first report (small numbers keep the sums of squares exact)."""
        if self._minutes_ref is None:
            self._minutes_ref = t / 60
        return t / 60 - self._minutes_ref

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
        until = seconds(when)
        onset, heard, reported = self.reports.onset_below(
            customers, self._call_spread(), until, messages_from(when if restoring else None))
        if not math.isfinite(onset):
            return
        times = self.reports.report_time[customers]
        started, first = seconds(outage.started), float(times[reported].min())
        # Dated as left out by a restoration, on its first few reports: dated again
        # unless all of them say so still.
        left_out = (started < first
                    and (np.abs(self.reports.out_since[customers] - started) < 1).any()
                    and math.isinf(self.reports.left_out_since(
                        customers, heard, seconds(when), self._call_spread(), until)))
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
        if math.isfinite(since) and since > seconds(outage.started):
            return EPOCH + timedelta(seconds=since)
        return outage.started

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
                                  seconds(when - NESTED_WINDOW),
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
                                                      messages_from(restored))
        earliest = min(earliest, self.reports.left_out_since(customers, heard, seconds(when),
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

    def supplied_through(self, customers: np.ndarray, candidates: set[int]) -> np.ndarray:
        """Of these customer indices, which take their supply through any of
        `candidates` (their nearest device is one, or lies below one): a boolean mask.
        Those whose status an outage at the candidates can change (a superset where a
        section is back-fed from elsewhere)."""
        tree = self.tree
        up = tree.customer_parent[customers]
        fed = up != NONE
        tin = np.where(fed, tree.tin[np.where(fed, up, 0)], -1)
        mask = np.zeros(len(customers), dtype=bool)
        for c in candidates:
            mask |= (tin >= tree.tin[c]) & (tin < tree.tout[c])
        return mask

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
        now = seconds(self.now)
        fresh = [i for i in meters if self.reports.pinged_at[i] <= now - PING_RETRY.total_seconds()]
        if fresh:
            self.reports.pinged_at[fresh] = now
            self.stats.pings_requested += len(fresh)
            ids = self.network.customers.ids
            self.pinger.ping([ids[i] for i in fresh])

    def outages(self, *, include_cancelled: bool = False) -> list[Outage]:
        return [o for o in self.book.outages.values()
                if include_cancelled or o.stage is not Stage.CANCELLED]

    def outages_implied(self) -> int:
        """How many outages the evidence implies are going on, reported or not (the
        storm's size the priors scale with, as last estimated), never fewer than those
        live: a storm's scale before every outage in it has been reported."""
        live = sum(1 for o in self.book.live())
        return max(live, round(self.predictor.storm_size))

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
