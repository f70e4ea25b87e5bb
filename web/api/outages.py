"""Outages: list, detail, and the dispatcher's actions on them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from web.api.common import body, created, field, idempotency_key, idempotent, live
from web.auth import CONTROL_ROOM, require_role
from web.errors import ApiError

bp = Blueprint("outages", __name__, url_prefix="/api/outages")
SORT_KEYS = {
    "customers": lambda o: -o["customers_out"],
    "critical": lambda o: -o["critical_out"],
    "age": lambda o: o["started"],
    "etr": lambda o: o["etr"] or "9999",
}


@bp.get("")
@require_role(*CONTROL_ROOM)
def list_outages() -> Response:
    include = request.args.get("status", "live")
    if include not in ("live", "all"):
        raise ApiError("status must be live or all")
    sort = request.args.get("sort", "customers")
    if sort not in SORT_KEYS:
        raise ApiError(f"sort must be one of {', '.join(SORT_KEYS)}")
    rows = live().outages(include_restored=include == "all")
    return jsonify(sorted(rows, key=SORT_KEYS[sort]))


@bp.get("/<outage_id>")
@require_role(*CONTROL_ROOM)
def get_outage(outage_id: str) -> Response:
    state = live()
    with state.lock:
        # With a fresh explanation: a live outage's is written when it is read.
        data = state.engine.describe(state.outage(outage_id))
    return jsonify(data)


def _act(outage_id: str, action: str, **extra: Any) -> tuple[Response, int]:
    state = live()
    state.outage(outage_id)  # 404 before anything is logged
    receipt = state.submit({"type": "dispatcher", "action": action, "outage_id": outage_id,
                            **extra}, idempotency_key())
    if receipt.error:
        raise ApiError(receipt.error, 409)
    return created({"seq": receipt.seq, "outages": list(receipt.outages)})


@bp.post("/<outage_id>/confirm")
@require_role(*CONTROL_ROOM)
@idempotent
def confirm(outage_id: str) -> tuple[Response, int]:
    return _act(outage_id, "confirm")


@bp.post("/<outage_id>/cancel")
@require_role(*CONTROL_ROOM)
@idempotent
def cancel(outage_id: str) -> tuple[Response, int]:
    return _act(outage_id, "cancel")


@bp.post("/<outage_id>/merge")
@require_role(*CONTROL_ROOM)
@idempotent
def merge(outage_id: str) -> tuple[Response, int]:
    target = field(body(), "target")
    live().outage(target)
    return _act(outage_id, "merge", target=target)


@bp.post("/<outage_id>/split")
@require_role(*CONTROL_ROOM)
@idempotent
def split(outage_id: str) -> tuple[Response, int]:
    customers = field(body(), "customer_ids", list)
    if not customers or not all(isinstance(c, str) for c in customers):
        raise ApiError("customer_ids must be a non-empty list of customer ids")
    return _act(outage_id, "split", customer_ids=customers)


@bp.post("/<outage_id>/etr")
@require_role(*CONTROL_ROOM)
@idempotent
def set_etr(outage_id: str) -> tuple[Response, int]:
    data = body()
    return _act(outage_id, "set_etr", etr=field(data, "etr"))


@bp.delete("/<outage_id>/etr")
@require_role(*CONTROL_ROOM)
@idempotent
def release_etr(outage_id: str) -> tuple[Response, int]:
    """A person's ETR (a dispatcher's, the crew's) withdrawn: the model's again, until
    the plan (asked for anew, as after any change) tells its crew's finish."""
    return _act(outage_id, "release_etr")
