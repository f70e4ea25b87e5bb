"""The nearest-available-crew baseline."""

from __future__ import annotations

from dispatch.greedy import greedy_plan
from tests.dispatch.dispatch_fixtures import at, crew, job, problem


def test_free_crew_takes_the_nearest_job() -> None:
    """Without hazards the crew goes to the nearest job, whatever its size."""
    plan = greedy_plan(problem([crew("a")], [job("far", 9, customers=900), job("near", 1)]))
    assert plan.routes["a"] == ("near", "far")


def test_hazards_first() -> None:
    """A hazard is taken before any nearer outage."""
    jobs = [job("near", 1, customers=50), job("wire", 9, hazard=True)]
    assert greedy_plan(problem([crew("a")], jobs)).routes["a"][0] == "wire"


def test_skills_and_shift_respected() -> None:
    """The greedy only gives a crew jobs it can do and finish in its shift."""
    crews = [crew("line", shift=(0, 30)), crew("tree", {"tree"}, start=at(5))]
    jobs = [job("l", 1, duration=20), job("l2", 2, duration=20), job("t", 5, skills={"tree"})]
    plan = greedy_plan(problem(crews, jobs))
    assert plan.routes == {"line": ("l",), "tree": ("t",)}
    assert [d.job for d in plan.dropped] == ["l2"]


def test_best_seed_is_the_cheapest_smith_seed() -> None:
    """The search starts from the cheapest of the Smith-rule seeds; a larger travel factor
    makes a crew prefer a near small job over a far big one."""
    from dispatch.generate import generate_storm
    from dispatch.greedy import greedy_routes
    from dispatch.solve import SEED_TRAVEL_FACTORS, best_seed, seed_cost
    from dispatch.timing import travel_matrix

    storm = generate_storm(6, 40, seed=3)
    tm = travel_matrix(storm)
    weights = {j.id: float(max(1, j.customers)) for j in storm.jobs}
    costs = [
        seed_cost(storm, tm, greedy_routes(storm, tm, weights, f), weights, 1.0)
        for f in SEED_TRAVEL_FACTORS
    ]
    assert seed_cost(storm, tm, best_seed(storm, tm, weights, 1.0), weights, 1.0) == min(costs)
    two = problem([crew("a")], [job("far", 20, customers=30), job("near", 1, customers=10)])
    w2 = {"far": 30.0, "near": 10.0}
    tm2 = travel_matrix(two)
    assert greedy_routes(two, tm2, w2, 1.0)["a"][0] == "far"
    assert greedy_routes(two, tm2, w2, 6.0)["a"][0] == "near"
