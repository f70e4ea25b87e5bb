"""First plans of many crews: the seed is improved group by group."""

from __future__ import annotations

from dataclasses import replace

from dispatch.decompose import DECOMPOSE_ABOVE, GROUP_CREWS, crew_groups
from dispatch.generate import generate_storm
from dispatch.solve import SolveParams, solve
from dispatch.timing import travel_matrix


def test_groups_cover_every_crew_once() -> None:
    """Every crew is in exactly one group, groups about GROUP_CREWS crews, for any offset."""
    storm = generate_storm(45, 120, seed=4)
    for offset in (0, GROUP_CREWS // 2):
        groups = crew_groups(storm, {}, offset)
        ids = [c.id for g in groups for c in g]
        assert sorted(ids) == sorted(c.id for c in storm.crews)
        assert all(len(g) <= GROUP_CREWS + GROUP_CREWS // 2 for g in groups)


def test_decomposed_plan_is_feasible_and_keeps_locks() -> None:
    """Above DECOMPOSE_ABOVE crews: skills, shifts, windows, locks and current jobs hold
    (time-bounded search: only invariants are checked)."""
    storm = generate_storm(DECOMPOSE_ABOVE + 5, 200, seed=5)
    jobs = list(storm.jobs)
    lock_crew = next(c for c in storm.crews if "line" in c.skills)
    k = next(i for i, j in enumerate(jobs) if lock_crew.can_do(j) and not j.hazard)
    jobs[k] = replace(jobs[k], locked_to=lock_crew.id)
    busy = next(c for c in storm.crews if c.id != lock_crew.id and c.shift[0] == 0)
    current = next(j for j in jobs if busy.can_do(j) and j.locked_to is None and j.window is None)
    crews = tuple(replace(c, current_job=current.id) if c.id == busy.id else c for c in storm.crews)
    p = replace(storm, crews=crews, jobs=tuple(jobs))
    plan = solve(p, SolveParams(time_limit=6))
    tm = travel_matrix(p)
    done = [v.job for v in plan.visits]
    assert len(done) == len(set(done))
    assert set(done) | {d.job for d in plan.dropped} == {j.id for j in p.jobs}
    for v in plan.visits:
        c, j = p.crew(v.crew), p.job(v.job)
        assert c.can_do(j)
        if j.window is not None:
            assert j.window[0] - 1e-6 <= v.start <= j.window[1] + 1e-6
        assert v.finish + tm.to_end(c.id, tm.jobs[j.id]) <= c.shift[1] + 1e-6
    assert plan.routes[busy.id][0] == current.id
    locked = plan.visit(jobs[k].id)
    assert locked is None or locked.crew == lock_crew.id
