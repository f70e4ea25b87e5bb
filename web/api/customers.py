"""The public side: a customer's own status, reporting an outage, subscribing, the map.

Everything here is rate-limited per client address and shows nothing about
anyone else: a lookup returns the caller's street (not the house number), their
outage's size and status, never another customer's id or address. A successful
lookup returns a signed token naming the account, which report / subscribe /
the live status room accept instead of the account number.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from web.api.common import (
    body,
    created,
    field,
    idempotency_key,
    idempotent,
    live,
    rate_limited,
)
from web.errors import ApiError, NotFound

bp = Blueprint("customers", __name__, url_prefix="/api")
HAZARDS = ("wire_down", "fire", "tree", "other")
CHANNELS = ("email", "sms", "push")
TOKEN_MAX_AGE = 7 * 24 * 3600


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="customer-token")


def customer_token(customer_id: str) -> str:
    return _signer().dumps(customer_id)


def customer_of_token(token: object) -> str:
    if not isinstance(token, str):
        raise ApiError("token must be the string returned by a status lookup")
    try:
        customer_id = _signer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        raise ApiError("token is not valid (look up your account again)", 403) from None
    return str(customer_id)


def _status(account: str) -> Response:
    customer_id = live().account(account)
    data = live().customer_status(customer_id)
    data["token"] = customer_token(customer_id)
    # Their own complaints, where each stands (the lookup already says who they are).
    data["complaints"] = live().complaints.of_customer(customer_id)
    response = jsonify(data)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/customers/<customer_id>/status")
@rate_limited
def status_by_account(customer_id: str) -> Response:
    return _status(customer_id)


@bp.get("/customers/lookup")
@rate_limited
def status_by_phone() -> Response:
    phone, postcode = request.args.get("phone", ""), request.args.get("postcode", "")
    if not phone or not postcode:
        raise ApiError("give phone and postcode (or use /api/customers/<account>/status)")
    customer_id = live().directory.find(phone, postcode)
    if customer_id is None:
        raise NotFound("no account with that phone number and postcode")
    return _status(customer_id)


def customer_of_body(data: dict[str, object]) -> str:
    """The customer a public request names: its lookup token, or its account number."""
    if data.get("token") is not None:
        return customer_of_token(data["token"])
    account = field(data, "account", required=False)
    if account is not None:
        try:
            return live().account(str(account))
        except LookupError:
            raise NotFound("no customer with that account number") from None
    raise ApiError("give token (from a status lookup) or account")


@bp.post("/customers/report")
@rate_limited
@idempotent
def report() -> tuple[Response, int]:
    """A customer reports an outage (a web call event), optionally with a hazard."""
    data = body()
    customer_id = customer_of_body(data)
    hazard = field(data, "hazard", required=False, choices=HAZARDS)
    text = data.get("text") or ""
    if not isinstance(text, str):
        raise ApiError("field 'text' must be str")
    event = {"type": "call", "channel": "web", "customer_id": customer_id, "text": text[:500]}
    if hazard:
        event["hazard"] = hazard
    receipt = live().submit(event, idempotency_key())
    return created({"seq": receipt.seq, "status": live().customer_status(customer_id)})


@bp.post("/customers/subscribe")
@rate_limited
@idempotent
def subscribe() -> tuple[Response, int]:
    """Store a subscription; updates are sent as events on the customer's room."""
    data = body()
    customer_id = customer_of_body(data)
    channel = field(data, "channel", choices=CHANNELS)
    contact = field(data, "contact")[:200]
    subscription = live().subscribe(customer_id, channel, contact)
    return created({"subscription": subscription, "channel": channel})


@bp.get("/public/areas")
@rate_limited
def public_areas() -> Response:
    response = jsonify(live().public_map())
    response.headers["Cache-Control"] = "public, max-age=5"
    return response
