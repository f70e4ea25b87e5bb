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
