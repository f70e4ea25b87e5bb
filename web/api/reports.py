"""Reports no live outage explains (lone calls, lone last gasps, hazards),
and the trouble desk clearing those it has checked."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.api.common import body, created, field, idempotency_key, idempotent, live
from web.auth import CONTROL_ROOM, require_role
from web.errors import ApiError

bp = Blueprint("reports", __name__, url_prefix="/api/reports")


@bp.get("")
@require_role(*CONTROL_ROOM)
def get_open_reports() -> Response:
    return jsonify(live().open_reports())


@bp.post("/clear")
@require_role(*CONTROL_ROOM)
@idempotent
def clear_reports() -> tuple[Response, int]:
    """Checked (a callback, a visit): no outage at these customers; their reports go."""
    customers = field(body(), "customer_ids", list)
    if not customers or not all(isinstance(c, str) for c in customers):
        raise ApiError("customer_ids must be a non-empty list of customer ids")
    # Refusals (an unknown customer, one inside a live outage) come from validation, as
    # 422, before anything is logged; once logged, clearing cannot fail.
    receipt = live().submit({"type": "dispatcher", "action": "clear_reports",
                             "customer_ids": customers}, idempotency_key())
    return created({"seq": receipt.seq, "open_reports": live().open_report_count()})
