"""The outage book: which record a new prediction inherits, and what it is dated from."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gis import Network, Topology
from outage.book import OutageBook
from outage.candidates import build_candidates
from outage.predict import Change
from outage.records import Outage, Stage

from .conftest import T0


def _record(book: OutageBook, c: int, outage_id: str, stage: Stage, minutes: float) -> Outage:
    tree = book.tree
    started = T0 + timedelta(minutes=minutes)
    return Outage(id=outage_id, candidate=c, device_id=tree.element_id[c],
                  device_kind=tree.kind[c], feeder=tree.feeder[c], stage=stage,
                  started=started, first_report=started, updated=started,
                  customers_out=int(tree.customers[c]), critical_out=0)


@pytest.mark.parametrize(("stage", "start"), [(Stage.PREDICTED, 170), (Stage.CONFIRMED, 0)])
def test_an_outage_taken_in_above_dates_it_only_when_known_out_by_more_than_reports(
    feeder: Network, stage: Stage, start: float,
) -> None:
    """Transformer a1's record began at 0; at 170 fuse a above it is predicted, dated 170
    by its own reports (which included a1's and set them aside as of something else).
    A predicted a1 gives the fuse its id, not its start; one a device report or a crew
    confirmed was out from 0, and so were the fuse's customers behind it."""
    tree = build_candidates(feeder, Topology(feeder))
    book = OutageBook(tree, timedelta(hours=6))
    a1, fuse = tree.index["transformer.a1"], tree.index["fuse.a"]
    book.apply(Change(frozenset(), frozenset({a1})), T0,
               lambda c, oid: _record(book, c, oid, stage, 0))
    (old,) = book.live()
    touched = book.apply(Change(frozenset({a1}), frozenset({fuse})),
                         T0 + timedelta(minutes=170),
                         lambda c, oid: _record(book, c, oid, Stage.PREDICTED, 170))
    (new,) = book.live()
    assert new in touched and new.candidate == fuse and new.id == old.id
    assert new.started == T0 + timedelta(minutes=start)
