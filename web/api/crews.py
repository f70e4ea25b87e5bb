"""Crews: the roster (control room) and a crew's own actions from its phone."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, jsonify, session

from web.api.common import body, created, field, idempotent, live
from web.auth import CONTROL_ROOM, require_role
from web.crews import CrewState
from web.errors import ApiError, Forbidden

bp = Blueprint("crews", __name__, url_prefix="/api")
CREW_ACTIONS = ("en_route", "on_site", "restored", "need_help")


@bp.get("/crews")
@require_role(*CONTROL_ROOM)
def list_crews() -> Response:
    return jsonify(live().crews.to_json())


@bp.post("/crews")
@require_role("supervisor", "admin")
@idempotent
def add_crew() -> tuple[Response, int]:
    data = body()
    position = field(data, "position", dict)
    crew = CrewState(id=field(data, "id"), name=field(data, "name", required=False) or data["id"],
                     kind=field(data, "kind", required=False) or "line",
                     skills=field(data, "skills", list, required=False) or ["line"],
                     lon=_coordinate(position, "lon"), lat=_coordinate(position, "lat"))
    if crew.id in live().crews:
        raise ApiError(f"crew {crew.id!r} already exists", 409)
    live().add_crew(crew)
    return created(crew.to_json())


def _coordinate(position: dict[str, Any], name: str) -> float:
    value = field(position, name, (int, float))
    if not math.isfinite(value):
        raise ApiError(f"position.{name} must be a finite number")
    return float(value)


def _my_crew() -> CrewState:
    return live().crews.get(str(session.get("crew_id")))


@bp.get("/crew/jobs")
@require_role("crew")
def my_jobs() -> Response:
    return jsonify(live().crew_jobs(_my_crew().id))


@bp.post("/crew/position")
@require_role("crew")
@idempotent
def post_position() -> tuple[Response, int]:
    data = body()
    crew = _my_crew()
    lon, lat = _coordinate(data, "lon"), _coordinate(data, "lat")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ApiError("lon/lat out of range")
    state = live()
    with state.crews.lock:
        crew.lon, crew.lat = lon, lat
        state.save_crew(crew)
    state.emit_crews()
    return created({"crew_id": crew.id, "lon": lon, "lat": lat})


@bp.post("/crew/status")
@require_role("crew")
@idempotent
def post_status() -> tuple[Response, int]:
    data = body()
    status = field(data, "status")
    if status not in CREW_ACTIONS:
        raise ApiError(f"status must be one of {', '.join(CREW_ACTIONS)}")
    outage_id = field(data, "outage_id")
    cause = field(data, "cause", required=False) or ""
    partial = field(data, "partial", dict, required=False)
    crew = _my_crew()
    state = live()
    outage = state.outage(outage_id)
    if partial is not None and field(partial, "device_id") not in state.network.devices.index:
        raise ApiError(f"partial.device_id {partial['device_id']!r} is not a device", 422)
    planned = state.planner.result.crew_of(outage_id) if state.planner.result else None
    if outage.crew_id not in ("", crew.id) and planned != crew.id:
        raise Forbidden(f"job {outage_id!r} belongs to crew {outage.crew_id!r}")
    receipt = state.submit({"type": "crew", "outage_id": outage_id, "status": status,
                            "crew_id": crew.id, "cause": cause})
    follow_up = apply_crew_status(crew, status, outage_id, partial)
    return created({"seq": receipt.seq, "outages": list(receipt.outages), **follow_up})


def apply_crew_status(crew: CrewState, status: str, outage_id: str,
                      partial: dict[str, Any] | None) -> dict[str, Any]:
    """Update the crew's own record; a partial restoration leaves the isolated part out."""
    state = live()
    extra: dict[str, Any] = {}
    with state.crews.lock:
        if status in ("en_route", "on_site"):
            crew.status, crew.job = status, outage_id
        elif status == "need_help":
            crew.status = "need_help"
        else:
            crew.status, crew.job, crew.path = "available", None, []
    if status == "restored" and partial:
        device = field(partial, "device_id")
        # Workaround until the engine has partial restoration (see docs/web.md): the
        # section behind the isolating device is re-opened as an outage of its own,
        # pinned to this crew.
        receipt = state.submit({"type": "device", "device_id": device, "state": "open",
                                "source": "crew"})
        for new_id in receipt.outages:
            state.planner.locks[new_id] = crew.id
        extra["isolated"] = list(receipt.outages)
    state.save_crew(crew)
    state.emit_crews()
    state.planner.request()
    return extra
