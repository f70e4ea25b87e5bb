"""Outages become jobs; the plan's finish times become ETRs."""

from __future__ import annotations

from datetime import timedelta

from dispatch.from_outages import jobs_from_outages, restoration_times
from dispatch.problem import Crew, Point, Problem
from dispatch.solve import SolveParams, solve
from outage.engine import OutageEngine
from outage.events import parse_event
from tests.outage.conftest import T0, at, call, lateral_feeder


def _engine() -> OutageEngine:
    engine = OutageEngine(lateral_feeder())
    for data in [call("a1.1", 1), call("a1.2", 2), call("b3.1", 3, hazard="wire_down"),
                 call("b3.4", 4)]:
        engine.apply(parse_event(data))
    return engine


def test_each_live_outage_is_a_job_with_its_customers_and_hazard() -> None:
    """Customers, critical customers and hazards carry over; positions are the devices'."""
    engine = _engine()
    result = jobs_from_outages(engine)
    jobs = {j.id: j for j in result.jobs}
    by_device = {o.device_id: o.id for o in engine.outages()}
    a1, b3 = jobs[by_device["transformer.a1"]], jobs[by_device["transformer.b3"]]
    assert (a1.customers, a1.critical, a1.hazard) == (6, 1, False)
    assert b3.hazard and b3.duration > a1.duration
    assert a1.location == Point(0.012, 0.0105)  # the transformer's secondary bus
    assert result.skipped == {}


def test_crew_en_route_locks_its_job() -> None:
    """A crew already driving to an outage keeps it in the next plan."""
    engine = _engine()
    outage = next(o for o in engine.outages() if o.device_id == "transformer.a1")
    for status in ("assigned", "en_route"):
        engine.apply(parse_event({"type": "crew", "time": at(5), "outage_id": outage.id,
                                  "status": status, "crew_id": "T1"}))
    job = next(j for j in jobs_from_outages(engine).jobs if j.id == outage.id)
    assert job.locked_to == "T1"


def test_plan_finish_times_become_etrs() -> None:
    """Solve, then set each outage's ETR from its job's finish; the hazard goes first."""
    engine = _engine()
    jobs = jobs_from_outages(engine).jobs
    crew = Crew("T1", Point(0.0, 0.0), (0.0, 600.0), frozenset({"line"}))
    plan = solve(Problem((crew,), jobs, start_time=T0), SolveParams(time_limit=2.0))
    etrs = restoration_times(plan, T0)
    assert set(etrs) == {j.id for j in jobs}
    first = plan.routes["T1"][0]
    assert next(j for j in jobs if j.id == first).hazard
    for outage_id, etr in etrs.items():
        engine.apply(parse_event({"type": "dispatcher", "time": at(6), "action": "set_etr",
                                  "outage_id": outage_id, "etr": etr.isoformat(), "by": "plan"}))
        outage = engine.book.outages[outage_id]
        assert outage.etr == etr and outage.etr_source == "plan"
        assert outage.etr > T0 + timedelta(minutes=6)
