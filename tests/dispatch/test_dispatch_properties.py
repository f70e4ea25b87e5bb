"""Property: every plan of a random small problem is feasible and accounts for every job."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.problem import Crew, Job, Problem
from dispatch.solve import SolveParams, solve
from dispatch.timing import travel_matrix
from tests.dispatch.dispatch_fixtures import TRAVEL, at

SKILLS = st.frozensets(st.sampled_from(["line", "tree"]), max_size=2)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """1-3 crews and 1-8 jobs within 20 km, random skills, shifts, windows and locks."""
    crews = []
    for i in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 120))
        length = draw(st.integers(20, 400))
        end = at(draw(st.integers(-10, 10))) if draw(st.booleans()) else None
        crews.append(
            Crew(
                f"c{i}",
                at(draw(st.integers(-20, 20))),
                (start, start + length),
                draw(SKILLS),
                end=end,
            )
        )
    jobs = []
    for i in range(draw(st.integers(1, 8))):
        window = None
        if draw(st.booleans()):
            opens = draw(st.integers(0, 300))
            window = (float(opens), float(opens + draw(st.integers(0, 120))))
        lock = f"c{draw(st.integers(0, len(crews) - 1))}" if draw(st.integers(0, 5)) == 0 else None
        jobs.append(
            Job(
                f"j{i}",
                at(draw(st.integers(-20, 20)), draw(st.integers(-5, 5))),
                float(draw(st.integers(0, 90))),
                draw(SKILLS),
                customers=draw(st.integers(0, 500)),
                hazard=draw(st.integers(0, 6)) == 0,
                window=window,
                locked_to=lock,
            )
        )
    return Problem(tuple(crews), tuple(jobs), TRAVEL)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_plan_is_feasible(p: Problem) -> None:
    """Skills, locks, windows, shift start/end (with return trip) hold; each job once."""
    plan = solve(p, SolveParams(time_limit=10, metaheuristic="greedy_descent"))
    tm = travel_matrix(p)
    jobs = p.job_index()
    done = [v.job for v in plan.visits]
    assert len(done) == len(set(done))
    assert set(done) | {d.job for d in plan.dropped} == set(jobs)
    assert not set(done) & {d.job for d in plan.dropped}
    for v in plan.visits:
        c, j = p.crew(v.crew), jobs[v.job]
        assert c.can_do(j)
        assert v.start >= max(0.0, c.shift[0]) - 1e-6
        if j.window is not None:
            assert j.window[0] - 1e-6 <= v.start <= j.window[1] + 1e-6
        assert v.finish + tm.to_end(c.id, tm.jobs[j.id]) <= c.shift[1] + 1e-6
    for c in p.crews:
        route = plan.routes[c.id]
        visits = [plan.visit(j) for j in route]
        for a, b in itertools.pairwise(visits):
            assert a is not None and b is not None
            assert b.arrival >= a.finish - 1e-6
