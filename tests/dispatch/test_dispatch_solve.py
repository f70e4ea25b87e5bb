"""The OR-Tools field solver on tiny hand-checkable problems: one constraint at a time."""

from __future__ import annotations

import pytest

from dispatch.errors import DispatchError
from dispatch.solve import SolveParams, solve
from tests.dispatch.dispatch_fixtures import at, crew, job, problem


def test_single_job_eta_is_travel_time(fast: SolveParams) -> None:
    """One crew, one job 10 km away: arrival at ~10 min, finish 10 min later."""
    plan = solve(problem([crew("a")], [job("j", 10, duration=10, customers=5)]), fast)
    v = plan.visit("j")
    assert v is not None and v.crew == "a"
    assert v.arrival == pytest.approx(10.0, abs=0.1)
    assert v.finish == pytest.approx(20.0, abs=0.1)
    assert plan.customer_minutes == pytest.approx(5 * v.finish)
    assert plan.travel_minutes == pytest.approx(10.0, abs=0.1)
    assert plan.dropped == ()


def test_skills_decide_the_crew(fast: SolveParams) -> None:
    """A tree job goes to the tree crew even though the line crew is nearer."""
    crews = [crew("line", {"line"}), crew("tree", {"tree"}, start=at(-20))]
    plan = solve(problem(crews, [job("t", 5, skills={"tree"}, customers=10)]), fast)
    assert plan.assignment() == {"t": "tree"}


def test_job_nobody_is_skilled_for_is_dropped_with_reason(fast: SolveParams) -> None:
    """A job needing a skill no crew has is dropped, the reason naming the skill."""
    plan = solve(problem([crew("a")], [job("u", 1, skills={"underground"}), job("l", 2)]), fast)
    assert [(d.job, d.reason) for d in plan.dropped] == [("u", "no crew has skills underground")]
    assert plan.assignment() == {"l": "a"}


def test_shift_end_limits_the_work(fast: SolveParams) -> None:
    """With a 60-minute shift only the jobs that finish in time are done; others dropped."""
    jobs = [job("near", 5, duration=20, customers=10), job("far", 25, duration=30, customers=1)]
    plan = solve(problem([crew("a", shift=(0, 60))], jobs), fast)
    assert plan.assignment() == {"near": "a"}
    assert plan.dropped[0].job == "far"
    assert all(v.finish <= 60 + 1e-6 for v in plan.visits)


def test_job_beyond_any_shift_has_shift_reason(fast: SolveParams) -> None:
    """A job no crew can finish inside its shift even first thing is dropped with that reason."""
    plan = solve(problem([crew("a", shift=(0, 30))], [job("x", 20, duration=20)]), fast)
    assert plan.dropped[0].reason == "no capable crew can finish it within its shift"


def test_shift_start_delays_the_crew(fast: SolveParams) -> None:
    """A crew whose shift starts at 100 cannot arrive before 100 + travel."""
    plan = solve(problem([crew("a", shift=(100, 400))], [job("j", 10)]), fast)
    v = plan.visit("j")
    assert v is not None and v.arrival == pytest.approx(110.0, abs=0.1)


def test_end_depot_return_counts_in_the_shift(fast: SolveParams) -> None:
    """A crew with an end depot must be back before its shift ends."""
    depot = at(0)
    ok = solve(problem([crew("a", shift=(0, 45), end=depot)], [job("j", 10, duration=20)]), fast)
    assert ok.assignment() == {"j": "a"}
    assert ok.travel_minutes == pytest.approx(20.0, abs=0.2)
    late = solve(problem([crew("a", shift=(0, 35), end=depot)], [job("j", 10, duration=20)]), fast)
    assert late.assignment() == {}


def test_time_window_makes_the_crew_wait(fast: SolveParams) -> None:
    """A job whose window opens at 60 starts at 60 even if the crew arrives at 10."""
    plan = solve(problem([crew("a")], [job("j", 10, window=(60.0, 90.0))]), fast)
    v = plan.visit("j")
    assert v is not None and v.arrival == pytest.approx(10.0, abs=0.1)
    assert v.start == pytest.approx(60.0, abs=0.1)


def test_window_closed_before_arrival_is_dropped_with_reason(fast: SolveParams) -> None:
    """A window closing at 5 min for a job 10 minutes away cannot be met."""
    plan = solve(problem([crew("a")], [job("j", 10, window=(0.0, 5.0))]), fast)
    assert plan.dropped[0].reason == "window closes before any crew can arrive"


