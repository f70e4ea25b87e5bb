"""The outage book: turns changes of the predicted set into stable outage records.

The predictor only knows candidates. Dispatchers need outages that keep their id
while the prediction moves: when several small outages roll up into one, the
oldest gives its id and start to the result and the others are merged into it;
when one splits, the largest part keeps the id. An outage begun more than a quiet
spell before the result's own onset (a lone call left on the board since yesterday,
found under today's breaker) gives its id but not its start: it was something else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from outage.candidates import CandidateTree
from outage.predict import Change
from outage.records import Outage, Stage

Listener = Callable[[Outage], None]


class OutageBook:
    """All outage records, and which live one each selected candidate stands for."""

    def __init__(self, tree: CandidateTree, quiet_spell: timedelta, prefix: str = "O") -> None:
        self.tree = tree
        self.quiet_spell = quiet_spell
        self.outages: dict[str, Outage] = {}
        self.by_candidate: dict[int, str] = {}
        self._prefix = prefix
        self._next = 1
        self._listeners: list[Listener] = []

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_listeners"] = []  # subscribers belong to the running process
        return state

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with every outage that changes (domain event for the web layer)."""
        self._listeners.append(listener)

    def publish(self, outage: Outage) -> None:
        for listener in self._listeners:
            listener(outage)

    def new_id(self) -> str:
        outage_id = f"{self._prefix}{self._next:06d}"
        self._next += 1
        return outage_id

    def live(self) -> list[Outage]:
        return [self.outages[i] for i in self.by_candidate.values()]

    def apply(
        self, change: Change, when: datetime, make: Callable[[int, str], Outage]
    ) -> list[Outage]:
        """Re-map records after a change of the selected candidates; return touched ones."""
        removed = [c for c in change.removed if c in self.by_candidate]
        old = {c: self.outages[self.by_candidate.pop(c)] for c in removed}
        touched: list[Outage] = []
        # Largest new outages pick their predecessor first.
        for added in sorted(change.added, key=lambda c: -int(self.tree.customers[c])):
            heirs = self.oldest_first([o for c, o in old.items() if self._overlap(c, added)])
            outage = make(added, heirs[0].id if heirs else self.new_id())
            if heirs:
                # A device below the heir starts with its own reports: the heir's
                # earliest may have come from customers the new device does not serve.
                if not self._below(added, heirs[0].candidate):
                    self.date_by_known(outage, heirs[0])
                self._inherit(outage, heirs[0])
                del old[heirs[0].candidate]
                for other in heirs[1:] if self.tree.contains(added, heirs[0].candidate) else ():
                    self.date_by_known(outage, other)
                    self.merge(other, outage, when, dated=False)
                    del old[other.candidate]
                    touched.append(other)
            self.outages[outage.id] = outage
            self.by_candidate[added] = outage.id
            touched.append(outage)
        for outage in old.values():  # nothing explains it any more
            outage.stage = Stage.CANCELLED
            outage.updated = when
            touched.append(outage)
        return touched

    def _overlap(self, a: int, b: int) -> bool:
        return self.tree.contains(a, b) or self.tree.contains(b, a)

    def _below(self, a: int, b: int) -> bool:
        """Candidate `a` lies strictly below `b`."""
        return a != b and self.tree.contains(b, a)

    @staticmethod
    def _inherit(outage: Outage, heir: Outage) -> None:
        """Keep what people said about the outage when its predicted device moves."""
        outage.hazards |= heir.hazards
        outage.crew_id = outage.crew_id or heir.crew_id
        outage.arrived = _earliest(outage.arrived, heir.arrived)
        outage.cause = outage.cause or heir.cause
        if heir.stage not in (Stage.PREDICTED, Stage.CANCELLED):
            outage.stage = heir.stage
        if heir.etr_source != "model":
            outage.etr, outage.etr_source = heir.etr, heir.etr_source
        outage.merged_from = heir.merged_from + outage.merged_from
        outage.steps = heir.steps + outage.steps

    def oldest_first(self, outages: list[Outage]) -> list[Outage]:
        """`outages` by start, those begun before the last quiet spell between starts
        (something else, left on the board) after the others."""
        ordered = sorted(outages, key=lambda o: (o.started, o.id))
        cut = max((k for k in range(1, len(ordered))
                   if ordered[k].started - ordered[k - 1].started > self.quiet_spell),
                  default=0)
        return ordered[cut:] + ordered[:cut]

    def date_by_known(self, outage: Outage, part: Outage) -> None:
        """`date_by` for a part known out by more than its reports (a device reported
        open, a crew on site): a predicted part's start is its reports', which `outage`
        was dated from already — the earliest of them too, unless it was of something
        else (a false call hours before the rest)."""
        if part.stage is not Stage.PREDICTED:
            self.date_by(outage, part)

    def date_by(self, outage: Outage, part: Outage) -> None:
        """`outage` now holds `part`: it starts with it, unless `part` began before a
        quiet spell ahead of `outage`'s own onset."""
        if outage.started - part.started <= self.quiet_spell:
            outage.started = min(outage.started, part.started)
            outage.first_report = min(outage.first_report, part.first_report)

    @staticmethod
    def merge(other: Outage, into: Outage, when: datetime, *, dated: bool = True) -> None:
        """`other` was part of `into`: fold its start (unless `dated` already) and
        hazards in, and end it."""
        if dated:
            into.started = min(into.started, other.started)
            into.first_report = min(into.first_report, other.first_report)
        into.hazards |= other.hazards
        into.arrived = _earliest(into.arrived, other.arrived)
        into.merged_from.append(other.id)
        other.stage = Stage.CANCELLED
        other.updated = when

    def restore(self, candidates: Iterable[int], when: datetime) -> list[Outage]:
        """Mark the live outages at these candidates restored (their records stay)."""
        done = []
        for c in candidates:
            outage_id = self.by_candidate.pop(c, None)
            if outage_id is None:
                continue
            outage = self.outages[outage_id]
            outage.stage = Stage.RESTORED
            outage.restored = when
            outage.updated = when
            done.append(outage)
        return done


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    """The earlier of two times either of which may be unknown."""
    return b if a is None else a if b is None else min(a, b)
