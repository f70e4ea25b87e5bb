"""POST /api/events: calls, meter messages, callback answers and device operations from
intake systems."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from flask import Blueprint, Response, current_app

from web.api.common import body, created, idempotency_key, idempotent, live
from web.auth import CONTROL_ROOM, require_role
from web.errors import ApiError

bp = Blueprint("events", __name__, url_prefix="/api")
# Crew and dispatcher events go through their own endpoints, where roles are checked.
INTAKE_TYPES = frozenset({"call", "meter", "callback", "device"})


@bp.post("/events")
@require_role("intake", *CONTROL_ROOM)
@idempotent
def post_event() -> tuple[Response, int]:
    data = body()
    if data.get("type") not in INTAKE_TYPES:
        raise ApiError(f"type must be one of {', '.join(sorted(INTAKE_TYPES))}; crew and "
                       "dispatcher actions have their own endpoints", 422)
    receipt = live().submit(_on_the_map(data), idempotency_key())
    return created({"seq": receipt.seq, "outages": list(receipt.outages),
                    "warning": receipt.error, "notes": list(receipt.notes)})


def _on_the_map(data: dict[str, Any]) -> dict[str, Any]:
    """A location given in the network's own coordinates (`{"x", "y"}`: its CRS, or the
    local plane of an OpenDSS feeder) placed where the served network lies on the map
    (`gis.placement.own_to_map`); anything else as it came, for the engine to check."""
    location = data.get("location")
    if not isinstance(location, dict) or "lon" in location or "lat" in location:
        return data
    x, y = location.get("x"), location.get("y")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
               for v in (x, y)):
        return data
    place = current_app.extensions["oms_place"]
    if place is None:
        raise ApiError("this network has no coordinates, so a location says nothing on it: "
                       "give the caller's customer_id", 422)
    lon, lat = place(np.array([x], dtype=float), np.array([y], dtype=float))
    return {**data, "location": {"lon": float(lon[0]), "lat": float(lat[0])}}
