"""Crews: the roster (control room) and a crew's own actions from its phone."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from flask import Blueprint, Response, jsonify, session

from outage.events import parse_time
from web.api.common import body, created, field, idempotency_key, idempotent, live
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
    status = field(data, "status", choices=CREW_ACTIONS)
    outage_id = field(data, "outage_id")
    cause = field(data, "cause", required=False) or ""
    partial = field(data, "partial", dict, required=False)
    # When the crew did it (its phone's clock; queued while out of signal), else now.
    at = field(data, "at", required=False)
    when = {} if at is None else {"time": at}
    crew = _my_job(outage_id)
    state = live()
    device = _isolating_device(partial, outage_id) if status == "restored" and partial else None
    if device is not None:
        # Partial restoration: the crew reports the isolating device open first; the
        # engine then keeps the section behind it out (confirmed, from the original
        # start) when the outage itself is restored.
        state.submit({"type": "device", "device_id": device, "state": "open",
                      "source": "crew", **when}, idempotency_key("isolate"))
    receipt = state.submit({"type": "crew", "outage_id": outage_id, "status": status,
                            "crew_id": crew.id, "cause": cause, **when}, idempotency_key())
    isolated = _sections_behind(device) if device is not None else []
    apply_crew_status(crew, status, outage_id, isolated)
    extra = {"isolated": isolated} if device is not None else {}
    return created({"seq": receipt.seq, "outages": list(receipt.outages), **extra})


@bp.post("/crew/etr")
@require_role("crew")
@idempotent
def post_etr() -> tuple[Response, int]:
    """When the crew at a job says its customers will have power again: the ETR they are
    told, which no plan overrides, and the end of the crew's job in the plan."""
    data = body()
    outage_id = field(data, "outage_id")
    _my_job(outage_id)
    when = parse_time(field(data, "etr"), "etr")  # EventError (422) names what is wrong
    if when <= live().now():
        raise ApiError("etr must be a time to come", 422)
    receipt = live().submit({"type": "dispatcher", "action": "set_etr", "by": "crew",
                             "outage_id": outage_id, "etr": when.isoformat()},
                            idempotency_key())
    return created({"seq": receipt.seq, "outages": list(receipt.outages)})


def _my_job(outage_id: str) -> CrewState:
    """The signed-in crew, when `outage_id` is its job (assigned or planned to it), else
    404 for no such outage and 403 for another crew's."""
    crew = _my_crew()
    state = live()
    outage = state.outage(outage_id)
    planned = state.planner.result.crew_of(outage_id) if state.planner.result else None
    if outage.crew_id not in ("", crew.id) and planned != crew.id:
        raise Forbidden(f"job {outage_id!r} belongs to crew {outage.crew_id!r}")
    return crew


def _isolating_device(partial: dict[str, Any], outage_id: str) -> str:
    """The device a crew left open: a device strictly inside the outage (else 422)."""
    state = live()
    device: str = field(partial, "device_id")
    network = state.network
    if device not in network.devices.index:
        raise ApiError(f"partial.device_id {device!r} is not a device", 422)
    behind = state.engine.topology.downstream_customers(
        int(network.devices.branch[network.devices.index[device]]))
    with state.lock:
        inside = state.engine.customers_below(state.outage(outage_id).candidate)
    if len(behind) == 0 or len(behind) >= len(inside) or not np.isin(behind, inside).all():
        raise ApiError(f"partial.device_id {device!r} does not isolate a part of outage "
                       f"{outage_id!r}", 422)
    return device


def _sections_behind(device: str) -> list[str]:
    """Live outages at the isolating device: what the partial restoration left out."""
    state = live()
    with state.lock:
        return [o.id for o in state.engine.outages() if o.active and o.device_id == device]


def apply_crew_status(crew: CrewState, status: str, outage_id: str,
                      isolated: list[str]) -> None:
    """Update the crew's own record; sections it left isolated stay locked to it."""
    state = live()
    with state.crews.lock:
        if status in ("en_route", "on_site"):
            crew.status, crew.job = status, outage_id
        elif status == "need_help":
            crew.status = "need_help"
        else:
            crew.status, crew.job, crew.path = "available", None, []
    for section in isolated:
        state.planner.locks[section] = crew.id
    state.save_crew(crew)
    state.emit_crews()
    state.planner.request()
