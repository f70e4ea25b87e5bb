"""POST /api/events: calls, meter messages, callback answers and device operations from
intake systems."""

from __future__ import annotations

from flask import Blueprint, Response

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
    receipt = live().submit(data, idempotency_key())
    return created({"seq": receipt.seq, "outages": list(receipt.outages),
                    "warning": receipt.error, "notes": list(receipt.notes)})
