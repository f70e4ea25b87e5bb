"""The response to customers' reports: a crew on site within two hours."""

from __future__ import annotations

from datetime import timedelta

from gis import Network
from outage.events import parse_event
from outage.response import RESPONSE_TARGET, responded_at, summarise

from .conftest import T0, at, call, device
from .test_engine import live, run


def _crew(outage_id: str, minutes: float, status: str) -> dict[str, str]:
    return {"type": "crew", "time": at(minutes), "outage_id": outage_id, "crew_id": "T-1",
            "status": status}


def test_a_crew_on_site_answers_the_reports_once(feeder: Network) -> None:
    """The first on-site report is the response; being on site again later is not."""
    engine = run(feeder, [call("a2.1", 1), call("a2.4", 3)])
    outage = live(engine)["transformer.a2"]
    assert outage.arrived is None and responded_at(outage) is None
    for event in (_crew(outage.id, 80, "en_route"), _crew(outage.id, 90, "on_site"),
                  _crew(outage.id, 150, "on_site")):
        engine.apply(parse_event(event))
    assert outage.arrived == T0 + timedelta(minutes=90)
    assert outage.to_json()["arrived"] == at(90)


def test_restored_by_the_crew_without_a_word_before_is_answered_then(feeder: Network) -> None:
    """A crew that reports only the restoration was on site then."""
    engine = run(feeder, [call("a2.1", 1), call("a2.4", 3)])
    outage = live(engine)["transformer.a2"]
    engine.apply(parse_event(
        _crew(outage.id, 200, "restored")))
    assert outage.arrived == T0 + timedelta(minutes=200) == responded_at(outage)


def test_the_summary_counts_within_two_hours_and_lists_who_waits(feeder: Network) -> None:
    """Two transformer outages reported at once: a crew on site at one after 89
    minutes; the other waits — not yet overdue at 100 minutes, overdue at 182 — and is
    closed at 200 with nobody reported on site: answered, late."""
    engine = run(feeder, [call(f"{t}.{m}", m) for t in ("a1", "b1") for m in range(1, 7)])
    answered, waiting = live(engine)["transformer.b1"], live(engine)["transformer.a1"]
    engine.apply(parse_event(_crew(answered.id, 90, "on_site")))
    early = summarise(engine.outages(), T0 + timedelta(minutes=100), T0)
    assert (early.answered, early.within_target, early.waiting, early.overdue) == (
        1, 1, (waiting.id,), ())
    late = summarise(engine.outages(), T0 + timedelta(minutes=182), T0)
    assert late.overdue == (waiting.id,) and late.target == RESPONSE_TARGET
    engine.apply(parse_event(device("transformer.a1", 200, "closed", "crew")))
    closed = summarise(engine.outages(), T0 + timedelta(minutes=201), T0)
    assert (closed.answered, closed.within_target, closed.waiting) == (2, 1, ())
    assert closed.share_within == 0.5 and responded_at(waiting) == waiting.restored
    # Reported before the period asked for: not counted.
    assert summarise(engine.outages(), T0 + timedelta(minutes=201),
                     T0 + timedelta(minutes=10)).answered == 0
