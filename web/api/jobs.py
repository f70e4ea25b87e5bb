"""Jobs (live outages as field work), the current plan, and the dispatcher's overrides."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from dispatch.from_outages import job_from_outage
from web.api.common import body, created, field, idempotency_key, idempotent, live
from web.auth import CONTROL_ROOM, require_role
from web.errors import ApiError

bp = Blueprint("jobs", __name__, url_prefix="/api")


@bp.get("/jobs")
@require_role(*CONTROL_ROOM)
def list_jobs() -> Response:
    state = live()
    rows = []
    with state.lock:
        for outage in state.engine.outages():
            job = job_from_outage(state.network, outage, state.planner.locks.get(outage.id))
            if job is None:
                continue
            rows.append(state.decorate({
                "id": job.id, "location": {"lon": job.location.lon, "lat": job.location.lat},
                "duration_min": job.duration, "skills": sorted(job.skills),
                "customers": job.customers, "critical": job.critical, "hazard": job.hazard,
                "locked_to": job.locked_to, "stage": str(outage.stage),
                "crew_id": outage.crew_id or None}))
    return jsonify(rows)


@bp.get("/plan")
@require_role(*CONTROL_ROOM)
def get_plan() -> Response:
    return jsonify(live().planner.to_json())


@bp.post("/plan")
@require_role(*CONTROL_ROOM)
def run_plan() -> tuple[Response, int]:
    """Re-plan now and return the plan (the worker does this by itself on changes)."""
    state = live()
    state.planner.run()
    return created(state.planner.to_json())


def _job_and_crew(job_id: str, crew_id: str | None) -> None:
    state = live()
    outage = state.outage(job_id)
    if not outage.active:
        raise ApiError(f"job {job_id!r} is {outage.stage}: nothing to plan", 409)
    if crew_id is not None:
        state.crews.get(crew_id)


@bp.post("/jobs/<job_id>/assign")
@require_role(*CONTROL_ROOM)
@idempotent
def assign(job_id: str) -> tuple[Response, int]:
    """Assign a job to a crew now: it is locked to that crew and the crew is told."""
    crew_id = field(body(), "crew_id")
    _job_and_crew(job_id, crew_id)
    state = live()
    state.planner.locks[job_id] = crew_id
    receipt = state.submit({"type": "crew", "outage_id": job_id, "status": "assigned",
                            "crew_id": crew_id}, idempotency_key())
    return created({"seq": receipt.seq, "job": job_id, "crew_id": crew_id})


@bp.post("/jobs/<job_id>/lock")
@require_role(*CONTROL_ROOM)
@idempotent
def lock(job_id: str) -> tuple[Response, int]:
    """Pin a job to a crew for the planner (crew_id null releases it)."""
    crew_id = field(body(), "crew_id", required=False)
    _job_and_crew(job_id, crew_id)
    state = live()
    if crew_id is None:
        state.planner.locks.pop(job_id, None)
    else:
        state.planner.locks[job_id] = crew_id
    state.planner.request()
    return created({"job": job_id, "locked_to": crew_id})
