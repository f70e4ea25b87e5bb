"""Reports no live outage explains (lone calls, lone last gasps, silent meters, hazards)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.api.common import live
from web.auth import CONTROL_ROOM, require_role

bp = Blueprint("reports", __name__, url_prefix="/api")


@bp.get("/reports")
@require_role(*CONTROL_ROOM)
def get_open_reports() -> Response:
    return jsonify(live().open_reports())
