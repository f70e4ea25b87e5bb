"""Devices, crews and dispatchers: operations reported by SCADA and crews, ties and
back-feeds, crew progress and a dispatcher's actions.

A layer of `OutageEngine` (see `outage.engine`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np

from outage.book import OutageBook
from outage.candidates import NONE
from outage.customer_reports import (
    NESTED_WINDOW,
)
from outage.engine.evidence import EngineEvidence
from outage.engine.records import seconds
from outage.engine.restoration import CLOSE_REPORTED_LATE
from outage.errors import EventError
from outage.events import (
    Action,
    CrewStatus,
    CrewUpdate,
    DeviceOperation,
    DispatcherAction,
)
from outage.predict import Change
from outage.records import ETR_BY_PEOPLE, Outage, Stage


class EngineDevices(EngineEvidence):
    """Device operations, ties, crews' updates and dispatchers' actions."""

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
                self.reports.out_since[self._fed_customers(boundary)] = seconds(op.time)
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
        if not (self.reports.meter_on_time[customers] >= seconds(since)).any():
            return None  # no meter below it came back lately (the scan below is long)
        records = self._restored_lately(c, since)
        if not records:
            return None
        began = seconds(records[0].started)
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
        floor = self.closes.floor(c, seconds(op.time + NESTED_WINDOW),
                                  scada=op.source == "scada")
        return self._remap(floor, op.time) + self._closed_below(c, op.time)

    def _closed_below(self, c: int, when: datetime) -> list[Outage]:
        """The devices above `c`, just closed, are likely closed too: unless reported
        open, or an outage there is confirmed. For NESTED_WINDOW."""
        above = [a for a in self.tree.path_up(c)[1:] if not self.predictor.forced[a]
                 and ((outage := self._outage_at(a)) is None or outage.stage is Stage.PREDICTED)]
        return self.closes.speak_for_above(c, seconds(when + NESTED_WINDOW), when, above,
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
        if update.status in (CrewStatus.ON_SITE, CrewStatus.RESTORED) and outage.arrived is None:
            outage.arrived = max(update.time, outage.started)
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
            if action.by == "plan" and outage.etr_source in ETR_BY_PEOPLE:
                return []  # a person's estimate stands until a person changes it
            outage.etr, outage.etr_source = action.etr, action.by
            return [outage]
        if action.action is Action.RELEASE_ETR:
            if outage.etr_source not in ETR_BY_PEOPLE or not outage.active:
                return []
            # The model's estimate until the next plan tells its crew's finish.
            live = len(self.book.by_candidate)
            outage.etr = self.restoration_times.estimate(outage.device_kind, outage.started,
                                                         when, live)
            outage.etr_source = "model"
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


_ORDER = list(Stage)


def _stage_order(stage: Stage) -> int:
    return _ORDER.index(stage)
