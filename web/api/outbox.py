"""The messaging gateway's queue: updates for subscribed customers (`web.notify`), with
their contacts, for the one intake system that sends SMS and e-mail; and the replies it
receives to the follow-up after a restoration (the customers' ratings)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import Forbidden

from web.api.common import body, created, field, live
from web.auth import COMPLAINT_DESK, principal, require_role
from web.errors import ApiError, NotFound

bp = Blueprint("outbox", __name__, url_prefix="/api/outbox")


def _limit() -> int:
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 500:
        raise ApiError("limit must be a whole number from 1 to 500")
    return int(limit)


def _gateway_only() -> None:
    # Contacts are personal data: not every intake system (an IVR, a head-end) may read them.
    if principal() != current_app.config["MESSAGING_GATEWAY"]:
        raise Forbidden("only the messaging gateway reads the outbox")


@bp.get("")
@require_role("intake")
def pending() -> Response:
    """The oldest messages not yet sent (`limit`, 1–500, default 100)."""
    _gateway_only()
    return jsonify({"messages": [m.to_json() for m in live().store.outbox(_limit())]})


@bp.post("/sent")
@require_role("intake")
def sent() -> Response:
    """The gateway has sent these messages: they leave the outbox."""
    _gateway_only()
    ids = field(body(), "ids", list)
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63
                          for i in ids):
        raise ApiError("ids must be a non-empty list of message ids (integers)")
    return jsonify({"removed": live().store.sent(ids)})


@bp.post("/replies")
@require_role("intake")
def replies() -> tuple[Response, int]:
    """A customer answered message `message_id` (sent): kept, with the rating it gives."""
    _gateway_only()
    data = body()
    message_id = field(data, "message_id", int)
    if not 0 < message_id < 2**63:
        raise ApiError("message_id must be a message id (a positive integer)")
    kept = live().reply(message_id, field(data, "text")[:1000])
    if kept is None:
        raise NotFound(f"no message {message_id} was sent")
    return created({"customer_id": kept[0], "rating": kept[1]})


@bp.get("/replies")
@require_role(*COMPLAINT_DESK)
def feedback() -> Response:
    """What customers answered to the follow-up, newest first (`limit`, 1–500): the
    control room and the complaints desk read what a rating alone does not say."""
    return jsonify({"replies": live().store.replies(_limit())})

