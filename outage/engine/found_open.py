"""Outages nobody reported: a device found open by its close, and restorations
the meters tell of late.

A layer of `OutageEngine` (see `outage.engine`)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np

from outage.customer_reports import (
    NESTED_WINDOW,
    RESTORE_GRACE,
)
from outage.engine.records import EPOCH, RESTORE_BURST, seconds
from outage.engine.restoration import EngineRestoration
from outage.events import (
    DeviceOperation,
)
from outage.late_restores import found_devices
from outage.records import Outage, Stage

# Power-restore messages later than that come from meters still out behind a device
# nobody reported open; those from its closing arrive within this of each other.
LATE_GATHER = timedelta(minutes=2)
# Outages going on (or just restored) that make a storm whose starts date an outage
# found open that nobody reported.
STORM_PEERS = 3


class EngineFoundOpen(EngineRestoration):
    """Records for devices found open and for late restore messages."""

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
        if (np.isfinite(reported) & (reported > seconds(op.time))).any():
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
        started = self._start_of(c, back, seconds(back), restored=back)
        since = self.reports.never_back_since(customers, seconds(op.time))
        left_out = math.isfinite(since) and since < seconds(started)
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
            heard = self.reports.last_heard(customers, seconds(back - RESTORE_BURST))
            if heard < seconds(opened):
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
        dark = self.reports.never_back_since(self.customers_below(c), seconds(op.time))
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
                        and seconds(outage.restored) == restored_at):
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
        self.reports.restored_at[customers] = seconds(outage.restored)
        outage.customer_ids = tuple(self.network.customers.ids[i] for i in customers.tolist())
        outage.explanation = (f"{how}They came back with {was}'s restoration, so "
                              f"{outage.device_id} above it operated. Predicted: "
                              f"{outage.explanation}")
        return outage
