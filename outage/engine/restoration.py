"""Restoring outages: what a restoration ends, moves and dates, and the evidence
updates every part of the engine makes.

A layer of `OutageEngine` (see `outage.engine`)."""

from __future__ import annotations

import heapq
import math
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from outage.book import OutageBook
from outage.callbacks import MAX_CALLBACKS
from outage.candidates import NONE
from outage.customer_reports import (
    NESTED_WINDOW,
    RESTORE_GRACE,
    flagged,
)
from outage.engine.records import EPOCH, EngineRecords, seconds
from outage.etr import StillOut
from outage.events import (
    DeviceOperation,
)
from outage.explain import explain
from outage.records import Outage, Stage

# Chance that a restored outage hides a nested one (a second device still open).
NESTED_PRIOR = 0.2
# A model ETR moved by less than this is not news (nobody is told of it).
ETR_MOVE = timedelta(minutes=5)
# The storm's restoration curve is redrawn at most this often (event time): a busy
# storm's restorations come seconds apart, and each redraw re-estimates every live ETR.
ETR_REDRAW = timedelta(minutes=5)
# A close reported this soon after meters below the device said power was back is the
# late report of that restoration (crews report on the way to the next job).
CLOSE_REPORTED_LATE = timedelta(hours=1)


class EngineRestoration(EngineRecords):
    """Restorations, moves and dating of outage records; each customer's evidence update."""

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

    def _expect_nested(self, c: int, when: datetime) -> list[Outage]:
        """For a while after a restoration, a device inside it may still be open. Then
        its silent meters are forgotten (`_lift_prior_caps`), below a device with none
        inside it too."""
        heapq.heappush(self._prior_caps, (seconds(when + NESTED_WINDOW), c))
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

    def _back_before_late_close(self, c: int, op: DeviceOperation,
                                since: datetime | None = None) -> datetime:
        """When the power behind a device a crew closed, with no outage of its own on the
        board, came back: by the restore messages of its meters in the hour before the
        close (and after `since`), but for those that came with another restoration of
        theirs (its grace period)."""
        after = (float(self.reports.restored_at[self.customers_below(c)].max())
                 + RESTORE_GRACE.total_seconds())
        window = max(seconds(op.time - CLOSE_REPORTED_LATE), after,
                     -math.inf if since is None else seconds(since))
        return self._back_by_messages(c, EPOCH + timedelta(seconds=window), op.time)

    def _back_by_messages(self, c: int, since: datetime, closed: datetime) -> datetime:
        """The lower median of the restore messages that came between `since` and a
        crew's close of `c` from the meters it feeds (none fed from elsewhere or behind
        a device still open); the close itself when none came."""
        fed = self._back_on(self._interrupted_by(c), self._still_open_below(c))
        times = self.reports.restore_message_time[fed]
        back = np.sort(times[(times >= seconds(since)) & (times <= seconds(closed))])
        if not len(back):
            return closed
        return EPOCH + timedelta(seconds=float(back[(len(back) - 1) // 2]))

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

    def _mark_restored(self, customers: np.ndarray, started: datetime,
                       when: datetime) -> None:
        """Remember when `customers` got power back and since when they were out: since
        this outage began, or since an earlier one they were restored from lately and
        never came back from (nested); older history is over."""
        began = seconds(started)
        stale = self.reports.restored_at[customers] < seconds(when - NESTED_WINDOW)
        self.reports.out_since[customers] = np.where(
            stale, began, np.minimum(self.reports.out_since[customers], began))
        self.reports.restored_at[customers] = seconds(when)

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
        began = self._minutes(seconds(started))
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
        for i in self.hazards.older_than(seconds(restored_at - NESTED_WINDOW)):
            if not math.isfinite(self.reports.report_time[i]):
                self.hazards.clear(i)
        # Meters have their say, and a head-end can verify the restoration.
        if gasped or self.pinger is not None or self.predictor.ami:
            check = seconds(restored_at + RESTORE_GRACE)
            heapq.heappush(self._restore_checks, (check, region, seconds(restored_at),
                                                  tuple(gasped), tuple(callers)))

    def _reporters_below(self, c: int) -> np.ndarray:
        """The customers below candidate `c` whose reports stand (a call or a gasp)."""
        customers = self.customers_below(c)
        reporters: np.ndarray = customers[self.reports.has_evidence(customers)]
        return reporters
