"""Errors of the web layer and the one place every error becomes an HTTP response.

Domain packages raise built-in subclasses (ValueError, LookupError); only here do
they get status codes. Every error is JSON: {"error": reason, "status": code}.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from outage.complaints import ComplaintStateError
from outage.errors import EventError, EventLogError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A client error with its HTTP status; the message says what is wrong."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooManyRequests(ApiError):
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def error_response(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message, status=status), status


def register_error_handlers(app: Flask) -> None:
    """Map every exception to a JSON response (no HTML error pages, no 500 for bad input)."""

    @app.errorhandler(ApiError)
    def _api(error: ApiError) -> tuple[Response, int]:
        response, status = error_response(str(error), error.status)
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return response, status

    @app.errorhandler(EventError)
    def _event(error: EventError) -> tuple[Response, int]:
        return error_response(str(error), 422)

    @app.errorhandler(ComplaintStateError)
    def _state(error: ComplaintStateError) -> tuple[Response, int]:
        return error_response(str(error), 409)

    @app.errorhandler(LookupError)
    def _lookup(error: LookupError) -> tuple[Response, int]:
        message = error.args[0] if error.args else str(error)
        return error_response(str(message), 404)

    @app.errorhandler(EventLogError)
    def _log(error: EventLogError) -> tuple[Response, int]:
        # Nothing was acknowledged: the client may retry (with the same idempotency key).
        log.error("event log: %s", error)
        return error_response("the event log is unavailable; nothing was recorded, retry", 503)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        return error_response(error.description or error.name, status)

    @app.errorhandler(ValueError)
    def _value(error: ValueError) -> tuple[Response, int]:
        return error_response(str(error), 422)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return error_response("internal error", 500)
