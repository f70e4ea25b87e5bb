"""Control-room KPIs: customers out, calls, outages by stage, reliability, restoration curve."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.api.common import live
from web.auth import CONTROL_ROOM, require_role

bp = Blueprint("kpis", __name__, url_prefix="/api")


@bp.get("/kpis")
@require_role(*CONTROL_ROOM)
def get_kpis() -> Response:
    return jsonify(live().kpis())
