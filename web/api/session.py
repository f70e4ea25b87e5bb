"""Signing in and out (JSON); the HTML login form is in web/pages.py."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, session

from web.api.common import body, created, field
from web.auth import authenticate, csrf_token, sign_in
from web.errors import Unauthorized

bp = Blueprint("session", __name__, url_prefix="/api")


@bp.get("/session")
def who_am_i() -> Response:
    """The signed-in user (or none) and the CSRF token to send with changes."""
    return jsonify(user=session.get("user"), role=session.get("role"),
                   crew_id=session.get("crew_id"), csrf_token=csrf_token())


@bp.post("/session")
def log_in() -> tuple[Response, int]:
    data = body()
    user = authenticate(field(data, "username"), field(data, "password"))
    if user is None:
        raise Unauthorized("wrong username or password")
    sign_in(user)
    return created({"user": user.username, "role": user.role, "crew_id": user.crew_id,
                    "csrf_token": csrf_token()})


@bp.delete("/session")
def log_out() -> Response:
    session.clear()
    return jsonify(user=None, csrf_token=csrf_token())
