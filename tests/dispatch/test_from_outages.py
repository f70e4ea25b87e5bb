"""Outages become jobs; the plan's finish times become ETRs."""

from __future__ import annotations

from datetime import timedelta

from dispatch.from_outages import (
    EtrPolicy,
    JobParams,
    job_from_outage,
    jobs_from_outages,
    restoration_times,
)
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


def test_a_crew_on_site_has_the_rest_of_the_job_left() -> None:
    """Forty minutes into a sixty-minute transformer job, twenty are left; past its
    time, the job is taken to need a quarter of an hour more (the plan must not have it
    done the moment it replans, or the ETR it tells would slide every replan)."""
    engine = _engine()
    outage = next(o for o in engine.outages() if o.device_id == "transformer.a1")
    for status, minutes in (("assigned", 5), ("en_route", 6), ("on_site", 10)):
        engine.apply(parse_event({"type": "crew", "time": at(minutes), "outage_id": outage.id,
                                  "status": status, "crew_id": "T1"}))
    full = job_from_outage(engine.network, outage)
    assert full is not None and full.duration == JobParams().minutes["service_transformer"]
    later = job_from_outage(engine.network, outage, now=T0 + timedelta(minutes=50))
    assert later is not None and later.duration == full.duration - 40
    over = job_from_outage(engine.network, outage, now=T0 + timedelta(minutes=200))
    assert over is not None and over.duration == JobParams().overrun_minutes


def test_an_etr_is_told_again_only_when_the_plan_cannot_meet_it_or_beats_it_well() -> None:
    """The plan's finish, plus ten minutes, on the next quarter hour; kept while the plan
    meets it, told later as soon as it cannot, told sooner only by half an hour or more."""
    policy = EtrPolicy()
    finish = T0 + timedelta(minutes=63)  # 15:03 when T0 is 14:00
    assert policy.to_tell(None, finish) == T0 + timedelta(minutes=75)
    assert policy.to_tell(T0 + timedelta(minutes=75), finish) is None
    assert policy.to_tell(T0 + timedelta(minutes=64), finish) is None  # still met
    assert policy.to_tell(T0 + timedelta(minutes=60), finish) == T0 + timedelta(minutes=75)
    assert policy.to_tell(T0 + timedelta(minutes=100), finish) is None  # 25 min sooner
    assert policy.to_tell(T0 + timedelta(minutes=105), finish) == T0 + timedelta(minutes=75)