def test_a_window_closed_before_the_plan_starts_drops_only_that_job(
        fast: SolveParams) -> None:
    """A job whose window closed before the plan's start (a stale appointment in a live
    instance) is dropped with the reason; the rest is planned."""
    plan = solve(problem([crew("a")], [job("old", 10, window=(-120.0, -60.0)),
                                       job("now", 10)]), fast)
    assert [(d.job, d.reason) for d in plan.dropped] == [
        ("old", "window closes before any crew can arrive")]
    assert plan.routes["a"] == ("now",)


def test_windows_order_the_route(fast: SolveParams) -> None:
    """Two windows force the order of visits even against the travel order."""
    jobs = [job("early", 20, window=(0.0, 40.0)), job("late", 10, window=(100.0, 200.0))]
    plan = solve(problem([crew("a")], jobs), fast)
    assert plan.routes["a"] == ("early", "late")


def test_locked_job_stays_with_its_crew(fast: SolveParams) -> None:
    """A job locked to a far crew is done by that crew, not the nearest."""
    crews = [crew("near"), crew("far", start=at(30))]
    plan = solve(problem(crews, [job("j", 1, locked_to="far")]), fast)
    assert plan.assignment() == {"j": "far"}


def test_current_job_stays_first(fast: SolveParams) -> None:
    """A crew's current job stays first on its route even when another job is heavier."""
    jobs = [job("cur", 20, customers=1), job("big", 2, customers=500)]
    plan = solve(problem([crew("a", current_job="cur")], jobs), fast)
    assert plan.routes["a"][0] == "cur"


def test_work_exceeding_crews_drops_lightest_with_reason(fast: SolveParams) -> None:
    """When not everything fits, the plan exists, keeps the heavy jobs and says why."""
    jobs = [job(f"j{i}", 5 + i, duration=50, customers=100 * i) for i in range(1, 6)]
    plan = solve(problem([crew("a", shift=(0, 130))], jobs), fast)
    kept = set(plan.assignment())
    assert kept == {"j5", "j4"}
    assert {d.job for d in plan.dropped} == {"j1", "j2", "j3"}
    assert all(d.reason == "not enough crew time" for d in plan.dropped)


def test_more_customers_go_first(fast: SolveParams) -> None:
    """Equal distances and work: the job with more customers is restored first."""
    jobs = [job("small", 10, customers=1), job("big", 10, customers=100)]
    jobs[0] = job("small", 10, customers=1)
    plan = solve(problem([crew("a")], [jobs[0], jobs[1]]), fast)
    assert plan.routes["a"][0] == "big"


def test_critical_customers_outweigh_ordinary_ones(fast: SolveParams) -> None:
    """One critical customer (weight 10) beats five ordinary customers."""
    jobs = [job("five", 10, customers=5), job("hospital", 10, customers=1, critical=1)]
    plan = solve(problem([crew("a")], jobs), fast)
    assert plan.routes["a"][0] == "hospital"


def test_hazard_comes_first_whatever_its_size(fast: SolveParams) -> None:
    """A wire-down with no customers is made safe before a 1,000-customer outage."""
    jobs = [job("outage", 2, customers=1000), job("wire", 20, customers=0, hazard=True)]
    plan = solve(problem([crew("a")], jobs), fast)
    assert plan.routes["a"][0] == "wire"


def test_same_seed_same_plan() -> None:
    """Two solves with a solution limit give the same plan (deterministic search)."""
    jobs = [job(f"j{i}", (i * 7) % 23 + 1, duration=15, customers=i * 3 % 17) for i in range(12)]
    p = problem([crew("a"), crew("b", start=at(15))], jobs)
    params = SolveParams(solution_limit=40)
    first, second = solve(p, params), solve(p, params)
    assert first.routes == second.routes
    assert first.objective == second.objective


def test_warm_start_routes_are_kept_when_optimal(fast: SolveParams) -> None:
    """Seeding with the optimal routes gives back a plan at least as good."""
    jobs = [job("a1", 5, customers=10), job("a2", 10, customers=5)]
    p = problem([crew("a")], jobs)
    plan = solve(p, fast, initial_routes={"a": ["a1", "a2"]})
    assert plan.routes["a"] == ("a1", "a2")


def test_params_are_validated() -> None:
    """Nonsense parameters are rejected."""
    with pytest.raises(DispatchError):
        SolveParams(time_limit=0)
    with pytest.raises(DispatchError):
        SolveParams(first_solution="magic")


def test_no_crews_capable_of_anything_still_gives_a_plan(fast: SolveParams) -> None:
    """When no job can be modelled the plan is empty with every job explained."""
    plan = solve(problem([crew("a", {"tree"})], [job("j", 1), job("k", 2)]), fast)
    assert plan.visits == ()
    assert len(plan.dropped) == 2
