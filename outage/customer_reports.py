"""What each customer has told the engine, and when: calls, last gasps, meters that
said they have power, meters silent since their outage was restored; and the dating
read from them (when the outage going on over some customers began, when a meter of
theirs last had power, who a restoration lately left out).

One entry per customer (service point), in the network's customer order. Times are
seconds since the epoch, like the engine's heaps; `inf` / `-inf` stand for "none".
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

# Customers still out this soon after their outage was restored were never restored.
NESTED_WINDOW = timedelta(hours=6)
# What `CustomerReports.back` holds of a meter back after a restoration.
BACK, UNHEARD_BACK = 1, 2
# How long a report no outage explains stays evidence. One outage's callers call within
# the hour; a call left standing longer (a false call nobody cleared) is not of the
# outages beginning now, and kept as evidence it would make the next storm's callers
# below it read as scattered over hours, and their device as several outages. It is
# still listed for the trouble desk (`outage.open_reports`) until cleared.
EVIDENCE_FOR = timedelta(hours=3)
# After a restoration, meters have this long to say they have power again.
RESTORE_GRACE = timedelta(minutes=10)
# A customer left out by a restoration calls again as soon as anyone calls about an
# outage: within this many call spreads (learned; generous, as the spread is learned
# from few outages and slow callers are common at night) after it. A first report
# later than that is of a new outage, not one they were never restored from.
STILL_OUT_SPREADS = 6.0
# A first report this many expected gaps before the next of its outage's reports (or
# after the restoration its customers were left out of) is of something else: a chance
# of e^-15 for one outage's callers.
ONSET_IMPROBABLE = 15.0


class CustomerReports:
    """Per customer: what stands as a report of being out, and what the meter said."""

    def __init__(self, n: int) -> None:
        self.called = bytearray(n)
        self.gasped = bytearray(n)
        self.powered = bytearray(n)  # an "on" counted as evidence (the engine's POWERED_FOR)
        self.silent = bytearray(n)  # gasped, outage restored, no power-restore since
        self.unheard = bytearray(n)  # the same, its last gasp lost (no report: evidence)
        # Said it is back after a restoration (its last gasp arrived: BACK, or not:
        # UNHEARD_BACK), until it says it is out again.
        self.back = bytearray(n)
        # Reports taken out of the evidence, still standing (see EVIDENCE_FOR).
        self.retired = bytearray(n)
        self.report_time = np.full(n, math.inf)  # the earliest report standing
        self.call_minutes = np.zeros(n)  # time of each customer's counted call
        self.gasp_minutes = np.zeros(n)  # time of each meter's counted last gasp
        self.meter_time = np.full(n, -math.inf)  # the latest meter reading applied
        self.meter_on_time = np.full(n, -math.inf)  # the latest "on", asked or not
        self.restore_message_time = np.full(n, -math.inf)  # unasked "on": it was out
        self.out_since = np.full(n, math.inf)  # start of a restored outage, for nesting
        self.restored_at = np.full(n, -math.inf)
        self.pinged_at = np.full(n, -math.inf)
        # Meters whose last "on" came through a tie, not through the devices above
        # them: it says nothing of those being closed then. Few (sections back-fed).
        self.on_through_tie: set[int] = set()

    def heard_since_restored(self, unheard: np.ndarray, back: np.ndarray,
                             unheard_back: np.ndarray) -> None:
        """What meters of a restored area said since: nothing, their last gasp lost too
        (`unheard`); they are back, their last gasp having arrived (`back`) or not
        (`unheard_back`). Silent meters that gasped are reports (the engine dates them)."""
        np.frombuffer(self.unheard, dtype=np.uint8)[unheard] = 1
        said_back = np.frombuffer(self.back, dtype=np.uint8)
        said_back[back] = BACK
        said_back[unheard_back] = UNHEARD_BACK

    def forget_since_restored(self, customers: np.ndarray) -> None:
        """Forget what the meters of `customers` said since their last restoration
        (silent, unheard, back)."""
        for flags in (self.silent, self.unheard, self.back):
            np.frombuffer(flags, dtype=np.uint8)[customers] = 0

    def has_evidence(self, customers: np.ndarray) -> np.ndarray:
        """Which of `customers` have a report standing (a call, a gasp, or silence): dated,
        or flagged (a report standing again after a restoration that restored nobody is
        dated by its outage's start, which may be unknown)."""
        has: np.ndarray = (np.isfinite(self.report_time[customers])
                           | flagged(self.called, customers) | flagged(self.gasped, customers)
                           | flagged(self.silent, customers))
        return has

    def silent_only(self, customers: np.ndarray) -> np.ndarray:
        """Which of `customers` have only a silent meter to say they are out (no call,
        no last gasp of their own)."""
        only: np.ndarray = (flagged(self.silent, customers) & ~flagged(self.called, customers)
                            & ~flagged(self.gasped, customers))
        return only

    def last_heard(self, customers: np.ndarray, before: float = math.inf) -> float:
        """The last time before `before` a meter of `customers` said it had power (-inf
        for none), through the devices above it: not a meter fed through a tie since,
        whose "on" says nothing of them (a section back-fed, the fault still out above
        it)."""
        on = self.meter_on_time[customers]
        if self.on_through_tie:
            on = on[~np.isin(customers, list(self.on_through_tie))]
        return float(on[on < before].max(initial=-math.inf))

    def onset_below(self, customers: np.ndarray, spread: float, until: float = math.inf,
                    heard_before: float | None = None) -> tuple[float, float, np.ndarray]:
        """The earliest report of `customers` (inf for none) that is of the outage going
        on, not an earlier one; the last time a meter of theirs said it had power; and
        which of them have a report standing since (what the onset is read from). Not
        of it: a report before a quiet spell, or too long before the rest (`onset`,
        with `spread`, one outage's calls' in seconds); one before that meter's "on"
        (its restore message, a ping answered: their device was closed then; a
        restored area's silences too); one set aside (no outage explained it for hours)
        more than EVIDENCE_FOR before the others (a storm's false calls, set aside,
        dated the next storm's outages below them). Reports after `until` do not
        count, nor does an "on" at or after it, or after `heard_before` when given (the
        restore messages that ended the outage, when it is dated at its restoration)."""
        heard = self.last_heard(customers, before=until if heard_before is None
                                else heard_before)
        times = self.report_time[customers]
        since = (times > heard) & (times <= until)
        earliest = onset(times[since], spread)
        fresh = onset(times[since & ~flagged(self.retired, customers)], spread)
        if math.isfinite(fresh) and earliest < fresh - EVIDENCE_FOR.total_seconds():
            earliest = float(times[since & (times >= fresh - EVIDENCE_FOR.total_seconds())]
                             .min())
        return earliest, heard, since

    def left_out_since(self, customers: np.ndarray, heard: float, now: float,
                       spread: float, until: float = math.inf) -> float:
        """When `customers` lost power if a restoration lately (within NESTED_WINDOW of
        `now`) left them out (inf if not): those restored lately who say so soon enough
        (reports up to `until`), and silent since (no meter of theirs said it had power
        after `heard`; meters unheard since count from the restoration). `spread`: one
        outage's calls', in seconds.

        Only when most of them are of the area restored lately: else it is a new fault
        above that area, taking them in again, dated by its own reports (one start for
        all, so the one most of them had), not theirs of the restored outage. And only
        when they say so from the restoration on: the first of m about a call spread / m
        after it; a first report ONSET_IMPROBABLE times later than that is of a new
        fault since (a burst of calls an hour and a half after).
        """
        restored_at = self.restored_at[customers]
        lately = restored_at >= now - NESTED_WINDOW.total_seconds()
        if 2 * int(lately.sum()) <= len(customers):
            return math.inf
        # A meter silent since, its last gasp lost, says so from the restoration on.
        times = np.where(flagged(self.unheard, customers), restored_at,
                         self.report_time[customers])
        says_so = RESTORE_GRACE.total_seconds() + STILL_OUT_SPREADS * spread
        still_out = (lately & (self.out_since[customers] > heard)
                     & (times <= np.minimum(restored_at + says_so, until)))
        if not still_out.any():
            return math.inf
        waited = max(float((times[still_out] - restored_at[still_out]).min()), 0.0)
        if waited * int(still_out.sum()) > ONSET_IMPROBABLE * spread:
            return math.inf
        return float(self.out_since[customers[still_out]].min())

    def never_back_since(self, customers: np.ndarray, now: float) -> float:
        """When those of `customers` restored lately (within NESTED_WINDOW of `now`)
        went out, the earliest: inf when none was, or all said they had power since."""
        recent = customers[self.restored_at[customers] >= now - NESTED_WINDOW.total_seconds()]
        return float(self.out_since[recent].min()) if len(recent) else math.inf


def flagged(flags: bytearray, customers: np.ndarray) -> np.ndarray:
    """Which of `customers` have their flag (a 0/1 byte per customer) set."""
    marked: np.ndarray = np.frombuffer(flags, dtype=np.bool_)[customers]
    return marked


def onset(report_times: np.ndarray, spread: float) -> float:
    """The earliest of these report times (seconds; inf for none) of the outage they
    tell of. Not a report before the last quiet spell longer than NESTED_WINDOW (a call
    left standing a day before: a false call, a lone report nobody cleared), nor a
    first report too long before the rest: with `m` reports after it, one outage's
    next comes within `spread` / m on average (`spread`: one outage's calls', in
    seconds), so a gap of ONSET_IMPROBABLE times that says the first was of something
    else (a false call two hours before a hundred)."""
    times = np.sort(report_times[np.isfinite(report_times)])
    if len(times) == 0:
        return math.inf
    gaps = np.diff(times)
    quiet = np.flatnonzero(gaps > NESTED_WINDOW.total_seconds())
    first = int(quiet[-1]) + 1 if len(quiet) else 0
    while (first < len(gaps)
           and gaps[first] * (len(times) - first - 1) > ONSET_IMPROBABLE * spread):
        first += 1
    return float(times[first])
