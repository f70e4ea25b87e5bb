"""Seeded generator of storm work in a city-sized area (benchmarks, tests, demos).

Damage clusters around a few storm cells; job kinds follow what a storm leaves behind:
wires down (hazards), blown transformer fuses, broken laterals and feeders, trees on
lines, underground faults. Customer counts are heavy-tailed. Crews of every type start
from a few service centres; mutual aid arrives a few hours in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dispatch.problem import Crew, CrewType, Job, Point, Problem
from dispatch.travel import GreatCircleTravel

DEFAULT_BBOX = (-122.75, 45.45, -122.55, 45.60)  # lon min, lat min, lon max, lat max
SHIFT_MIN = 16 * 60.0


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    share: float
    skills: frozenset[str]
    duration: tuple[float, float]
    customers: tuple[float, float]  # lognormal mu, sigma (0, 0 = none)
    hazard: bool = False


KINDS = (
    _Kind("wire_down", 0.12, frozenset({"troubleshoot"}), (30, 60), (0.0, 0.0), hazard=True),
    _Kind("fuse", 0.35, frozenset({"troubleshoot"}), (30, 75), (2.5, 1.0)),
    _Kind("lateral", 0.25, frozenset({"line"}), (90, 180), (4.0, 1.0)),
    _Kind("feeder", 0.05, frozenset({"line"}), (180, 360), (6.5, 0.6)),
    _Kind("tree", 0.15, frozenset({"tree"}), (60, 150), (3.5, 1.2)),
    _Kind("underground", 0.08, frozenset({"underground"}), (120, 300), (3.5, 1.0)),
)
CREW_MIX = (
    (CrewType.TROUBLESHOOTER, 0.30, frozenset({"troubleshoot"})),
    (CrewType.LINE, 0.30, frozenset({"line", "troubleshoot"})),
    (CrewType.TREE, 0.15, frozenset({"tree"})),
    (CrewType.UNDERGROUND, 0.10, frozenset({"underground", "line", "troubleshoot"})),
    (CrewType.MUTUAL_AID, 0.15, frozenset({"line", "troubleshoot"})),
)


def default_points(
    seed: int = 0, count: int = 4000, bbox: tuple[float, float, float, float] = DEFAULT_BBOX
) -> list[Point]:
    """A seeded set of candidate addresses: denser near a few neighbourhood centres."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = bbox
    centres = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(12)]
    out = []
    for _ in range(count):
        if rng.random() < 0.6:
            cx, cy = rng.choice(centres)
            lon, lat = rng.gauss(cx, (x1 - x0) / 12), rng.gauss(cy, (y1 - y0) / 12)
        else:
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        out.append(Point(min(max(lon, x0), x1), min(max(lat, y0), y1)))
    return out


def _pick_kind(rng: random.Random) -> _Kind:
    r, acc = rng.random(), 0.0
    for kind in KINDS:
        acc += kind.share
        if r < acc:
            return kind
    return KINDS[-1]


def _job(rng: random.Random, i: int, where: Point) -> Job:
    kind = _pick_kind(rng)
    mu, sigma = kind.customers
    customers = 0 if mu == 0 else max(1, round(rng.lognormvariate(mu, sigma)))
    critical = 1 if customers and rng.random() < 0.04 else 0
    window = None
    if not kind.hazard and rng.random() < 0.05:  # access arranged with a customer
        opens = rng.uniform(60, 480)
        window = (opens, opens + rng.uniform(120, 240))
    return Job(
        id=f"{kind.name}-{i}",
        location=where,
        duration=float(round(rng.uniform(*kind.duration))),
        skills=kind.skills,
        customers=min(customers, 5000),
        critical=critical,
        hazard=kind.hazard,
        window=window,
    )


def generate_storm(
    n_crews: int,
    n_jobs: int,
    seed: int = 0,
    points: Sequence[Point] | None = None,
    bbox: tuple[float, float, float, float] = DEFAULT_BBOX,
) -> Problem:
    """A storm instance: ``n_jobs`` located at ``points`` (inside ``bbox``), ``n_crews`` crews."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = bbox
    pool = [
        p
        for p in (points or default_points(seed, bbox=bbox))
        if x0 <= p.lon <= x1 and y0 <= p.lat <= y1
    ]
    if not pool:
        raise ValueError("generate_storm: no candidate point inside the bounding box")
    cells = [rng.choice(pool) for _ in range(4)]
    weights = [
        1.0 + 6.0 * max(0.0, 1 - min(abs(p.lon - c.lon) + abs(p.lat - c.lat) for c in cells) / 0.05)
        for p in pool
    ]
    sites = rng.choices(pool, weights=weights, k=n_jobs)
    jobs = tuple(_job(rng, i, p) for i, p in enumerate(sites))
    centres = [Point(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(4)]
    crews = []
    for i in range(n_crews):
        kind, skills = _crew_kind(rng, i)
        base = rng.choice(centres)
        start = 120.0 if kind is CrewType.MUTUAL_AID else 0.0
        crews.append(Crew(f"{kind.value}-{i}", base, (start, start + SHIFT_MIN), skills, kind))
    return Problem(
        tuple(crews), jobs, GreatCircleTravel(40.0, 1.3), datetime(2026, 7, 1, 14, tzinfo=UTC)
    )


def _crew_kind(rng: random.Random, i: int) -> tuple[CrewType, frozenset[str]]:
    if i < len(CREW_MIX):  # every type at least once, so every job kind has a crew
        kind, _, skills = CREW_MIX[i]
        return kind, skills
    r, acc = rng.random(), 0.0
    for kind, share, skills in CREW_MIX:
        acc += share
        if r < acc:
            return kind, skills
    return CREW_MIX[-1][0], CREW_MIX[-1][2]
