"""The field dispatch instance (JSON, DESIGN.md section 5) and the plan's JSON output."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from dispatch.errors import DispatchError, InstanceFormatError, InvalidRecordError
from dispatch.plan import Plan
from dispatch.problem import Crew, CrewType, Job, Point, Problem
from dispatch.travel import GreatCircleTravel
from gis import json_input
from gis.json_input import JsonInputError

T = TypeVar("T")


def _time(text: Any, where: str) -> datetime:
    if not isinstance(text, str):
        raise InstanceFormatError(f"{where}: expected an ISO 8601 time, got {text!r}")
    try:
        t = datetime.fromisoformat(text.upper())  # RFC 3339's "t" and "z" too
    except ValueError:
        raise InstanceFormatError(f"{where}: bad ISO 8601 time {text!r}") from None
    if t.tzinfo is None:
        raise InstanceFormatError(f"{where}: time {text!r} has no zone")
    return t


def _point(obj: Any, where: str) -> Point:
    if not isinstance(obj, dict) or "lon" not in obj or "lat" not in obj:
        raise InstanceFormatError(f"{where}: expected {{'lon':…, 'lat':…}}, got {obj!r}")
    try:
        return Point(float(obj["lon"]), float(obj["lat"]))
    except (TypeError, ValueError) as e:
        raise InstanceFormatError(f"{where}: {e}") from None


def _field(rec: dict[str, Any], key: str, where: str, conv: Callable[[Any], T]) -> T:
    if key not in rec:
        raise InstanceFormatError(f"{where}: missing field {key!r}")
    try:
        return conv(rec[key])
    except (TypeError, ValueError):
        raise InstanceFormatError(f"{where}: bad {key!r} value {rec[key]!r}") from None


def _skills(rec: dict[str, Any], where: str) -> frozenset[str]:
    value = rec.get("skills")
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise InstanceFormatError(f"{where}: skills must be a list of names, got {value!r}")
    return frozenset(value)


def _count(rec: dict[str, Any], key: str, where: str) -> int:
    """A whole number of customers (critical ones, a priority): absent is none."""
    value = rec.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            (isinstance(value, float) and not value.is_integer()):
        raise InstanceFormatError(f"{where}: {key} must be a whole number, got {value!r}")
    return int(value)


def _crew(rec: dict[str, Any], i: int, t0: datetime) -> Crew:
    where = f"crew #{i} ({rec.get('id', '?')!r})"
    shift = _field(rec, "shift", where, list)
    if len(shift) != 2:
        raise InstanceFormatError(f"{where}: shift must be [start, end]")
    a, b = (_minutes(_time(s, f"{where} shift"), t0) for s in shift)
    return Crew(
        id=_field(rec, "id", where, str),
        start=_point(rec.get("start"), f"{where} start"),
        shift=(a, b),
        skills=_skills(rec, where),
        kind=CrewType(rec.get("type", "line")),
        end=_point(rec["end"], f"{where} end") if rec.get("end") is not None else None,
        current_job=str(rec["current_job"]) if rec.get("current_job") is not None else None,
    )


def _job(rec: dict[str, Any], i: int, t0: datetime) -> Job:
    where = f"job #{i} ({rec.get('id', '?')!r})"
    window = None
    if rec.get("window") is not None:
        w = _field(rec, "window", where, list)
        if len(w) != 2:
            raise InstanceFormatError(f"{where}: window must be [start, end]")
        window = (_minutes(_time(w[0], where), t0), _minutes(_time(w[1], where), t0))
    return Job(
        id=_field(rec, "id", where, str),
        location=_point(rec.get("location"), f"{where} location"),
        duration=_field(rec, "duration_min", where, float),
        skills=_skills(rec, where),
        customers=_count(rec, "customers", where),
        critical=_count(rec, "critical", where),
        hazard=bool(rec.get("hazard", False)),
        priority=_count(rec, "priority", where),
        window=window,
        locked_to=str(rec["locked_to"]) if rec.get("locked_to") is not None else None,
    )


def _minutes(t: datetime, t0: datetime) -> float:
    return (t - t0).total_seconds() / 60.0


def problem_from_json(data: Any, source: str = "instance") -> Problem:
    """Build a :class:`Problem` from a decoded field instance (errors name the record)."""
    if not isinstance(data, dict):
        raise InstanceFormatError(f"{source}: expected a JSON object")
    for key in ("start_time", "crews", "jobs"):
        if key not in data:
            raise InstanceFormatError(f"{source}: missing section {key!r}")
    t0 = _time(data["start_time"], f"{source} start_time")
    travel = data.get("travel") or {}
    try:
        crews = tuple(_crew(c, i, t0) for i, c in enumerate(data["crews"]))
        jobs = tuple(_job(j, i, t0) for i, j in enumerate(data["jobs"]))
        model = GreatCircleTravel(
            float(travel.get("speed_kmh", 40)), float(travel.get("detour", 1.3))
        )
    except InvalidRecordError as e:
        raise InvalidRecordError(
            e.kind, e.record_id, f"{str(e).split(': ', 1)[1]} ({source})"
        ) from None
    except (AttributeError, TypeError, ValueError) as e:
        if isinstance(e, DispatchError):
            raise
        raise InstanceFormatError(f"{source}: {e}") from None
    return Problem(crews, jobs, model, t0)


def read_field_json(path: str | Path) -> Problem:
    """Read a field dispatch instance file."""
    path = Path(path)
    try:
        data = json_input.loads(path.read_bytes())
    except JsonInputError as e:
        raise InstanceFormatError(f"{path.name}: {e}") from None
    return problem_from_json(data, path.name)


def _iso(t0: datetime | None, minutes: float) -> str | float:
    if t0 is None:
        return round(minutes, 3)
    return (t0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def plan_to_json(problem: Problem, plan: Plan) -> dict[str, Any]:
    """The ``oms dispatch solve --json`` object for a field instance (DESIGN.md section 5)."""
    routes = [list(plan.routes.get(c.id, ())) for c in problem.crews]
    t0 = problem.start_time
    return {
        "vehicles": sum(1 for r in routes if r),
        "distance": round(plan.travel_minutes, 3),
        "objective": plan.objective,
        "routes": routes,
        "unassigned": [{"id": d.job, "reason": d.reason} for d in plan.dropped],
        "seconds": round(plan.seconds, 3),
        "schedule": [
            {
                "crew": v.crew,
                "job": v.job,
                "arrival": _iso(t0, v.arrival),
                "finish": _iso(t0, v.finish),
            }
            for v in plan.visits
        ],
        "customer_minutes": round(plan.customer_minutes, 3),
        "travel_minutes": round(plan.travel_minutes, 3),
        "jobs_dropped": plan.jobs_dropped,
    }


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """Encode a problem as a field instance (times relative to ``start_time`` or now)."""
    t0 = problem.start_time or datetime(2026, 1, 1, tzinfo=UTC)
    travel = problem.travel
    out: dict[str, Any] = {"start_time": _iso(t0, 0.0)}
    if isinstance(travel, GreatCircleTravel):
        out["travel"] = {"speed_kmh": travel.speed_kmh, "detour": travel.detour}
    out["crews"] = [_crew_json(c, t0) for c in problem.crews]
    out["jobs"] = [_job_json(j, t0) for j in problem.jobs]
    return out


def _crew_json(c: Crew, t0: datetime) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": c.id,
        "type": c.kind.value,
        "start": {"lon": c.start.lon, "lat": c.start.lat},
        "shift": [_iso(t0, c.shift[0]), _iso(t0, c.shift[1])],
        "skills": sorted(c.skills),
    }
    if c.end is not None:
        rec["end"] = {"lon": c.end.lon, "lat": c.end.lat}
    if c.current_job is not None:
        rec["current_job"] = c.current_job
    return rec


def _job_json(j: Job, t0: datetime) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": j.id,
        "location": {"lon": j.location.lon, "lat": j.location.lat},
        "duration_min": j.duration,
        "skills": sorted(j.skills),
        "customers": j.customers,
        "critical": j.critical,
        "hazard": j.hazard,
    }
    if j.priority:
        rec["priority"] = j.priority
    if j.window is not None:
        rec["window"] = [_iso(t0, j.window[0]), _iso(t0, j.window[1])]
    if j.locked_to is not None:
        rec["locked_to"] = j.locked_to
    return rec
