"""Re-planning: new jobs, finished jobs, crew changes, churn."""

from __future__ import annotations

from dataclasses import replace

from dispatch.replan import ReplanParams, add_crew, add_job, complete_job, replan, update_crew
from dispatch.solve import SolveParams, solve
from tests.dispatch.dispatch_fixtures import at, crew, job, problem

QUICK = ReplanParams(
    time_limit=20.0, base=SolveParams(metaheuristic="greedy_descent"), churn_cost=120.0
)


def _base() -> tuple:  # type: ignore[type-arg]
    p = problem(
        [crew("a"), crew("b", start=at(30))],
        [job("a1", 2, customers=10), job("a2", 4, customers=10), job("b1", 28, customers=10)],
    )
    return p, solve(p, SolveParams(metaheuristic="greedy_descent"))


def test_new_job_is_planned_with_an_eta() -> None:
    """A job arriving after the plan gets a crew and an ETA."""
    p, plan = _base()
    again = replan(plan, add_job(p, job("new", 29, customers=50)), QUICK)
    assert again.eta("new") is not None
    assert again.visit("new").crew == "b"  # type: ignore[union-attr]


def test_finished_job_leaves_the_plan() -> None:
    """A completed job disappears; the other assignments stay."""
    p, plan = _base()
    again = replan(plan, complete_job(p, "a1"), QUICK)
    assert "a1" not in again.assignment()
    assert again.assignment() == {"a2": "a", "b1": "b"}
    assert again.churn == 0


def test_crew_added_is_used_and_churn_is_reported() -> None:
    """A new crew next to a job takes it when the gain beats the churn cost; churn counts it."""
    _p, plan = _base()
    heavy = problem(
        [crew("a"), crew("b", start=at(30))],
        [
            job("a1", 2, customers=10),
            job("a2", 4, customers=10),
            job("b1", 28, customers=10),
            job("far", 60, duration=120, customers=2000),
        ],
    )
    plan = solve(heavy, SolveParams(metaheuristic="greedy_descent"))
    again = replan(plan, add_crew(heavy, crew("c", start=at(60))), QUICK)
    assert again.assignment()["far"] == "c"
    before = plan.assignment()
    moved = [j for j, c in again.assignment().items() if j in before and before[j] != c]
    assert "far" in moved
    assert again.churn == len(moved)


def test_negligible_gain_does_not_reshuffle() -> None:
    """A crew moving slightly does not make jobs change crew for a tiny gain."""
    p, plan = _base()
    moved = update_crew(p, replace(p.crew("a"), start=at(1)))
    again = replan(plan, moved, QUICK)
    assert again.churn == 0
    assert again.assignment() == plan.assignment()


def test_crew_on_site_keeps_its_job_first() -> None:
    """A crew marked as working on a job keeps it first after a re-plan."""
    p, plan = _base()
    busy = update_crew(p, replace(p.crew("b"), current_job="b1", start=at(28)))
    again = replan(plan, add_job(busy, job("urgent", 27, customers=500)), QUICK)
    assert again.routes["b"][0] == "b1"
