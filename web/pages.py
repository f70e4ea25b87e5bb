"""HTML pages: dispatcher dashboard, crew phone view, complaints desk, customer status
page, public map."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from web.api.common import live
from web.auth import COMPLAINT_DESK, CONTROL_ROOM, authenticate, sign_in

bp = Blueprint("pages", __name__)
HOME = {"crew": "pages.crew", "agent": "pages.complaints"}


@bp.app_context_processor
def served_utility() -> dict[str, Any]:
    """The utility the pages speak for (`OMS_UTILITY_NAME`, which signs its texts too),
    and the tiles its maps lie on (`OMS_TILE_URL`)."""
    config = current_app.config
    return {"utility_name": config["UTILITY_NAME"], "tile_url": config["TILE_URL"],
            "tile_attribution": config["TILE_ATTRIBUTION"]}


@bp.get("/")
def index() -> str:
    return render_template("index.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | BaseResponse:
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            sign_in(user)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for(HOME.get(user.role, "pages.dispatch"))
            return redirect(target)
        error = "Wrong username or password."
    return render_template("login.html", error=error)


@bp.get("/logout")
def logout() -> BaseResponse:
    session.clear()
    return redirect(url_for("pages.index"))


def _gate(*roles: str) -> BaseResponse | None:
    if session.get("role") not in roles:
        return redirect(url_for("pages.login", next=request.path))
    return None


@bp.get("/dispatch")
def dispatch() -> str | BaseResponse:
    return _gate(*CONTROL_ROOM) or render_template("dispatch.html")


@bp.get("/crew")
def crew() -> str | BaseResponse:
    return _gate("crew") or render_template("crew.html")


@bp.get("/complaints")
def complaints() -> str | BaseResponse:
    return _gate(*COMPLAINT_DESK) or render_template("complaints.html")


@bp.get("/status")
def status() -> str:
    # The look-up's examples are of the network served: an account of its own, and
    # that customer's phone and postcode as the directory has them.
    state = live()
    example = state.network.customers.ids[0] if len(state.network.customers.ids) else ""
    return render_template(
        "status.html", example_account=example,
        example_phone=state.directory.display_phone(example) if example else "",
        example_postcode=state.directory.postcode.get(example, ""))


@bp.get("/map")
def public_map() -> str:
    return render_template("public_map.html")


@bp.after_app_request
def security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
