"""What a close says of the devices around it, and when that lapses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gis import Network, Topology
from outage.candidates import build_candidates
from outage.close_priors import ClosePriors
from outage.predict import Change, Predictor
from outage.records import Outage
from outage.scoring import PredictionParams, Scorer

WHEN = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)


def _setup(feeder: Network) -> tuple[Predictor, ClosePriors, dict[str, int]]:
    tree = build_candidates(feeder, Topology(feeder))
    predictor = Predictor(tree, Scorer(PredictionParams()))
    return predictor, ClosePriors(predictor), {e: i for i, e in enumerate(tree.element_id)}


def _no_records(change: Change, when: datetime) -> list[Outage]:
    return []


def test_a_crews_close_holds_its_device_closed_until_it_lapses(feeder: Network) -> None:
    """Closed by a crew, the fuse is far unlikelier out until the close lapses; closed
    again meanwhile, it is held until the later close lapses."""
    predictor, closes, at = _setup(feeder)
    fuse = at["fuse.a"]
    quiet = predictor.prior_log_odds(fuse)
    closes.floor(fuse, 100.0, scada=False)
    held = predictor.prior_log_odds(fuse)
    assert held < quiet - 5 and closes.closed_by_report(fuse)
    closes.floor(fuse, 200.0, scada=False)  # closed again
    closes.lapse(150.0, WHEN, _no_records)
    assert predictor.prior_log_odds(fuse) == held  # the later close still holds it
    closes.lapse(200.0, WHEN, _no_records)
    assert predictor.prior_log_odds(fuse) == quiet and not closes.closed_by_report(fuse)


def test_scada_holds_a_device_closed_for_good(feeder: Network) -> None:
    """SCADA would report its device opening: its close does not lapse."""
    predictor, closes, at = _setup(feeder)
    breaker = at["breaker.f1"]
    closes.floor(breaker, 100.0, scada=True)
    held = predictor.prior_log_odds(breaker)
    closes.lapse(1e9, WHEN, _no_records)
    assert predictor.prior_log_odds(breaker) == held and closes.closed_by_report(breaker)


@pytest.mark.parametrize("ends", ["lapse", "withdraw"])
def test_a_close_speaks_for_the_devices_above_while_it_holds(
    feeder: Network, ends: str
) -> None:
    """Above a fuse a crew closed, the recloser and breaker are unlikelier out, and the
    explanation can name the close; two closes below speak until both have lapsed, and
    a close that restored nobody speaks no more."""
    predictor, closes, at = _setup(feeder)
    above = [at["recloser.r1"], at["breaker.f1"]]
    quiet = [predictor.prior_log_odds(a) for a in above]
    closes.speak_for_above(at["fuse.a"], 100.0, WHEN, above, _no_records)
    closes.speak_for_above(at["fuse.b"], 300.0, WHEN, above, _no_records)
    raised = [predictor.prior_log_odds(a) for a in above]
    assert all(r < q - 2 for r, q in zip(raised, quiet, strict=True))
    assert closes.latest_close_below(at["recloser.r1"]) == (at["fuse.b"], WHEN)
    closes.lapse(100.0, WHEN, _no_records)  # fuse.a's close lapses; fuse.b's still speaks
    assert [predictor.prior_log_odds(a) for a in above] == raised
    if ends == "lapse":
        closes.lapse(300.0, WHEN, _no_records)
    else:
        closes.withdraw(at["fuse.b"], WHEN, _no_records)
    assert [predictor.prior_log_odds(a) for a in above] == quiet
    assert closes.latest_close_below(at["recloser.r1"]) is None
