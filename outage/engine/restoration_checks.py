"""What the meters say after a restoration: silent and unheard meters weighed,
restorations reviewed and verified by pings.

A layer of `OutageEngine` (see `outage.engine`)."""

from __future__ import annotations

import heapq
import math
from datetime import datetime, timedelta

import numpy as np

from outage.calibration import restore_counts
from outage.customer_reports import (
    EVIDENCE_FOR,
    NESTED_WINDOW,
    RESTORE_GRACE,
)
from outage.engine.found_open import EngineFoundOpen
from outage.engine.records import EPOCH, PING_RETRY, RESTORE_BURST, seconds
from outage.engine.restoration import CLOSE_REPORTED_LATE
from outage.predict import RestoredMeters
from outage.records import Outage, Stage
from outage.restoration_review import operated_device

# Chance a customer with power is heard from at a restoration anyway (a meter's
# restore message after a reboot or a switching blip, a false call).
HEARD_WITH_POWER = 1e-3
# Below this chance of every restore message of a restored area being lost, none
# arriving says nobody was restored.
ALL_LOST = 1e-3
# Meters asked at most to verify one restoration (one per transformer).
VERIFY_PINGS = 1000
# A restoration is verified up to this many times, PING_RETRY apart, while some of its
# transformers have said nothing (a ping or its answer can be lost).
VERIFY_ROUNDS = 3


class EngineRestorationChecks(EngineFoundOpen):
    """The meters of restored areas weighed, restorations reviewed and verified."""

    def _review_restorations(self, now: datetime | None, limit: float) -> list[Outage]:
        """Restorations seen by the meters whose messages are all in: the device each
        ended (see `outage.restoration_review`)."""
        touched: list[Outage] = []
        while self._reviews and self._reviews[0][0] <= limit:
            _, outage_id, c, restored_at, reporters = heapq.heappop(self._reviews)
            outage = self.book.outages.get(outage_id)
            if (outage is None or outage.stage is not Stage.RESTORED or outage.candidate != c
                    or outage.restored is None or seconds(outage.restored) != restored_at):
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
        powered = np.setdiff1d(area[other & (on > seconds(outage.started))
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

    def _date_report(self, i: int, latest: float = math.inf) -> None:
        """Customer `i`'s report, standing again or for the first time after its area
        was restored, dates from when it went out with that outage (no later than
        `latest`, when that is not known)."""
        self.reports.report_time[i] = min(self.reports.report_time[i],
                                          self.reports.out_since[i], latest)

    def _set_aside_later(self, i: int, since: float) -> None:
        """Look at customer `i`'s reports again EVIDENCE_FOR after `since`."""
        heapq.heappush(self._retire, (since + EVIDENCE_FOR.total_seconds(), i))

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
                self._date_report(i, restored_at)
                self._set_aside_later(i, seconds(now))
                touched += self._update(i, gasps=1, when=now)
        for i in callers:  # their calls stand again too, at their first call's time
            if not self.reports.called[i] and self.reports.meter_on_time[i] < restored_at:
                self.reports.called[i] = 1
                self._callers += 1
                self._date_report(i, restored_at)
                self._set_aside_later(i, seconds(now))
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
            heapq.heappush(self._verify_retries, (seconds(self.now + PING_RETRY), region,
                                                  restored_at, rounds - 1))

    def _retry_verifications(self, limit: float) -> None:
        while self._verify_retries and self._verify_retries[0][0] <= limit:
            _, region, restored_at, rounds = heapq.heappop(self._verify_retries)
            self._verify_restoration(region, restored_at, rounds)
