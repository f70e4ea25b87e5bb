"""The evidence: customers' calls and callbacks, meters' messages, reports set
aside when old, and the running estimates learned from them.

A layer of `OutageEngine` (see `outage.engine`)."""

from __future__ import annotations

import heapq
import math
from datetime import datetime, timedelta

from outage.customer_reports import (
    BACK,
    EVIDENCE_FOR,
    NESTED_WINDOW,
    RESTORE_GRACE,
    UNHEARD_BACK,
)
from outage.engine.records import seconds
from outage.engine.restoration_checks import EngineRestorationChecks
from outage.events import (
    Call,
    CallbackAnswer,
    MeterReading,
)
from outage.records import Outage, Stage

# A meter's "on" is evidence of power for this long; after it, it says nothing.
POWERED_FOR = timedelta(minutes=30)
# Reports on the board before their times say how far apart the outages begin.
WINDOW_REPORTS = 10


class EngineEvidence(EngineRestorationChecks):
    """Calls, callbacks and meter messages as evidence; the estimates learned from them."""

    def _on_call(self, call: Call) -> list[Outage]:
        i = self.names.customer_of(call)
        t = seconds(call.time)
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
        t = seconds(when)
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
        t = seconds(reading.time)
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
        if math.isfinite(reported) and seconds(when) < reported:
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
        t = seconds(when)
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
            heapq.heappush(self._powered_expiry, (seconds(when + POWERED_FOR), i))
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
            heapq.heappush(self._reviews, (seconds(when + RESTORE_GRACE), outage.id, c,
                                           seconds(outage.restored),
                                           tuple(reporters.tolist())))
        return touched

    def _expire_powered(self, now: datetime, limit: float) -> list[Outage]:
        touched: list[Outage] = []
        while self._powered_expiry and self._powered_expiry[0][0] <= limit:
            _, i = heapq.heappop(self._powered_expiry)
            r = self.reports
            if r.powered[i] and r.meter_time[i] + POWERED_FOR.total_seconds() <= limit:
                self.reports.powered[i] = 0
                touched += self._update(i, powered=-1, when=now)
        return touched

    def _out_again(self, i: int, when: datetime) -> list[Outage]:
        """Customer `i`, whose meter said it was back after a restoration, says it is out:
        that "back" is over (it would tell against every outage over them)."""
        said = self.reports.back[i]
        if not said:
            return []
        self.reports.back[i] = 0
        return self._update(i, back=-(said == BACK), unheard_back=-(said == UNHEARD_BACK),
                            when=when)

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
        customers = len(self.reports.called)
        rate = self.calibration.refit_false_calls(self._callers - explained,
                                                  customers - inside, explained, customers)
        if rate is None:
            return []
        return self._remap(self.predictor.set_false_call_rate(rate), now)

    def _refit_storm_size(self, now: datetime) -> list[Outage]:
        """Re-price the priors for the outages the evidence implies are going on."""
        return self._remap(self.predictor.refit_storm_size(), now)

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
