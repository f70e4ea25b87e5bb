"""Complaints: filed by customers (the status page), by agents taking them by phone or
at the service hall, or by an intake system (the app); worked by the desk.

A customer filing one learns its reference, its class and department, and the two
deadlines, nothing else; the desk reads and works the register.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from outage.complaints import CATEGORIES, CHANNELS, CONTACT_CHANNELS
from web.api.common import body, created, field, idempotent, live, take_rate_token
from web.api.customers import customer_of_body
from web.auth import COMPLAINT_DESK, current_role, principal, require_role
from web.errors import ApiError
from web.live import KPI_WINDOW

bp = Blueprint("complaints", __name__, url_prefix="/api/complaints")
ACTIONS = ("acknowledge", "route", "note", "resolve", "reopen")
_PUBLIC = ("reference", "category", "department", "acknowledge_by", "resolve_by",
           "resolve_by_day")


@bp.post("")
@idempotent
def file() -> tuple[Response, int]:
    """A new complaint: text, and who it is from (a lookup token or an account) or how
    to answer them (contact), or both; a category if the complainant chose one."""
    role = current_role()
    if role is None:
        take_rate_token()  # the public's, per address
    elif role not in (*COMPLAINT_DESK, "intake"):
        raise ApiError(f"role {role!r} may not file complaints", 403)
    data = body()
    text = field(data, "text")
    category = field(data, "category", required=False, choices=CATEGORIES)
    channel = "web" if role is None else field(data, "channel", choices=CHANNELS)
    has_customer = data.get("token") is not None or data.get("account") is not None
    customer_id = customer_of_body(data) if has_customer else None
    contact = _contact(data.get("contact"))
    if customer_id is None and contact is None:
        raise ApiError("give your account number (or look it up first), or a contact "
                       "(channel sms or email, and address) so we can answer you")
    by = "customer" if role is None else principal()
    complaint = live().complaints.file(by, text, channel, category=category,
                                       customer_id=customer_id, contact=contact)
    shown = live().complaints.to_json(complaint)
    return created(shown if role is not None else {k: shown[k] for k in _PUBLIC})


@bp.get("")
@require_role(*COMPLAINT_DESK)
def listing() -> Response:
    """The register: open complaints, oldest first (or `status=all`, newest first), of
    one `department` or all, at most `limit` (1-5000, default 1000)."""
    status = request.args.get("status", "open")
    if status not in ("open", "all"):
        raise ApiError("status must be open or all")
    limit = request.args.get("limit", "1000")
    if not limit.isdigit() or not 1 <= int(limit) <= 5000:
        raise ApiError("limit must be a whole number from 1 to 5000")
    desk = live().complaints
    department = request.args.get("department") or None
    if department is not None and department not in desk.book.departments:
        raise ApiError(f"department must be one of {', '.join(desk.book.departments)}")
    return jsonify({"complaints": desk.listing(status=status, department=department,
                                               limit=int(limit)),
                    "categories": list(CATEGORIES), "departments": desk.book.departments})


@bp.get("/summary")
@require_role(*COMPLAINT_DESK)
def summary() -> Response:
    """The register against its targets over the KPIs' period, and the follow-up's
    ratings (the desk's KPIs)."""
    return jsonify({**live().complaints.summary(live().now() - KPI_WINDOW),
                    "satisfaction": live().satisfaction()})


@bp.get("/<reference>")
@require_role(*COMPLAINT_DESK)
def one(reference: str) -> Response:
    """One complaint with its history, and the complainant's supply as it is now (what
    the agent who calls them back should know: out since when, the outage's reference)."""
    desk = live().complaints
    complaint = desk.get(reference)
    supply = None
    if complaint.customer_id is not None:
        try:
            supply = live().customer_status(complaint.customer_id)
        except LookupError:  # an account no longer on the served network
            supply = None
    return jsonify({**desk.to_json(complaint), "supply": supply})


@require_role(*COMPLAINT_DESK)
@idempotent
def act(reference: str, kind: str) -> tuple[Response, int]:
    """Take it up, route it (category and/or department), add a note, resolve it
    (resolution), reopen it (note)."""
    data = body() if request.get_data(cache=True).strip() else {}
    fields: dict[str, Any] = {}
    for name in ("note", "resolution", "category", "department"):
        value = field(data, name, required=False)
        if value is not None:
            fields[name] = value
    desk = live().complaints
    return created(desk.to_json(desk.act(kind, reference, principal(), **fields)))


for _kind in ACTIONS:  # a rule each: the OpenAPI description names each action's path
    bp.add_url_rule(f"/<reference>/{_kind}", f"act_{_kind}", act, methods=["POST"],
                    defaults={"kind": _kind})


def _contact(value: object) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError("field 'contact' must be an object: {channel: sms|email, address}")
    channel = field(value, "channel", choices=CONTACT_CHANNELS)
    return channel, field(value, "address")[:200]
